"""Ratings API: rectification queue, detail, actions, the applicant's follow-up and statistics."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Router, Schema

from bianmin.api.auth import staff_auth
from bianmin.common.challenge import Answer
from bianmin.common.dbrouting import replica_reads
from bianmin.common.inputs import INT_MAX
from bianmin.common.schemas import (
    NOTE,
    PUBLIC_ERRORS,
    STAFF_ERRORS,
    Bounded,
    Day,
    ErrorOut,
    Id,
    Identifier,
    LongText,
    Text,
    choice,
)

from . import selectors
from .models import AppealReason, Level, Rectification, RectState
from .rectification import (
    ACTIONS,
    actions_for,
    follow_up_verify,
    rating_follow_up,
    rectification_act,
)

router = Router(tags=["ratings"])


class RectificationEventOut(Schema):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    actor: str | None
    note: str
    data: dict


class RectificationOut(Schema):
    id: int
    number: str
    case_number: str
    state: str
    state_label: str
    level: int
    named: bool
    unit_id: int
    unit: str
    opened_on: dt.date
    callback_due: dt.date
    called_back_on: dt.date | None
    callback_on_time: bool | None
    outcome: str
    fix_due: dt.date | None
    rectified_on: dt.date | None
    closed_on: dt.date | None
    overdue: bool
    lock_version: int


class RectificationDetail(RectificationOut):
    findings: str
    measures: str
    appeal_reason: str
    appeal_text: str
    appeal_upheld: bool | None
    appeal_decision: str
    follow_up_level: int | None
    allowed_actions: list[str]
    events: list[RectificationEventOut]


def rect_out(r: Rectification, today: dt.date) -> dict:
    return {
        "id": r.pk,
        "number": r.number,
        "case_number": r.case.number,
        "state": r.state,
        "state_label": r.get_state_display(),
        "level": r.rating.level,
        "named": r.rating.named,
        "unit_id": r.unit_id,
        "unit": r.unit.name,
        "opened_on": r.opened_on,
        "callback_due": r.callback_due,
        "called_back_on": r.called_back_on,
        "callback_on_time": r.callback_on_time(),
        "outcome": r.outcome,
        "fix_due": r.fix_due,
        "rectified_on": r.rectified_on,
        "closed_on": r.closed_on,
        "overdue": (r.state == "open" and r.callback_due < today)
        or (r.state == "rectifying" and r.fix_due is not None and r.fix_due < today),
        "lock_version": r.lock_version,
    }


def rect_detail(r: Rectification, viewer) -> dict:
    follow = getattr(r.rating, "follow_up", None) if hasattr(r.rating, "follow_up") else None
    return {
        **rect_out(r, timezone.localdate()),
        "findings": r.findings,
        "measures": r.measures,
        "appeal_reason": r.appeal_reason,
        "appeal_text": r.appeal_text,
        "appeal_upheld": r.appeal_upheld,
        "appeal_decision": r.appeal_decision,
        "follow_up_level": follow.level if follow else None,
        "allowed_actions": actions_for(r, viewer),
        "events": [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": e.actor.get_username() if e.actor else None,
                "note": e.note,
                "data": e.data,
            }
            for e in r.events.select_related("actor")
        ],
    }


@router.get(
    "/rectifications",
    response={200: list[RectificationOut], **STAFF_ERRORS},
    auth=staff_auth,
    summary="Rectifications the caller may see",
)
def list_rectifications(
    request, state: choice(RectState.values) | None = None, overdue: bool = False
):
    today = timezone.localdate()
    qs = selectors.rectification_list(
        viewer=request.auth, state=state or None, overdue_on=today if overdue else None
    )
    return [rect_out(r, today) for r in qs[:500]]


@router.get(
    "/rectifications/{rect_id}",
    response={200: RectificationDetail, **STAFF_ERRORS},
    auth=staff_auth,
    summary="One rectification with its event list",
)
def get_rectification(request, rect_id: Id):
    return rect_detail(selectors.rectification_get(viewer=request.auth, pk=rect_id), request.auth)


class RectificationParamsIn(Schema):
    """What the actions read: call_back `contacted`, `findings`; fix_now, fix_by_deadline (with
    `fix_days`), explain and complete `measures`; appeal `appeal_reason`, `appeal_text`; the
    appeal decisions `reasons`."""

    contacted: bool | None = None
    findings: LongText[NOTE] = ""
    fix_days: Bounded(1, 60) | None = None
    measures: LongText[NOTE] = ""
    appeal_reason: choice(AppealReason.values) | None = None
    appeal_text: LongText[NOTE] = ""
    reasons: LongText[NOTE] = ""


class RectificationActionIn(Schema):
    action: choice(sorted(ACTIONS - {"follow_up"}))
    expected_version: Bounded(0, INT_MAX) | None = None
    note: LongText[NOTE] = ""
    params: RectificationParamsIn = RectificationParamsIn()


@router.post(
    "/rectifications/{rect_id}/actions",
    response={200: RectificationDetail, **STAFF_ERRORS},
    auth=staff_auth,
    summary="Call back, record an outcome, complete, appeal, decide an appeal, close",
)
def act_on_rectification(request, rect_id: Id, payload: RectificationActionIn):
    rect = selectors.rectification_get(viewer=request.auth, pk=rect_id)
    rect = rectification_act(
        rectification=rect,
        action=payload.action,
        actor=request.auth,
        expected_version=payload.expected_version,
        note=payload.note,
        **payload.params.dict(exclude_unset=True),
    )
    return rect_detail(rect, request.auth)


class FollowUpIn(Schema):
    number: Identifier[60]  # the rectification number
    phone_tail: Identifier[4]
    level: choice(Level.values)
    comment: LongText[NOTE] = ""
    captcha_key: Text[40] = Field(
        "", description="a picture challenge's key, once 403 captcha_required"
    )
    captcha_value: Text[32] = Field("", description="what the person read from it")


class FollowUpOut(Schema):
    number: str
    level: int
    state: str


@router.post(
    "/follow-up",
    response={200: FollowUpOut, **PUBLIC_ERRORS, 403: ErrorOut},
    summary="The applicant's one follow-up rating (rectification number + phone tail)",
    description="No login. A wrong number/phone pair is a 404 that looks the same whether the "
    "number exists or not. After a few wrong pairs for a number or from an address the answer is "
    "403 `captcha_required`: fetch a challenge from GET /api/v1/public/challenge and send "
    "`captcha_key` and `captcha_value` (403 `captcha_invalid` when wrong). An address that floods "
    "is refused (429, Retry-After).",
)
def follow_up(request, payload: FollowUpIn):
    rect = follow_up_verify(
        number=payload.number,
        phone_tail=payload.phone_tail,
        ip=request.META.get("REMOTE_ADDR", ""),
        answer=Answer(key=payload.captcha_key, value=payload.captcha_value),
    )
    rating = rating_follow_up(
        rectification=rect,
        level=payload.level,
        comment=payload.comment,
        phone_tail=payload.phone_tail,
    )
    rect.refresh_from_db()
    return {"number": rect.number, "level": rating.level, "state": rect.state}


class StatsOut(Schema):
    key: int | None
    label: str
    total: int
    good: int
    bad: int
    rectified: int
    named_bad: int
    called_back_on_time: int
    good_rate: float | None
    bad_rate: float | None
    rectified_rate: float | None
    callback_on_time_rate: float | None


@router.get(
    "/stats",
    response={200: list[StatsOut], **STAFF_ERRORS},
    auth=staff_auth,
    summary="Good-rate, bad-rate, rectified-rate, call-back-on-time rate per unit or staff",
)
@replica_reads
def stats(
    request,
    group: choice(["unit", "staff"]) = "unit",
    since: Day | None = None,
    until: Day | None = None,
):
    rows = selectors.rating_stats(viewer=request.auth, group=group, since=since, until=until)
    return [f.as_dict() for f in rows]
