"""Training (培训): sessions with their attendees and hours."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.models import Staff, Unit
from bianmin.orgs.scope import scope_for

from ..access import require_manager
from ..models import TrainingAttendance, TrainingSession


def _check_attendees(actor, attendees: list[Staff]) -> None:
    scope = scope_for(actor)
    for s in attendees:
        if s.unit is None or not (actor.is_superuser or scope.can_act_for_unit(s.unit)):
            raise PermissionDenied(
                _("%(n)s 不在您的管理范围内，不能登记其培训") % {"n": s.full_name}
            )


@transaction.atomic
def training_session_create(
    *,
    actor,
    topic: str,
    organiser: Unit,
    date: dt.date,
    hours,
    attendees: list[Staff],
    note: str = "",
) -> TrainingSession:
    """Record a training session and who attended; by a head or administrator of the organiser,
    for staff within their scope."""
    require_manager(actor, organiser)
    topic = (topic or "").strip()
    if not topic:
        raise ValidationFailed(_("请填写培训主题"), field="topic")
    if date is None:
        raise ValidationFailed(_("请填写培训日期"), field="date")
    try:
        hours = Decimal(str(hours))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("学时应为数字"), field="hours") from None
    if not (Decimal("0") < hours <= Decimal("80")):
        raise ValidationFailed(_("学时应在0到80之间"), field="hours")
    if not attendees:
        raise ValidationFailed(_("请选择参训人员"), field="attendees")
    _check_attendees(actor, attendees)
    session = TrainingSession.objects.create(
        topic=topic, organiser=organiser, date=date, hours=hours, note=note, created_by=actor
    )
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, staff=s) for s in {s.pk: s for s in attendees}.values()
    )
    return session


@transaction.atomic
def training_attendance_add(
    *, session: TrainingSession, attendees: list[Staff], actor
) -> TrainingSession:
    """Add attendees to a recorded session (late sign-in sheets)."""
    require_manager(actor, session.organiser)
    _check_attendees(actor, attendees)
    have = set(session.rows.values_list("staff_id", flat=True))
    TrainingAttendance.objects.bulk_create(
        TrainingAttendance(session=session, staff=s) for s in attendees if s.pk not in have
    )
    return session
