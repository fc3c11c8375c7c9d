"""Reads of cases, always through the viewer's access scope (DESIGN.md "Access follows the region
tree and the unit"): a village agent sees its village's cases, a township centre its own and its
villages', a county department the cases routed to it, a supervisor all in its jurisdiction.
"""

import base64
import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, PermissionDenied, ValidationFailed
from bianmin.orgs.scope import scope_for
from bianmin.workdays.calendar import workdays_between

from .deadlines import clock as case_clock  # noqa: F401  (days used / left, for pages)
from .deadlines import due_soon
from .models import (
    DELIVERY_STATES,
    Case,
    CaseEvent,
    Custody,
    PersonalDataView,
    State,
    SubReview,
)
from .workflow import IN_HANDLING

RUNNING = IN_HANDLING | {State.DECIDED, State.REFERRED}


def cases_visible(*, viewer, base: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Every case `viewer` may see (approval cases; pass `base=Case.errands.all()` for errands,
    `Case.all_objects.all()` for both)."""
    scope = scope_for(viewer)
    qs = Case.objects.all() if base is None else base
    if scope.kind == "all":
        return qs
    if scope.is_empty:
        return qs.none()
    units = list(scope.unit_ids)
    routed = (
        Q(deciding_unit__in=units)
        | Q(current_unit__in=units)
        | Q(intake_unit__in=units)
        | Exists(Custody.objects.filter(case=OuterRef("pk"), to_unit__in=units))
        | Exists(SubReview.objects.filter(case=OuterRef("pk"), unit__in=units))
    )
    if scope.sees_region_cases:
        return qs.filter(Q(region__code__startswith=scope.region_prefix) | routed)
    return qs.filter(routed)


def _encode_cursor(case: Case) -> str:
    raw = f"{case.created_at.isoformat()}|{case.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        at, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return dt.datetime.fromisoformat(at), int(pk)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed(_("分页游标无效"), field="cursor") from None


def overdue_q(today: dt.date) -> Q:
    return Q(state__in=RUNNING, promised_due__lt=today) | Q(
        state__in=DELIVERY_STATES, delivery_due__lt=today
    )


@dataclass(frozen=True)
class Page:
    items: list[Case]
    next_cursor: str | None


LIST_RELATED = ("item_version", "current_unit", "intake_unit", "deciding_unit", "region")


def case_list(
    *,
    viewer,
    state: str | None = None,
    unit: int | None = None,
    overdue: bool | None = None,
    queue: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    today: dt.date | None = None,
) -> Page:
    """Newest first, keyset-paginated on (created_at, id)."""
    today = today or timezone.localdate()
    qs = cases_visible(viewer=viewer)
    if state:
        if state not in State.values:
            raise ValidationFailed(_("状态无效"), field="state")
        qs = qs.filter(state=state)
    if unit:
        qs = qs.filter(current_unit_id=unit)
    if overdue is True:
        qs = qs.filter(overdue_q(today))
    elif overdue is False:
        qs = qs.exclude(overdue_q(today))
    if queue:
        queries = _queue_filters(viewer, today)
        if queue not in queries:
            raise ValidationFailed(_("工作队列无效"), field="queue")
        qs = qs.filter(queries[queue])
    if cursor:
        at, pk = _decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    limit = max(1, min(int(limit), 200))
    items = list(
        qs.select_related(*LIST_RELATED)
        .prefetch_related("pauses")
        .order_by("-created_at", "-pk")[: limit + 1]
    )
    more = len(items) > limit
    items = items[:limit]
    return Page(items, _encode_cursor(items[-1]) if more and items else None)


def case_get(
    *, viewer, number: str, log: bool = True, channel: str = "api", errands: bool = False
) -> Case:
    """One case by number: 404 if unknown, 403 outside the viewer's scope; the view is logged.
    Errands are found only when asked for (`errands=True`)."""
    manager = Case.all_objects if errands else Case.objects
    case = (
        manager.select_related(
            "item_version", "intake_unit", "current_unit", "deciding_unit", "region", "agent"
        )
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if case is None:
        raise NotFound(_("办件 %(n)s 不存在") % {"n": number})
    if not cases_visible(viewer=viewer, base=manager.all()).filter(pk=case.pk).exists():
        raise PermissionDenied(_("无权查看该办件"))
    if log:
        PersonalDataView.objects.create(case=case, viewer=viewer, channel=channel)
    return case


def case_timeline(*, viewer, number: str) -> list[CaseEvent]:
    case = case_get(viewer=viewer, number=number, log=False, errands=True)
    return list(case.events.select_related("unit").order_by("seq"))


QUEUES = (
    "to_receive",
    "to_accept",
    "to_review",
    "awaiting_materials",
    "to_hand_back",
    "to_deliver",
    "due_soon",
    "overdue",
)


def _due_soon_ids(viewer, today: dt.date) -> list[int]:
    """Running cases whose promised date is near by the supervision warning rule (1 working day
    before, or 20% of the limit left, whichever first: `deadlines.due_soon`). Working days left
    are counted once per distinct due date."""
    rows = (
        cases_visible(viewer=viewer)
        .filter(state__in=RUNNING, promised_due__gte=today)
        .values_list("pk", "promised_due", "item_version__promised_limit", "extended_days")
    )
    left: dict[dt.date, int] = {}
    out = []
    for pk, due, limit, extended in rows:
        if due not in left:
            left[due] = workdays_between(today, due).workdays
        if due_soon(left=left[due], limit=(limit or 0) + extended):
            out.append(pk)
    return out


def _queue_filters(viewer, today: dt.date) -> dict[str, Q]:
    units = list(scope_for(viewer).unit_ids) if not viewer.is_superuser else None
    mine = Q(current_unit__in=units) if units is not None else Q()
    pending_joint = Exists(
        SubReview.objects.filter(
            case=OuterRef("pk"),
            state=SubReview.Opinion.PENDING,
            **({"unit__in": units} if units is not None else {}),
        )
    )
    return {
        "to_receive": mine & Q(state__in=[State.FORWARDED, State.REFERRED, State.RETURNING]),
        "to_accept": mine & Q(state=State.SUBMITTED),
        "to_review": (mine & Q(state__in=IN_HANDLING | {State.DECIDED}))
        | (Q(state=State.JOINT_REVIEW) & pending_joint),
        "awaiting_materials": (mine | Q(intake_unit__in=units or []))
        & Q(state=State.AWAITING_MATERIALS),
        "to_hand_back": mine & Q(state=State.CONCLUDED) & ~Q(current_unit=F("intake_unit")),
        "to_deliver": mine
        & (
            Q(state=State.TO_DELIVER)
            | (Q(state=State.CONCLUDED) & Q(current_unit=F("intake_unit")))
        ),
        "due_soon": Q(pk__in=_due_soon_ids(viewer, today)),
        "overdue": overdue_q(today),
    }


def work_queues(*, viewer, today: dt.date | None = None, limit: int = 20) -> dict[str, dict]:
    """The viewer's queues: {"to_accept": {"count": n, "items": [cases]}, ...}."""
    today = today or timezone.localdate()
    # Rows show the clock (pauses) and the units: fetched once per queue, not once per row.
    base = cases_visible(viewer=viewer).select_related(*LIST_RELATED).prefetch_related("pauses")
    out = {}
    for name, q in _queue_filters(viewer, today).items():
        qs = base.filter(q).order_by("promised_due", "-created_at", "-pk")
        out[name] = {"count": qs.count(), "items": list(qs[:limit])}
    return out


@dataclass(frozen=True)
class Holding:
    unit: str
    received_at: dt.datetime | None
    left_at: dt.datetime | None
    workdays: int | None


def case_holdings(*, case: Case, today: dt.date | None = None) -> list[Holding]:
    """How long each unit held the case, from its custody records (DESIGN.md: time per tier)."""
    from bianmin.workdays.calendar import workdays_between

    today = today or timezone.localdate()
    hops = list(case.custodies.select_related("to_unit").order_by("sent_at", "pk"))
    out = []
    for i, hop in enumerate(hops):
        left = hops[i + 1].sent_at if i + 1 < len(hops) else None
        days = None
        if hop.received_at is not None:
            end = timezone.localdate(left) if left else today
            days = workdays_between(timezone.localdate(hop.received_at), end).workdays
        out.append(Holding(hop.to_unit.name, hop.received_at, left, days))
    return out
