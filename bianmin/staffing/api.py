"""The staffing API (/api/v1/staffing): attendance from a station tablet, leave and AB cover,
rosters. Thin handlers over `services` and `selectors`."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from bianmin.api.auth import staff_auth
from bianmin.common.errors import NotFound
from bianmin.common.schemas import (
    NOTE,
    STAFF_ERRORS,
    Day,
    Id,
    Identifier,
    LongText,
    Month,
    choice,
)
from bianmin.orgs.models import Unit
from bianmin.orgs.scope import scope_for

from . import selectors, services
from .models import LeaveKind, LeaveRequest, LeaveStatus, SignSource

router = Router(tags=["staffing"], auth=staff_auth)


class SignIn(Schema):
    action: choice(["in", "out"])


class AttendanceOut(Schema):
    staff: str
    day: dt.date
    signed_in_at: dt.datetime
    signed_out_at: dt.datetime | None


@router.post(
    "/attendance",
    response={200: AttendanceOut, **STAFF_ERRORS},
    summary="Sign in or out (station tablet)",
)
def attendance_sign(request, payload: SignIn):
    row = services.attendance_sign(
        actor=request.auth, action=payload.action, source=SignSource.TABLET
    )
    return {
        "staff": row.staff.full_name,
        "day": row.day,
        "signed_in_at": row.signed_in_at,
        "signed_out_at": row.signed_out_at,
    }


class LeaveOut(Schema):
    id: int
    staff: str
    unit: str
    kind: str
    start: dt.date
    end: dt.date
    reason: str
    status: str
    has_document: bool
    covered_by: str | None
    returned_on: dt.date | None
    decision_note: str


def _leave_out(lv: LeaveRequest) -> dict:
    return {
        "id": lv.pk,
        "staff": lv.staff.full_name,
        "unit": lv.unit.name,
        "kind": lv.kind,
        "start": lv.start,
        "end": lv.end,
        "reason": lv.reason,
        "status": lv.status,
        "has_document": bool(lv.document),
        "covered_by": lv.covered_by.full_name if lv.covered_by_id else None,
        "returned_on": lv.returned_on,
        "decision_note": lv.decision_note,
    }


class LeaveIn(Schema):
    kind: choice(LeaveKind.values)
    start: Day
    end: Day
    reason: LongText[NOTE]


@router.post(
    "/leave",
    response={201: LeaveOut, **STAFF_ERRORS},
    summary="Request leave (multipart; sick leave with document)",
)
def leave_create(request, payload: Form[LeaveIn], document: File[UploadedFile] = None):
    lv = services.leave_request(actor=request.auth, document=document, **payload.dict())
    return Status(201, _leave_out(lv))


@router.get(
    "/leave",
    response={200: list[LeaveOut], **STAFF_ERRORS},
    summary="My leave and the leave I decide on",
)
def leave_list(request, status: choice(LeaveStatus.values) | None = None):
    mine = selectors.leaves_of(viewer=request.auth)
    theirs = selectors.leaves_to_decide(viewer=request.auth, status=status)
    rows = [lv for lv in mine if not status or lv.status == status] + theirs
    return [_leave_out(lv) for lv in rows]


class DecideIn(Schema):
    approved: bool
    note: LongText[NOTE] = ""


@router.post(
    "/leave/{leave_id}/decide",
    response={200: LeaveOut, **STAFF_ERRORS},
    summary="Head approves or refuses",
)
def leave_decide(request, leave_id: Id, payload: DecideIn):
    lv = selectors.leave_get(viewer=request.auth, pk=leave_id)
    lv = services.leave_decide(
        leave=lv, approved=payload.approved, note=payload.note, actor=request.auth
    )
    return _leave_out(lv)


@router.post(
    "/leave/{leave_id}/return",
    response={200: LeaveOut, **STAFF_ERRORS},
    summary="Back from leave (销假)",
)
def leave_return(request, leave_id: Id):
    lv = selectors.leave_get(viewer=request.auth, pk=leave_id)
    return _leave_out(services.leave_return(leave=lv, actor=request.auth))


class QueueOut(Schema):
    number: str
    state: str
    item: str
    covering_for: str
    covered_by: str


@router.get(
    "/queue", response={200: list[QueueOut], **STAFF_ERRORS}, summary="My open cases, with AB cover"
)
def my_queue(request):
    return [
        {
            "number": r.case.number,
            "state": r.case.state,
            "item": r.case.item_version.name,
            "covering_for": r.covering_for,
            "covered_by": r.covered_by,
        }
        for r in selectors.my_queue(viewer=request.auth)
    ]


class GapOut(Schema):
    unit: str
    unit_code: str
    date: dt.date
    reason: str


@router.get(
    "/roster-gaps",
    response={200: list[GapOut], **STAFF_ERRORS},
    summary="Working days without duty, in scope",
)
def roster_gaps(request, month: Month):
    gaps = selectors.roster_gaps(viewer=request.auth, month=month)
    return [
        {"unit": g.unit.name, "unit_code": g.unit.code, "date": g.date, "reason": g.reason}
        for g in gaps
    ]


class DutyOut(Schema):
    date: dt.date
    names: list[str]


@router.get(
    "/roster/{unit_code}/{month}",
    response={200: list[DutyOut], **STAFF_ERRORS},
    summary="A unit's roster",
)
def roster(request, unit_code: Identifier[40], month: Month):
    unit = Unit.objects.filter(code=unit_code).first()
    if unit is None or not (
        scope_for(request.auth).can_act_for_unit(unit) or request.auth.is_superuser
    ):
        # A roster is public once published; a draft only for the unit's own staff.
        view = selectors.roster_for_unit(unit=unit, month=month) if unit else None
    else:
        view = selectors.roster_for_unit(unit=unit, month=month, viewer=request.auth)
    if view is None:
        raise NotFound(_("该月值班表不存在或尚未公布"))
    return [{"date": d.date, "names": d.names} for d in view.days]
