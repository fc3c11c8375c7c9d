from django.urls import path

from .views import assessment, attendance, roster, training

app_name = "staffing"

urlpatterns = [
    path("", attendance.me, name="me"),
    path("sign/<str:action>/", attendance.sign, name="sign"),
    path("leave/new/", attendance.leave_new, name="leave_new"),
    path("leave/", attendance.leaves, name="leaves"),
    path("leave/<int:pk>/document/", attendance.leave_document, name="leave_document"),
    path("leave/<int:pk>/<str:action>/", attendance.leave_action, name="leave_action"),
    path("attendance/<int:unit_id>/", attendance.sheet, name="sheet_now"),
    path("attendance/<int:unit_id>/<str:month>/", attendance.sheet, name="sheet"),
    path("training/", training.sessions, name="training"),
    path("training/new/", training.session_new, name="training_new"),
    path("training/mine/", training.mine, name="training_mine"),
    path("training/<int:pk>/", training.session, name="training_session"),
    path("training/<int:pk>/attend/", training.session_attend, name="training_attend"),
    path("training/person/<int:staff_id>/", training.person, name="training_person"),
    path("training/shortfall/", training.shortfall, name="training_shortfall"),
    path("assessment/", assessment.index, name="assessment"),
    path("assessment/run/", assessment.run_period, name="assessment_run"),
    path("assessment/<int:pk>/", assessment.detail, name="assessment_detail"),
    path("assessment/<int:pk>/adjust/", assessment.adjust, name="assessment_adjust"),
    path("subsidy/", assessment.subsidies, name="subsidies"),
    path("subsidy/new/", assessment.subsidy_new, name="subsidy_new"),
    path("subsidy/<int:pk>/", assessment.subsidy, name="subsidy"),
    path("roster/", roster.roster_index, name="roster_index"),
    path("roster/generate-all/", roster.roster_generate_all, name="roster_generate_all"),
    path("roster/gaps/", roster.roster_gaps, name="roster_gaps"),
    path("roster/<int:unit_id>/<str:month>/", roster.roster_unit, name="roster_unit"),
    path("roster/<int:unit_id>/<str:month>/roster.xlsx", roster.roster_xlsx, name="roster_xlsx"),
    path("roster/<int:unit_id>/<str:month>/print/", roster.roster_print, name="roster_print"),
    path(
        "roster/<int:unit_id>/<str:month>/<str:action>/",
        roster.roster_action,
        name="roster_action",
    ),
    path("public/roster/<str:unit_code>/<str:month>/", roster.public_roster, name="public_roster"),
]
