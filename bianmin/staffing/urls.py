from django.urls import path

from .views import roster

app_name = "staffing"

urlpatterns = [
    path("roster/", roster.roster_index, name="roster_index"),
    path("roster/generate-all/", roster.roster_generate_all, name="roster_generate_all"),
    path("roster/gaps/", roster.roster_gaps, name="roster_gaps"),
    path("roster/<int:unit_id>/<str:month>/", roster.roster_unit, name="roster_unit"),
    path(
        "roster/<int:unit_id>/<str:month>/<str:action>/",
        roster.roster_action,
        name="roster_action",
    ),
    path("public/roster/<str:unit_code>/<str:month>/", roster.public_roster, name="public_roster"),
]
