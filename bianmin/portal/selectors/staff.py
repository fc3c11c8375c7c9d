"""Staff-side reads of the portal's requests: each takes the viewer and applies `scope_for`."""

from django.db.models import QuerySet

from bianmin.common.errors import NotFound
from bianmin.orgs.scope import scope_for

from ..models import Application, HomeVisitRequest, Question


def applications_for_review(*, viewer) -> QuerySet[Application]:
    return (
        Application.objects.filter(scope_for(viewer).units_q("unit"))
        .select_related("item_version", "unit", "case")
        .order_by("status", "-created_at")
    )


def application_for_review(*, viewer, code: str) -> Application:
    app = applications_for_review(viewer=viewer).filter(code=code).first()
    if app is None:
        raise NotFound("application")
    return app


def questions_for(*, viewer) -> QuerySet[Question]:
    return (
        Question.objects.filter(scope_for(viewer).units_q("unit"))
        .select_related("item", "unit")
        .order_by("answered_at", "-created_at")
    )


def home_visits_for(*, viewer) -> QuerySet[HomeVisitRequest]:
    return (
        HomeVisitRequest.objects.filter(scope_for(viewer).units_q("station"))
        .select_related("station", "item_version", "case")
        .order_by("status", "-created_at")
    )
