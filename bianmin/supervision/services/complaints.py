"""Complaints and suggestions: filing, decision (within 5 working days) and the reply."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed
from bianmin.common.validators import validate_phone
from bianmin.orgs.models import RoleCode
from bianmin.orgs.scope import scope_for
from bianmin.sms.services import sms_enqueue
from bianmin.workdays import calendar

from ..models import (
    Complaint,
    ComplaintContactView,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintStatus,
)
from .notify import heads_responsible, notify_once

DECIDE_WORKDAYS = 5  # RULES.md "Supervision": a complaint is decided on within 5 working days.


def complaint_reply_workdays() -> int:
    """Working days from filing to the reply deadline (setting, default 15)."""
    return int(getattr(settings, "BIANMIN_COMPLAINT_REPLY_WORKDAYS", 15))


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U


def _check_char(body: str) -> str:
    """Luhn mod 32 over the alphabet values: catches any single mistyped character."""
    n, factor, total = len(ALPHABET), 2, 0
    for c in reversed(body):
        value = ALPHABET.index(c) if c in ALPHABET else ord(c) % n
        addend = factor * value
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def complaint_number_new(*, day: dt.date) -> str:
    """`TS-20251009-7K3QX9-R`: filing date, 6 random characters (not guessable), check char."""
    tail = "".join(secrets.choice(ALPHABET) for _ in range(6))
    body = f"TS-{day:%Y%m%d}-{tail}"
    return f"{body}-{_check_char(body)}"


@transaction.atomic
def complaint_file(
    *,
    kind: str,
    unit,
    content: str,
    name: str = "",
    phone: str = "",
    staff=None,
    case=None,
    item=None,
    today: dt.date | None = None,
) -> Complaint:
    """File a complaint or suggestion into the responsible unit's queue.

    RULES.md "Supervision": decided on within 5 working days (`decide_due`); the reply is due
    `BIANMIN_COMPLAINT_REPLY_WORKDAYS` (default 15) working days after filing (`reply_due`).
    Both count from the day after filing on the holiday calendar.
    """
    if kind not in ComplaintKind.values:
        raise ValidationFailed(_("类型只能是投诉或意见建议"), field="kind")
    content = (content or "").strip()
    if not content:
        raise ValidationFailed(_("请填写投诉或建议的内容"), field="content")
    if len(content) > 5000:
        raise ValidationFailed(_("内容过长（最多5000字）"), field="content")
    phone = (phone or "").strip()
    if phone:
        try:
            validate_phone(phone)
        except Exception as e:  # django ValidationError -> domain error
            raise ValidationFailed(_("电话号码格式不正确"), field="phone") from e
    if unit is None:
        raise ValidationFailed(_("请选择责任单位"), field="unit")
    if staff is not None and staff.unit_id != unit.pk:
        raise ValidationFailed(_("被投诉人员不在所选单位"), field="staff")
    if case is not None and case.pk is None:
        raise ValidationFailed(_("相关办件不存在"), field="case")
    today = today or timezone.localdate()
    decide = calendar.add_workdays(today, DECIDE_WORKDAYS)
    reply = calendar.add_workdays(today, max(complaint_reply_workdays(), DECIDE_WORKDAYS))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                complaint = Complaint.objects.create(
                    number=complaint_number_new(day=today),
                    kind=kind,
                    unit=unit,
                    content=content,
                    name=(name or "").strip()[:50],
                    phone=phone,
                    staff=staff,
                    case=case,
                    item=item,
                    filed_on=today,
                    decide_due=decide.date,
                    reply_due=reply.date,
                    provisional=decide.provisional or reply.provisional,
                )
        except IntegrityError:
            continue
        _notify_filed(complaint)
        return complaint
    raise ValidationFailed(_("编号生成失败，请重试"))


def _notify_filed(complaint: Complaint) -> None:
    """Tell the responsible head of a new complaint or suggestion on the day it is filed: the
    decision is due within 5 working days (RULES.md "Supervision")."""
    about = complaint.staff.user if complaint.staff is not None else None
    notify_once(
        users=heads_responsible(complaint.unit, exclude=about),
        text=_("【新%(k)s】%(u)s %(n)s，请于 %(d)s 前处理：%(c)s")
        % {
            "k": complaint.get_kind_display(),
            "u": complaint.unit.name,
            "n": complaint.number,
            "d": complaint.decide_due,
            "c": complaint.content[:60],
        },
        link=reverse("supervision:complaint_detail", args=[complaint.number]),
        key=f"complaint:{complaint.pk}:filed",
    )


# Village agents take complaints in but do not rule on them: the township or county does.
HANDLER_ROLES = (
    RoleCode.HEAD,
    RoleCode.WINDOW_STAFF,
    RoleCode.APPROVER,
    RoleCode.CHIEF_REPRESENTATIVE,
    RoleCode.SUPERVISOR,
    RoleCode.ADMINISTRATOR,
)


def _check_handler(*, actor, complaint: Complaint) -> None:
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("需要登录"))
    if actor.is_superuser:
        return
    staff = getattr(actor, "staff", None)
    if staff is None or not staff.has_role(*HANDLER_ROLES):
        raise PermissionDenied(_("您的角色不能处理投诉"))
    if not scope_for(actor).can_act_for_unit(complaint.unit):
        raise PermissionDenied(_("该投诉不属于您的单位或辖区"))
    if complaint.staff_id is not None and complaint.staff_id == staff.pk:
        raise PermissionDenied(_("被投诉人不能处理针对本人的投诉"))


def _locked(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("unit__region")
        .get(pk=complaint.pk)
    )


def _checked_outcome(complaint: Complaint, outcome: str | None) -> str:
    """A complaint's verified outcome is required (RULES.md "Supervision": it counts only once
    found true); a suggestion has none."""
    outcome = (outcome or "").strip()
    if complaint.kind != ComplaintKind.COMPLAINT:
        return ""
    if outcome not in ComplaintOutcome.values:
        raise ValidationFailed(_("请选择核查结论：属实、部分属实或不属实"), field="outcome")
    return outcome


@transaction.atomic
def complaint_decide(
    *,
    complaint: Complaint,
    actor,
    note: str,
    outcome: str | None = None,
    today: dt.date | None = None,
) -> Complaint:
    """Record the unit's decision on a complaint (RULES.md: within 5 working days of filing),
    with its verified outcome (属实 / 部分属实 / 不属实; only upheld ones count against the person
    or unit, `selectors.complaints_upheld`).

    Staff of the responsible unit (or above it) decide; the person complained about may not.
    A late decision is still recorded; supervision has already raised the red alert.
    """
    complaint = _locked(complaint)
    _check_handler(actor=actor, complaint=complaint)
    if complaint.status != ComplaintStatus.FILED:
        raise Conflict(_("该投诉已处理"), code=ErrorCode.DECIDED)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(_("请填写处理意见"), field="note")
    complaint.outcome = _checked_outcome(complaint, outcome)
    complaint.status = ComplaintStatus.DECIDED
    complaint.decision_note = note
    complaint.decided_on = today or timezone.localdate()
    complaint.decided_by = actor
    complaint.save()
    return complaint


@transaction.atomic
def complaint_reply(
    *,
    complaint: Complaint,
    actor,
    reply: str,
    outcome: str | None = None,
    today: dt.date | None = None,
) -> Complaint:
    """Reply to the complainant, which closes the complaint; the reply, the decision and the
    verified outcome are shown by the public lookup (number + phone tail).

    A reply to a complaint not yet decided decides it on the same day, so it needs the outcome;
    a complaint is never closed without one.
    """
    complaint = _locked(complaint)
    _check_handler(actor=actor, complaint=complaint)
    if complaint.status == ComplaintStatus.REPLIED:
        raise Conflict(_("该投诉已答复"), code=ErrorCode.REPLIED)
    reply = (reply or "").strip()
    if not reply:
        raise ValidationFailed(_("请填写答复内容"), field="reply")
    today = today or timezone.localdate()
    if not complaint.outcome:
        complaint.outcome = _checked_outcome(complaint, outcome)
    if complaint.status == ComplaintStatus.FILED:
        complaint.decided_on, complaint.decided_by = today, actor
        complaint.decision_note = complaint.decision_note or reply
    complaint.status = ComplaintStatus.REPLIED
    complaint.reply, complaint.replied_on, complaint.replied_by = reply, today, actor
    complaint.save()
    sms_enqueue(code="complaint_reply", phone=complaint.phone, context={"complaint_number": complaint.number}, reference=complaint.number)  # fmt: skip
    return complaint


def complaint_contact_reveal(*, complaint: Complaint, actor) -> str:
    """The complainant's phone, for the call-back, to those who may handle the complaint (not
    the person complained about); every reveal is logged (`ComplaintContactView`)."""
    _check_handler(actor=actor, complaint=complaint)
    ComplaintContactView.objects.create(complaint=complaint, viewer=actor)
    return complaint.phone
