"""Reads of attendance and leave: my queue with AB cover, leave lists, the monthly sheet."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.models import FINAL_STATES, Case
from bianmin.cases.selectors import cases_visible
from bianmin.common.errors import PermissionDenied
from bianmin.orgs.models import Staff, Unit
from bianmin.orgs.scope import scope_for

from ..access import can_manage_unit, decides_leave, duty_staff_of, head_units_for, staff_of
from ..models import Attendance, LeaveRequest, LeaveStatus, QueueHandover
from ..services.roster import month_start, working_days


@dataclass(frozen=True)
class QueueRow:
    case: Case
    covering_for: str  # the absent holder's name when the viewer holds it as AB backup
    covered_by: str  # the backup's name when the viewer's own case is held by them


def my_queue(*, viewer) -> list[QueueRow]:
    """The viewer's open cases (first responder or work lock), cases held for an absent colleague
    as their AB backup, and their own cases currently held by their backup."""
    visible = cases_visible(viewer=viewer)
    active = QueueHandover.objects.filter(ended_at=None).select_related(
        "from_user__staff", "to_user__staff"
    )
    held_for = {h.case_id: h for h in active.filter(to_user=viewer)}
    held_away = {h.case_id: h for h in active.filter(from_user=viewer)}
    own = (
        Case.objects.filter(Q(first_responder=viewer) | Q(assigned_to=viewer))
        .exclude(state__in=FINAL_STATES)
        .values_list("pk", flat=True)
    )
    ids = set(own) | set(held_for)
    cases = (
        Case.objects.filter(pk__in=ids)
        .exclude(state__in=FINAL_STATES)
        .select_related("item_version", "current_unit")
        .order_by("promised_due", "pk")
    )
    rows = []
    for case in cases:
        if case.pk not in held_for and not visible.filter(pk=case.pk).exists():
            continue
        rows.append(
            QueueRow(
                case,
                held_for[case.pk].from_user.staff.full_name if case.pk in held_for else "",
                held_away[case.pk].to_user.staff.full_name if case.pk in held_away else "",
            )
        )
    return rows


def case_holders(*, viewer, case: Case) -> list[QueueHandover]:
    """Who held the case for whom, and when (the AB cover record)."""
    if not cases_visible(viewer=viewer).filter(pk=case.pk).exists():
        raise PermissionDenied(_("无权查看该办件"))
    return list(
        QueueHandover.objects.filter(case=case).select_related(
            "from_user__staff", "to_user__staff", "leave"
        )
    )


def leaves_of(*, viewer) -> list[LeaveRequest]:
    staff = staff_of(viewer)
    if staff is None:
        return []
    return list(LeaveRequest.objects.filter(staff=staff).select_related("covered_by"))


def leaves_to_decide(*, viewer, status: str | None = None) -> list[LeaveRequest]:
    """Leave requests of the units the viewer heads (a township head: also its stations)."""
    staff = staff_of(viewer)
    if viewer.is_superuser:
        qs = LeaveRequest.objects.all()
    elif staff is None or not decides_leave(viewer):
        return []
    else:
        units = [
            u
            for u in Unit.objects.filter(Q(pk=staff.unit_id) | Q(parent_id=staff.unit_id))
            if staff.unit_id in {h.pk for h in head_units_for(u)}
        ]
        qs = LeaveRequest.objects.filter(unit__in=units).exclude(staff=staff)
    if status:
        qs = qs.filter(status=status)
    return list(qs.select_related("staff", "unit", "covered_by").order_by("status", "-start"))


def leave_get(*, viewer, pk: int) -> LeaveRequest:
    leave = LeaveRequest.objects.select_related("staff", "unit").filter(pk=pk).first()
    if leave is None:
        from bianmin.common.errors import NotFound

        raise NotFound(_("请假记录不存在"))
    if staff_of(viewer) == leave.staff or leave in leaves_to_decide(viewer=viewer):
        return leave
    if can_manage_unit(viewer, leave.unit):
        return leave
    raise PermissionDenied(_("无权查看该请假记录"))


# -- monthly attendance sheet -----------------------------------------------------------------

PRESENT, LEAVE, ABSENT, FUTURE = "√", "假", "×", ""


@dataclass
class SheetRow:
    staff: Staff
    marks: list[str] = field(default_factory=list)
    present: int = 0
    leave: int = 0
    absent: int = 0


@dataclass
class Sheet:
    unit: Unit
    month: dt.date
    days: list[dt.date]
    rows: list[SheetRow]


def attendance_sheet(*, viewer, unit: Unit, month: dt.date, today: dt.date | None = None) -> Sheet:
    """Each working day of the month per person: √ signed in, 假 on approved leave, × absent.
    Days after today stay blank. Visible to staff whose scope acts for the unit."""
    if not scope_for(viewer).can_act_for_unit(unit):
        raise PermissionDenied(_("无权查看该单位考勤"))
    today = today or timezone.localdate()
    month = month_start(month)
    days = working_days(month)
    people = duty_staff_of(unit)
    ids = [s.pk for s in people]
    signed = set(
        Attendance.objects.filter(staff_id__in=ids, day__in=days).values_list("staff_id", "day")
    )
    leaves = list(
        LeaveRequest.objects.filter(
            staff_id__in=ids,
            status=LeaveStatus.APPROVED,
            start__lte=days[-1] if days else month,
            end__gte=month,
        )
    )

    def on_leave(sid: int, day: dt.date) -> bool:
        return any(
            lv.staff_id == sid
            and lv.start <= day <= lv.end
            and (lv.returned_on is None or day < lv.returned_on)
            for lv in leaves
        )

    rows = []
    for person in people:
        row = SheetRow(person)
        for day in days:
            if (person.pk, day) in signed:
                row.marks.append(PRESENT)
                row.present += 1
            elif on_leave(person.pk, day):
                row.marks.append(LEAVE)
                row.leave += 1
            elif day <= today:
                row.marks.append(ABSENT)
                row.absent += 1
            else:
                row.marks.append(FUTURE)
        rows.append(row)
    return Sheet(unit, month, days, rows)
