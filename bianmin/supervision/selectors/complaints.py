"""Complaints (投诉) as the responsible units and the complainant read them."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, PermissionDenied, ValidationFailed
from bianmin.common.validators import phone_tail_matches
from bianmin.orgs.scope import scope_for

from ..models import UPHELD_OUTCOMES, Complaint, ComplaintKind, ComplaintStatus


def complaints_visible(*, viewer) -> QuerySet[Complaint]:
    """Complaints against units in the viewer's scope (a township sees its villages')."""
    scope = scope_for(viewer)
    return Complaint.objects.filter(scope.units_q("unit"))


def complaints_upheld() -> QuerySet[Complaint]:
    """The complaints that count against a person or unit: complaints (not suggestions) found
    true or partly true (属实 / 部分属实). RULES.md "Supervision": a complaint counts only once it is
    found true; unverified or unfounded ones do not. Every figure that counts complaints (the
    staff assessment, unit figures) starts from this queryset; the caller narrows it by person,
    unit and period. A system reader: callers scope it themselves."""
    return Complaint.objects.filter(kind=ComplaintKind.COMPLAINT, outcome__in=UPHELD_OUTCOMES)


def complaint_queue(
    *, viewer, status: str | None = None, unit: int | None = None, overdue: bool = False, today=None
) -> list[Complaint]:
    """The responsible units' queue: open ones first, by decision deadline."""
    today = today or timezone.localdate()
    qs = complaints_visible(viewer=viewer)
    if status:
        if status not in ComplaintStatus.values:
            raise ValidationFailed(_("状态无效"), field="status")
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit_id=unit)
    if overdue:
        qs = qs.filter(
            Q(status=ComplaintStatus.FILED, decide_due__lt=today)
            | Q(~Q(status=ComplaintStatus.REPLIED), reply_due__lt=today)
        )
    return list(qs.select_related("unit", "staff", "case").order_by("status", "decide_due", "pk"))


def complaint_get(*, viewer, number: str) -> Complaint:
    row = (
        Complaint.objects.select_related("unit__region", "staff", "case", "item")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if row is None:
        raise NotFound(_("投诉 %(n)s 不存在") % {"n": number})
    if not complaints_visible(viewer=viewer).filter(pk=row.pk).exists():
        raise PermissionDenied(_("无权查看该投诉"))
    return row


@dataclass(frozen=True)
class PublicComplaint:
    """What the complainant sees: the decision (its date and verified outcome) and the reply; no
    phone, no staff-internal decision note."""

    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    unit_name: str
    content: str
    filed_on: dt.date
    decide_due: dt.date
    reply_due: dt.date
    decided_on: dt.date | None
    outcome: str
    outcome_label: str
    replied_on: dt.date | None
    reply: str


def complaint_public_get(number: str, phone_tail: str) -> PublicComplaint:
    """Public lookup by tracking number and the last four digits of the phone given
    (`phone_tail_matches`).

    An unknown number and a wrong tail give the same 404, so numbers cannot be probed; a
    complaint filed without a phone cannot be looked up publicly.
    """
    row = (
        Complaint.objects.select_related("unit")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if row is None or not phone_tail_matches(row.phone, phone_tail):
        raise NotFound(_("未找到该编号的投诉，请核对编号和手机号后四位"))
    return PublicComplaint(
        number=row.number,
        kind=row.kind,
        kind_label=row.get_kind_display(),
        status=row.status,
        status_label=row.get_status_display(),
        unit_name=row.unit.name,
        content=row.content,
        filed_on=row.filed_on,
        decide_due=row.decide_due,
        reply_due=row.reply_due,
        decided_on=row.decided_on,
        outcome=row.outcome,
        outcome_label=row.get_outcome_display() if row.outcome else "",
        replied_on=row.replied_on,
        reply=row.reply if row.status == ComplaintStatus.REPLIED else "",
    )
