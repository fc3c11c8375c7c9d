from django.contrib.auth import views as auth_views
from django.urls import path

from . import (
    account_views,
    admin_log_views,
    apply_views,
    appointment_views,
    guide_views,
    public_views,
    staff_views,
    status_views,
    twofactor_views,
    views,
)

app_name = "portal"

urlpatterns = [
    # "/" is the public home; signed-in staff are sent on to their workbench.
    path("", guide_views.home, name="index"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Two-factor login (两步验证): the login's second step, enrolment, recovery codes shown once.
    path("accounts/login/code/", twofactor_views.login_code, name="login_code"),
    path("accounts/two-factor/", twofactor_views.twofactor, name="twofactor"),
    path("accounts/two-factor/codes/", twofactor_views.twofactor_codes, name="twofactor_codes"),
    path("staff/", views.staff_home, name="staff_home"),
    # A member of staff's own account (account_views), the admin action log (admin_log_views)
    path(
        "accounts/password/",
        account_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/tokens/", account_views.token_list, name="tokens"),
    path(
        "accounts/tokens/<int:token_id>/revoke/",
        account_views.token_revoke,
        name="token_revoke",
    ),
    path("accounts/tokens/revoke-all/", account_views.token_revoke_all, name="token_revoke_all"),
    path("staff/admin-log/", admin_log_views.admin_log, name="admin_log"),
    # Guides (办事指南)
    path("guides/", guide_views.guide_list, name="guide_list"),
    path("guides/<str:code>/", guide_views.guide_detail, name="guide_detail"),
    path("guides/<str:code>/checklist/", guide_views.guide_checklist, name="guide_checklist"),
    path(
        "guides/<str:code>/materials/<int:pk>/<str:kind>/",
        guide_views.material_file,
        name="material_file",
    ),
    path("guides/<str:code>/ask/", guide_views.question_ask, name="question_ask"),
    # Disclosure (公开公示), service cards (便民卡), complaints
    path("disclosure/", public_views.disclosure_county, name="disclosure_county"),
    path("disclosure/<str:code>/", public_views.disclosure_unit, name="disclosure_unit"),
    path(
        "disclosure/<str:code>/cases/<str:figure>/",
        public_views.disclosure_cases,
        name="disclosure_cases",
    ),
    path("cards/", public_views.service_cards, name="service_cards"),
    path("cards/<str:code>/", public_views.service_card, name="service_card"),
    path("complaints/", public_views.complaint_file, name="complaint_file"),
    path("complaints/lookup/", public_views.complaint_lookup, name="complaint_lookup"),
    # Appointments and home visits
    path("appointments/", appointment_views.appointment_book, name="appointment_book"),
    path(
        "appointments/<str:code>/",
        appointment_views.appointment_manage,
        name="appointment_manage",
    ),
    path("home-visit/", appointment_views.home_visit, name="home_visit"),
    # Online application
    path("apply/<str:code>/", apply_views.apply, name="apply"),
    path("apply/<str:code>/autosave/", apply_views.apply_autosave, name="apply_autosave"),
    path("applications/<str:code>/", apply_views.application_detail, name="application_detail"),
    # Status, supplement, rating
    path("status/", status_views.status_lookup, name="status_lookup"),
    path("status/<str:number>/", status_views.status_detail, name="status_detail"),
    path(
        "status/<str:number>/supplement/",
        status_views.status_supplement,
        name="status_supplement",
    ),
    path("status/<str:number>/rate/", status_views.status_rate, name="status_rate"),
    # Staff side of the portal
    path("staff/prereview/", staff_views.prereview_list, name="prereview_list"),
    path("staff/prereview/<str:code>/", staff_views.prereview_detail, name="prereview_detail"),
    path("staff/prereview/<str:code>/act/", staff_views.prereview_act, name="prereview_act"),
    path("staff/files/<int:pk>/", staff_views.application_file, name="application_file"),
    path("staff/questions/", staff_views.question_list, name="question_list"),
    path("staff/questions/<int:pk>/answer/", staff_views.question_answer, name="question_answer"),
    path("staff/home-visits/", staff_views.home_visit_list, name="home_visit_list"),
    path(
        "staff/home-visits/<str:code>/register/",
        staff_views.home_visit_register,
        name="home_visit_register",
    ),
]
