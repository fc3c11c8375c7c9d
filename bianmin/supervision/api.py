"""Supervision API: alerts, the dashboard, the supervisor's queue, notifications and complaints.

Every handler calls one scoped selector or one service (403 outside the caller's scope)."""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from ninja import Router, Schema

from bianmin.api.auth import staff_auth
from bianmin.common.dbrouting import replica_reads
from bianmin.common.schemas import (
    NOTE,
    STAFF_ERRORS,
    Day,
    DayWithin,
    Id,
    Identifier,
    Limit,
    LongText,
    choice,
)

from . import selectors, services
from .models import Clock, ComplaintOutcome, ComplaintStatus, Level, SupervisionRecord
from .services.supervise import SUBJECT_KINDS

router = Router(tags=["supervision"], auth=staff_auth)


class AlertOut(Schema):
    id: int
    level: str
    clock: str
    case_number: str | None
    complaint_number: str | None
    unit: str
    due_on: dt.date
    limit_days: int
    days_left: int
    detail: str
    raised_on: dt.date
    escalated: bool


def alert_out(a) -> dict:
    return {
        "id": a.pk,
        "level": a.level,
        "clock": a.clock,
        "case_number": a.case.number if a.case_id else None,
        "complaint_number": a.complaint.number if a.complaint_id else None,
        "unit": a.unit.name,
        "due_on": a.due_on,
        "limit_days": a.limit_days,
        "days_left": a.days_left,
        "detail": a.detail,
        "raised_on": a.raised_on,
        "escalated": a.oversight_ordered,
    }


@router.get(
    "/alerts",
    response={200: list[AlertOut], **STAFF_ERRORS},
    summary="Yellow and red alerts in the caller's scope",
)
def list_alerts(
    request,
    level: choice(Level.values) | None = None,
    clock: choice(Clock.values) | None = None,
    region: Identifier[12] | None = None,
    since: Day | None = None,
    limit: Limit(500) = 200,
):
    rows = selectors.alert_list(
        viewer=request.auth, level=level, clock=clock, region=region, since=since, limit=limit
    )
    return [alert_out(a) for a in rows]


@router.get(
    "/dashboard",
    response={200: dict, **STAFF_ERRORS},
    summary="Supervision dashboard of a region (default: the caller's own)",
    description="`date` (default today) may lie ten years either side of today.",
)
@replica_reads
def get_dashboard(
    request,
    region: Identifier[12] | None = None,
    date: DayWithin(selectors.DASHBOARD_YEARS) | None = None,
):
    data = selectors.dashboard(viewer=request.auth, region_code=region, today=date)
    return _jsonable(data)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class OversightOrderOut(Schema):
    id: int
    action: str
    escalated_on: dt.date
    resolved: bool
    alert: AlertOut


@router.get(
    "/queue",
    response={200: list[OversightOrderOut], **STAFF_ERRORS},
    summary="The supervisor's queue (督办)",
)
def list_queue(request, include_resolved: bool = False):
    rows = selectors.supervisor_queue(viewer=request.auth, include_resolved=include_resolved)
    return [
        {
            "id": e.pk,
            "action": e.action,
            "escalated_on": e.ordered_on,
            "resolved": e.resolved,
            "alert": alert_out(e.alert),
        }
        for e in rows
    ]


class ResolveIn(Schema):
    note: LongText[NOTE]


@router.post(
    "/queue/{pk}/resolve",
    response={200: OversightOrderOut, **STAFF_ERRORS},
    summary="Close a queue item",
)
def resolve_queue(request, pk: Id, payload: ResolveIn):
    e = services.oversight_order_resolve(actor=request.auth, pk=pk, note=payload.note)
    return {
        "id": e.pk,
        "action": e.action,
        "escalated_on": e.ordered_on,
        "resolved": e.resolved,
        "alert": alert_out(e.alert),
    }


class RecordOut(Schema):
    step: str
    text: str
    due_on: dt.date | None
    at: dt.datetime


class QueueEntryOut(Schema):
    kind: str
    number: str
    title: str
    unit: str
    escalated_on: dt.date
    over_days: int
    deadline: dt.date | None
    escalations: list[OversightOrderOut]
    records: list[RecordOut]


def _entry_out(q) -> dict:
    return {
        "kind": q.kind,
        "number": q.number,
        "title": q.title,
        "unit": q.unit.name,
        "escalated_on": q.ordered_on,
        "over_days": q.over_days,
        "deadline": q.deadline,
        "escalations": [
            {
                "id": e.pk,
                "action": e.action,
                "escalated_on": e.ordered_on,
                "resolved": e.resolved,
                "alert": alert_out(e.alert),
            }
            for e in q.oversight_orders
        ],
        "records": [
            {"step": r.step, "text": r.text, "due_on": r.due_on, "at": r.at} for r in q.records
        ],
    }


@router.get(
    "/queue/cases",
    response={200: list[QueueEntryOut], **STAFF_ERRORS},
    summary="The supervision queue, one entry per case or complaint (as on the page)",
)
def list_queue_cases(request):
    return [_entry_out(q) for q in selectors.supervision_queue(viewer=request.auth)]


class QueueActionIn(Schema):
    text: LongText[500] = ""
    due_on: Day | None = None


QUEUE_SERVICES: dict[str, Callable[..., SupervisionRecord]] = {
    "notice": services.supervision_notice,
    "deadline": services.supervision_deadline_set,
    "note": services.supervision_note,
    "close": services.supervision_close,
}


@router.post(
    "/queue/{kind}/{number}/{action}",
    response={200: RecordOut, **STAFF_ERRORS},
    summary="督办 a queued case or complaint: notice, deadline, note or close",
)
def act_on_queue(
    request,
    kind: choice(sorted(SUBJECT_KINDS)),
    number: Identifier[40],
    action: choice(QUEUE_SERVICES),
    payload: QueueActionIn,
):
    kw: dict = {"actor": request.auth, "kind": kind, "number": number}
    if action == "deadline":
        kw.update(due_on=payload.due_on, text=payload.text)
    else:
        kw["result" if action == "close" else "text"] = payload.text
    r = QUEUE_SERVICES[action](**kw)
    return {"step": r.step, "text": r.text, "due_on": r.due_on, "at": r.at}


class NotificationOut(Schema):
    id: int
    text: str
    link: str
    read: bool
    created_at: dt.datetime


@router.get(
    "/notifications",
    response={200: list[NotificationOut], **STAFF_ERRORS},
    summary="The caller's notifications",
)
def list_notifications(request, unread: bool = False):
    return selectors.notifications_for(viewer=request.auth, unread_only=unread)


@router.post(
    "/notifications/{pk}/read",
    response={200: NotificationOut, **STAFF_ERRORS},
    summary="Mark one read",
)
def read_notification(request, pk: Id):
    return services.notification_read(actor=request.auth, pk=pk)


class ComplaintOut(Schema):
    number: str
    kind: str
    status: str
    unit_id: int
    unit: str
    content: str
    name: str
    phone: str
    staff: str | None
    case_number: str | None
    filed_on: dt.date
    decide_due: dt.date
    reply_due: dt.date
    decided_on: dt.date | None
    decision_note: str
    outcome: str
    replied_on: dt.date | None
    reply: str


def complaint_out(c) -> dict:
    from bianmin.common.validators import mask_phone

    return {
        "number": c.number,
        "kind": c.kind,
        "status": c.status,
        "unit_id": c.unit_id,
        "unit": c.unit.name,
        "content": c.content,
        "name": c.name,
        "phone": mask_phone(c.phone),
        "staff": c.staff.full_name if c.staff_id else None,
        "case_number": c.case.number if c.case_id else None,
        "filed_on": c.filed_on,
        "decide_due": c.decide_due,
        "reply_due": c.reply_due,
        "decided_on": c.decided_on,
        "decision_note": c.decision_note,
        "outcome": c.outcome,
        "replied_on": c.replied_on,
        "reply": c.reply,
    }


@router.get(
    "/complaints",
    response={200: list[ComplaintOut], **STAFF_ERRORS},
    summary="Complaints queue of the caller",
)
def list_complaints(
    request,
    status: choice(ComplaintStatus.values) | None = None,
    unit: Id | None = None,
    overdue: bool = False,
):
    rows = selectors.complaint_queue(viewer=request.auth, status=status, unit=unit, overdue=overdue)
    return [complaint_out(c) for c in rows]


@router.get(
    "/complaints/{number}", response={200: ComplaintOut, **STAFF_ERRORS}, summary="One complaint"
)
def get_complaint(request, number: Identifier[40]):
    return complaint_out(selectors.complaint_get(viewer=request.auth, number=number))


OutcomeIn = choice([*ComplaintOutcome.values, ""])


class DecisionIn(Schema):
    note: LongText[NOTE]
    # upheld | partly_upheld | not_upheld; required for a complaint, ignored for a suggestion.
    outcome: OutcomeIn = ""


@router.post(
    "/complaints/{number}/decide",
    response={200: ComplaintOut, **STAFF_ERRORS},
    summary="Decide a complaint",
)
def decide_complaint(request, number: Identifier[40], payload: DecisionIn):
    c = selectors.complaint_get(viewer=request.auth, number=number)
    return complaint_out(
        services.complaint_decide(
            complaint=c, actor=request.auth, note=payload.note, outcome=payload.outcome
        )
    )


class ReplyIn(Schema):
    reply: LongText[NOTE]
    # Required when the complaint is replied to before a decision recorded its outcome.
    outcome: OutcomeIn = ""


@router.post(
    "/complaints/{number}/reply",
    response={200: ComplaintOut, **STAFF_ERRORS},
    summary="Reply to a complaint",
)
def reply_complaint(request, number: Identifier[40], payload: ReplyIn):
    c = selectors.complaint_get(viewer=request.auth, number=number)
    return complaint_out(
        services.complaint_reply(
            complaint=c, actor=request.auth, reply=payload.reply, outcome=payload.outcome
        )
    )
