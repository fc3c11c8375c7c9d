from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("queues/", views.queues, name="queues"),
    path("new/", views.intake, name="intake"),
    path("ledger/", views.ledger, name="ledger"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/actions/<str:action>/", views.action, name="action"),
    path("<str:number>/documents/<str:kind>/", views.document, name="document"),
]
