from django.urls import path

from . import errand_views, file_views, intake_views, list_views, views

app_name = "cases"

urlpatterns = [
    path("", list_views.case_list, name="list"),
    path("queues/", views.queues, name="queues"),
    path("new/", intake_views.intake, name="intake"),
    path("new/items/", intake_views.intake_items, name="intake_items"),
    path("new/pick/", intake_views.intake_pick, name="intake_pick"),
    path("ledger/", views.ledger, name="ledger"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/actions/<str:action>/", views.action, name="action"),
    path("<str:number>/documents/<str:kind>/", views.document, name="document"),
]

# Errands (便民服务): two-segment paths, so "<str:number>/" above does not catch them.
urlpatterns += [
    path("errands/list/", errand_views.errand_list, name="errand_list"),
    path("errands/money.xlsx", errand_views.errand_money_xlsx, name="errand_money_xlsx"),
    path("errands/money/print/", errand_views.errand_money_print, name="errand_money_print"),
    path("errands/<str:number>/", errand_views.errand_detail, name="errand_detail"),
    path("errands/<str:number>/<str:action>/", errand_views.errand_action, name="errand_action"),
]

# 网上传件: the files of a case's materials (opened inline and logged, uploaded, reviewed).
urlpatterns += [
    path("<str:number>/files/<int:file_id>/", file_views.file_view, name="material_file"),
    path(
        "<str:number>/files/<int:file_id>/thumb/", file_views.file_thumb, name="material_file_thumb"
    ),
    path(
        "<str:number>/files/<int:file_id>/review/", file_views.review, name="material_file_review"
    ),
    path(
        "<str:number>/materials/<int:material>/files/",
        file_views.upload,
        name="material_upload",
    ),
]
