"""Attendance and leave (考勤/请假), and the AB-post cover (AB岗) of a post holder on leave.

While a holder is on approved leave, their open queue (open cases they are the first responder
of or hold the work lock on) is held by their backup (`Staff.backup`); on return it goes back.
The case engine has no service to change a case's first responder, so the cover is recorded here
(`QueueHandover`); the case's side (one timeline event per case, the work lock moved through the
engine's own `release` / `assign` transitions) is the cases app's `case_cover_handover`.
"""

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.models import FINAL_STATES, Case
from bianmin.cases.services import case_cover_handover
from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed
from bianmin.common.uploads import CheckedUpload, stored_name, upload_checked
from bianmin.common.workflow import transition
from bianmin.orgs.models import Staff

from ..access import is_head_for, staff_of
from ..models import (
    Attendance,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    QueueHandover,
    SignSource,
)
from ..workflow import LeaveMachine

log = logging.getLogger(__name__)


# -- attendance -------------------------------------------------------------------------------


@transaction.atomic
def attendance_sign(*, actor, action: str, source: str = SignSource.PAGE) -> Attendance:
    """Sign in (`in`) or out (`out`) for today, once each; out only after in."""
    staff = staff_of(actor)
    if staff is None or staff.unit is None:
        raise PermissionDenied(_("只有在岗工作人员可以签到"))
    if source not in SignSource.values:
        raise ValidationFailed(_("签到方式无效"), field="source")
    now = timezone.now()
    today = timezone.localdate(now)
    row = Attendance.objects.select_for_update(of=("self",)).filter(staff=staff, day=today).first()
    if action == "in":
        if row is not None:
            raise Conflict(
                _("今天已签到（%(t)s）") % {"t": f"{timezone.localtime(row.signed_in_at):%H:%M}"}
            )
        if staff.pk in staff_on_leave(staff_ids=[staff.pk], day=today):
            raise Conflict(_("您今天在休假中，请先销假再签到"), code=ErrorCode.ON_LEAVE)
        return Attendance.objects.create(
            staff=staff, unit=staff.unit, day=today, signed_in_at=now, source_in=source
        )
    if action == "out":
        if row is None:
            raise Conflict(_("今天尚未签到，不能签退"))
        if row.signed_out_at is not None:
            raise Conflict(_("今天已签退"))
        row.signed_out_at, row.source_out = now, source
        row.save(update_fields=["signed_out_at", "source_out"])
        return row
    raise ValidationFailed(_("操作应为签到(in)或签退(out)"), field="action")


# -- leave ------------------------------------------------------------------------------------


def document_checked(document: UploadedFile | None) -> CheckedUpload | None:
    """A PDF, JPEG or PNG, judged by its content rather than its name or declared type."""
    if document is None:
        return None
    document.seek(0)
    return upload_checked(document, field="document")


def staff_on_leave(*, staff_ids: list[int], day: dt.date) -> set[int]:
    """Staff among `staff_ids` on approved leave on `day` (not yet back from it)."""
    if not staff_ids:
        return set()
    qs = LeaveRequest.objects.filter(
        staff_id__in=staff_ids, status=LeaveStatus.APPROVED, start__lte=day, end__gte=day
    ).filter(Q(returned_on__isnull=True) | Q(returned_on__gt=day))
    return set(qs.values_list("staff_id", flat=True))


def cover_for(*, staff: Staff, day: dt.date | None = None) -> Staff:
    """Who takes new work meant for `staff` on `day`: their AB backup while they are on approved
    leave (and the backup is not away too), else themselves. For the case engine's assignment."""
    day = day or timezone.localdate()
    backup = staff.backup
    if backup is None or staff.pk not in staff_on_leave(staff_ids=[staff.pk], day=day):
        return staff
    if backup.pk in staff_on_leave(staff_ids=[backup.pk], day=day):
        return staff
    return backup


@transaction.atomic
def leave_request(
    *,
    actor,
    kind: str,
    start: dt.date,
    end: dt.date,
    reason: str,
    document: UploadedFile | None = None,
) -> LeaveRequest:
    """A written leave request (请假单) by the staff member; sick leave needs a document."""
    staff = staff_of(actor)
    if staff is None or staff.unit_id is None:
        raise PermissionDenied(_("只有在岗工作人员可以请假"))
    if kind not in LeaveKind.values:
        raise ValidationFailed(_("请假类别无效"), field="kind")
    if start is None or end is None:
        raise ValidationFailed(_("请填写请假起止日期"), field="start")
    if end < start:
        raise ValidationFailed(_("结束日期不能早于开始日期"), field="end")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请写明请假事由"), field="reason")
    if kind == LeaveKind.SICK and document is None:
        raise ValidationFailed(_("病假须上传医院证明（PDF、JPEG 或 PNG）"), field="document")
    checked = document_checked(document)
    overlap = LeaveRequest.objects.filter(
        staff=staff,
        status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED],
        start__lte=end,
        end__gte=start,
        returned_on__isnull=True,
    )
    if overlap.exists():
        raise Conflict(_("与已提交的请假时间重叠"))
    leave = LeaveRequest(
        staff=staff, unit=staff.unit, kind=kind, start=start, end=end, reason=reason
    )
    if checked is not None:
        # Stored under a name the server chose: the uploader's "x.html" or "x.svg" names nothing.
        leave.document.save(stored_name(checked), ContentFile(checked.content), save=False)
    leave.save()
    return leave


@transaction.atomic
def leave_decide(*, leave: LeaveRequest, approved: bool, note: str = "", actor) -> LeaveRequest:
    """The unit head approves or refuses a leave request (a station's agent: the township head).

    Nobody decides their own request. An approved leave that has begun starts the AB cover at
    once; a later one starts with `leaves_sweep` on its first day.
    """
    leave = transition(
        LeaveMachine(),
        leave,
        action="approve" if approved else "reject",
        actor=actor,
        note=note,
        decision_note=note,
    )
    if approved and leave.start <= timezone.localdate():
        cover_start(leave=leave, actor=actor)
    return leave


def leave_cancel(*, leave: LeaveRequest, actor) -> LeaveRequest:
    """The applicant withdraws a request not yet decided."""
    return transition(LeaveMachine(), leave, action="cancel", actor=actor)


@transaction.atomic
def leave_return(*, leave: LeaveRequest, actor, day: dt.date | None = None) -> LeaveRequest:
    """销假: the holder is back (reported by them or their head); the queue goes back to them."""
    leave = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("staff", "unit")
        .get(pk=leave.pk)
    )
    if staff_of(actor) != leave.staff and not is_head_for(actor, leave.unit):
        raise PermissionDenied(_("只有本人或单位负责人可以销假"))
    if leave.status != LeaveStatus.APPROVED or leave.returned_at is not None:
        raise Conflict(_("该请假不在休假中"))
    now = timezone.now()
    leave.returned_at = now
    leave.returned_on = day or timezone.localdate(now)
    leave.save(update_fields=["returned_at", "returned_on", "updated_at"])
    cover_end(leave=leave, actor=actor)
    return leave


def _open_queue(user):
    return (
        Case.objects.filter(Q(first_responder=user) | Q(assigned_to=user))
        .exclude(state__in=FINAL_STATES)
        .order_by("pk")
    )


@transaction.atomic
def cover_start(*, leave: LeaveRequest, actor) -> list[QueueHandover]:
    """Hand the holder's open queue to their AB backup (AB岗) for the leave. Idempotent: cases
    already handed over for this leave are skipped, so a daily sweep picks up new ones."""
    holder = leave.staff
    backup = leave.covered_by or holder.backup
    if backup is not None and backup.pk in staff_on_leave(
        staff_ids=[backup.pk], day=timezone.localdate()
    ):
        backup = None
    now = timezone.now()
    if leave.cover_started_at is None:
        leave.covered_by, leave.cover_started_at = backup, now
        leave.save(update_fields=["covered_by", "cover_started_at", "updated_at"])
    if backup is None:
        return []
    done = set(leave.handovers.values_list("case_id", flat=True))
    made = []
    for case in _open_queue(holder.user).exclude(pk__in=done):
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        note = _("%(a)s 休假（%(s)s 至 %(e)s），由AB岗 %(b)s 接办") % {
            "a": holder.full_name,
            "s": leave.start,
            "e": leave.end,
            "b": backup.full_name,
        }
        handover = QueueHandover(
            leave=leave, case=case, from_user=holder.user, to_user=backup.user, started_at=now
        )
        lock = case.assigned_to_id == holder.user_id
        problem = case_cover_handover(
            case=case,
            actor=actor,
            action="ab_cover",
            from_user=holder.user,
            to_user=backup.user,
            note=note,
            leave_id=leave.pk,
            lock=lock,
        )
        if lock:
            handover.moved_lock = not problem
            handover.note = problem[:300]
        handover.save()
        made.append(handover)
    return made


@transaction.atomic
def cover_end(*, leave: LeaveRequest, actor) -> list[QueueHandover]:
    """The holder is back: every case the backup held for them goes back, lock included."""
    ended = []
    now = timezone.now()
    holder = leave.staff
    for handover in leave.handovers.filter(ended_at=None).select_related("to_user__staff"):
        case = Case.objects.select_for_update(of=("self",)).get(pk=handover.case_id)
        backup_name = handover.to_user.staff.full_name
        note = _("%(a)s 销假返岗，AB岗 %(b)s 交回") % {"a": holder.full_name, "b": backup_name}
        if case.state not in FINAL_STATES:
            problem = case_cover_handover(
                case=case,
                actor=actor,
                action="ab_return",
                from_user=handover.to_user,
                to_user=holder.user,
                note=note,
                leave_id=leave.pk,
                lock=handover.moved_lock and case.assigned_to_id == handover.to_user_id,
            )
            if problem:
                handover.note = (handover.note + " " + problem).strip()[:300]
        handover.ended_at = now
        handover.save(update_fields=["ended_at", "note"])
        ended.append(handover)
    return ended


def leaves_sweep(*, today: dt.date | None = None) -> dict:
    """Daily: start the cover of approved leaves that began, pick up cases that reached an absent
    holder since, and end leaves whose last day has passed without a 销假."""
    today = today or timezone.localdate()
    started = ended = 0
    active = LeaveRequest.objects.filter(
        status=LeaveStatus.APPROVED, start__lte=today, returned_at__isnull=True
    ).select_related("staff__user", "unit", "decided_by")
    for leave in active:
        if leave.end < today:
            with transaction.atomic():
                leave.returned_at = timezone.now()
                leave.returned_on = leave.end + dt.timedelta(days=1)
                leave.save(update_fields=["returned_at", "returned_on", "updated_at"])
                ended += len(cover_end(leave=leave, actor=None))
        else:
            started += len(cover_start(leave=leave, actor=leave.decided_by))
    return {"handed_over": started, "handed_back": ended}
