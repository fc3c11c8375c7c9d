from django.urls import path

from . import errand_views, intake_views, list_views, views

app_name = "cases"

urlpatterns = [
    path("", list_views.case_list, name="list"),
    path("queues/", views.queues, name="queues"),
    path("new/", intake_views.intake, name="intake"),
    path("ledger/", views.ledger, name="ledger"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/actions/<str:action>/", views.action, name="action"),
    path("<str:number>/documents/<str:kind>/", views.document, name="document"),
]

# Errands (便民服务): two-segment paths, so "<str:number>/" above does not catch them.
urlpatterns += [
    path("errands/list/", errand_views.errand_list, name="errand_list"),
    path("errands/<str:number>/", errand_views.errand_detail, name="errand_detail"),
    path("errands/<str:number>/<str:action>/", errand_views.errand_action, name="errand_action"),
]
