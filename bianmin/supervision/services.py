"""Supervision writes: complaints (filing, decision, reply)."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.numbers import ALPHABET, check_char
from bianmin.common.errors import ValidationFailed
from bianmin.common.validators import validate_phone
from bianmin.workdays import calendar

from .models import Complaint, ComplaintKind

DECIDE_WORKDAYS = 5  # RULES.md "Supervision": a complaint is decided on within 5 working days.


def complaint_reply_workdays() -> int:
    """Working days from filing to the reply deadline (setting, default 15)."""
    return int(getattr(settings, "BIANMIN_COMPLAINT_REPLY_WORKDAYS", 15))


def complaint_number_new(*, day: dt.date) -> str:
    """`TS-20251009-7K3QX9-R`: date, 6 random Crockford characters, Luhn mod 32 check."""
    tail = "".join(secrets.choice(ALPHABET) for _ in range(6))
    body = f"TS-{day:%Y%m%d}-{tail}"
    return f"{body}-{check_char(body)}"


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
                return Complaint.objects.create(
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
    raise ValidationFailed(_("编号生成失败，请重试"))
