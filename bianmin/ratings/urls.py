from django.urls import path

from . import stats_views, views

app_name = "ratings"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("stats/", stats_views.stats, name="stats"),
    path("follow-up/", views.follow_up, name="follow_up"),
    # The on-site rating pad (评价器) of one case, handed over by the staff member after delivery.
    path("onsite/<str:number>/", views.onsite, name="onsite"),
    path("onsite/<str:number>/done/", views.onsite_done, name="onsite_done"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/act/", views.act, name="act"),
]
