"""The supervisor's work on the supervision queue (督办): one case (or complaint) at a time,
whatever the number of its deadlines under oversight: a notice to the responsible unit's head, a
deadline for the answer, handling notes, and closing with the result. Each step is a
`SupervisionRecord`; closing resolves every open oversight order of the case."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ValidationFailed

from ..models import OversightAction, OversightOrder, SupervisionRecord, SupervisionStep
from .notify import heads_or_above, notify

SUBJECT_KINDS = ("case", "complaint")
TEXT_MAX = 2000


def _subject_orders(*, actor, kind: str, number: str) -> list[OversightOrder]:
    """The open queue oversight orders of one case or complaint the actor may see, locked; only a
    supervisor (or a superuser) works the queue."""
    from ..selectors.alerts import oversight_orders_visible

    staff = getattr(actor, "staff", None)
    if not (actor.is_superuser or (staff and staff.has_role("supervisor"))):
        raise PermissionDenied(_("只有监察人员可以办理督办事项"))
    if kind not in SUBJECT_KINDS:
        raise NotFound(_("督办事项不存在"))
    number = (number or "").strip().upper()
    subject = {f"alert__{kind}__number": number}
    mine = oversight_orders_visible(viewer=actor).filter(
        action=OversightAction.SUPERVISOR_QUEUE, **subject
    )
    rows = list(
        mine.filter(resolved=False)
        .select_for_update(of=("self",))
        .select_related("alert__case", "alert__complaint", "alert__unit")
        .order_by("alert__due_on", "pk")
    )
    if not rows:
        if mine.exists():
            raise Conflict(_("该督办事项已办结"), code=ErrorCode.RESOLVED)
        raise NotFound(_("督办事项不存在"))
    return rows


def _text(value: str, *, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, field=field)
    if len(text) > TEXT_MAX:
        raise ValidationFailed(_("内容不能超过%(n)s字") % {"n": TEXT_MAX}, field=field)
    return text


def _record(rows: list[OversightOrder], *, actor, step: str, text: str, due_on=None):
    alert = rows[0].alert
    return SupervisionRecord.objects.create(
        case=alert.case, complaint=alert.complaint, step=step, text=text, due_on=due_on, actor=actor
    )


def _subject(rows: list[OversightOrder]) -> tuple[str, str]:
    """(number, link) of the case or complaint the oversight orders are about."""
    alert = rows[0].alert
    if alert.case is not None:
        return alert.case.number, f"/cases/{alert.case.number}/"
    assert alert.complaint is not None  # an alert is of a case or of a complaint
    return alert.complaint.number, f"/supervision/complaints/{alert.complaint.number}/"


@transaction.atomic
def supervision_notice(*, actor, kind: str, number: str, text: str) -> SupervisionRecord:
    """督办通知: the responsible unit's head (or, for a station, the nearest head above) is
    told in the app what the supervisor asks; the notice is recorded on the case."""
    rows = _subject_orders(actor=actor, kind=kind, number=number)
    text = _text(text, field="text", message=_("请填写督办通知内容"))
    heads = heads_or_above(rows[0].alert.unit)
    if not heads:
        raise ValidationFailed(_("责任单位及其上级没有单位负责人，无法发送督办通知"), field="text")
    number, link = _subject(rows)
    notify(users=heads, text=_("督办通知（%(n)s）：%(t)s") % {"n": number, "t": text}, link=link)
    return _record(rows, actor=actor, step=SupervisionStep.NOTICE, text=text)


@transaction.atomic
def supervision_deadline_set(
    *, actor, kind: str, number: str, due_on: dt.date | None, text: str = ""
) -> SupervisionRecord:
    """督办期限: the day by which the responsible unit must have answered; today or later."""
    rows = _subject_orders(actor=actor, kind=kind, number=number)
    if due_on is None:
        raise ValidationFailed(_("请填写督办期限"), field="due_on")
    if due_on < timezone.localdate():
        raise ValidationFailed(_("督办期限不能早于今天"), field="due_on")
    note = (text or "").strip()[:TEXT_MAX] or _("督办期限：%(d)s") % {"d": due_on.isoformat()}
    return _record(rows, actor=actor, step=SupervisionStep.DEADLINE, text=note, due_on=due_on)


@transaction.atomic
def supervision_note(*, actor, kind: str, number: str, text: str) -> SupervisionRecord:
    """A handling note: what was found or done (call, visit, the unit's explanation)."""
    rows = _subject_orders(actor=actor, kind=kind, number=number)
    text = _text(text, field="text", message=_("请填写处理记录"))
    return _record(rows, actor=actor, step=SupervisionStep.NOTE, text=text)


@transaction.atomic
def supervision_close(*, actor, kind: str, number: str, result: str) -> SupervisionRecord:
    """Close the case's supervision with its result: every open oversight order of it is resolved
    with that note."""
    rows = _subject_orders(actor=actor, kind=kind, number=number)
    result = _text(result, field="text", message=_("请填写督办结果"))
    for row in rows:
        row.resolved, row.resolved_by, row.resolved_note = True, actor, result
    OversightOrder.objects.bulk_update(rows, ["resolved", "resolved_by", "resolved_note"])
    return _record(rows, actor=actor, step=SupervisionStep.CLOSE, text=result)
