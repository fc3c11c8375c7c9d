from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("stats/", views.stats, name="stats"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
]
