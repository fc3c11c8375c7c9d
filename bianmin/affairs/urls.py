from django.urls import path

from . import views

app_name = "affairs"

urlpatterns = [
    path("board/<str:code>/", views.board, name="board"),
    # 三资托管 (trusteeship): the pages keep their first address, /custody/, for bookmarks.
    path("<str:code>/custody/", views.trusteeship, name="trusteeship"),
    path("<str:code>/custody/journal.xlsx", views.journal_xlsx, name="journal_xlsx"),
    path("<str:code>/custody/journal/print/", views.journal_print, name="journal_print"),
    path("<str:code>/custody/<str:action>/", views.trusteeship_action, name="trusteeship_action"),
    path("<str:code>/mediation/", views.mediation, name="mediation"),
    path("<str:code>/mediation/<str:action>/", views.mediation_action, name="mediation_action"),
    path("<str:code>/deliberations/", views.deliberations, name="deliberations"),
    path(
        "<str:code>/deliberations/<str:action>/",
        views.deliberation_action,
        name="deliberation_action",
    ),
]
