from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alerts, name="alerts"),
    path("queue/", views.queue, name="queue"),
    path("queue/print/", views.queue_print, name="queue_print"),
    path("notifications/", views.notifications, name="notifications"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/<str:number>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<str:number>/<str:action>/", views.complaint_action, name="complaint_action"),
]
