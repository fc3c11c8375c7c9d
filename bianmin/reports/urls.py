from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("monthly/", views.monthly_list, name="monthly_list"),
    path("monthly/<int:unit_id>/<str:month>/", views.monthly_detail, name="monthly_detail"),
    path("monthly/<int:unit_id>/<str:month>/act/", views.monthly_action, name="monthly_action"),
    path("public/", views.public_stats, name="public"),
    path("public/<int:unit_id>/", views.public_stats, name="public_unit"),
]
