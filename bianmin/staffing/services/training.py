"""Training (培训): the sessions organisers hold for township and village staff, and who attended."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.models import Staff, Unit

from ..models import TrainingAttendance, TrainingAudience, TrainingSession
from ..selectors.training import ORGANISER_KINDS, can_record_training, is_training_audience


def _check_attendees(organiser: Unit, attendees: list[Staff]) -> None:
    for s in attendees:
        if not is_training_audience(s, organiser):
            raise ValidationFailed(
                _("%(n)s 不是本县乡镇(街道)或村(社区)工作人员，不能登记为参训人员")
                % {"n": s.full_name},
                field="attendees",
            )


def _record(session: TrainingSession, attendees: list[Staff], actor) -> None:
    have = set(session.rows.values_list("staff_id", flat=True))
    new = {s.pk: s for s in attendees if s.pk not in have}
    # Two managers entering the same sign-in sheet at once: the person is recorded once.
    TrainingAttendance.objects.bulk_create(
        (TrainingAttendance(session=session, staff=s, recorded_by=actor) for s in new.values()),
        ignore_conflicts=True,
    )


@transaction.atomic
def training_session_create(
    *,
    actor,
    topic: str,
    organiser: Unit,
    date: dt.date | None,
    hours,
    attendees: list[Staff],
    audience: str = TrainingAudience.TOWNSHIP_AND_VILLAGE,
    note: str = "",
) -> TrainingSession:
    """Record a session the organiser held for township and village staff, and who attended.

    RULES.md "Training (汉台 2023)": the organisers are the county's approval bureau and the county
    departments that delegate items, and their duty is counted in sessions held, so a session is
    recorded once it has taken place (not in advance), by the organiser's own head or
    administrator, with the township and village staff who signed in.
    """
    if organiser.kind not in ORGANISER_KINDS:
        raise ValidationFailed(
            _("培训组织单位应为县行政审批服务局（政务服务中心）或县级部门"), field="organiser"
        )
    if not can_record_training(actor, organiser):
        raise PermissionDenied(_("只有组织单位的负责人或管理员可以登记其培训"))
    topic = (topic or "").strip()
    if not topic:
        raise ValidationFailed(_("请填写培训主题"), field="topic")
    if date is None:
        raise ValidationFailed(_("请填写培训日期"), field="date")
    if date > timezone.localdate():
        raise ValidationFailed(_("培训举办后再登记：培训日期不能晚于今天"), field="date")
    try:
        hours = Decimal(str(hours).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("学时应为数字"), field="hours") from None
    if not (Decimal("0") < hours <= Decimal("80")):
        raise ValidationFailed(_("学时应在0到80之间"), field="hours")
    if audience not in TrainingAudience.values:
        raise ValidationFailed(_("请选择培训对象"), field="audience")
    if not attendees:
        raise ValidationFailed(_("请选择参训人员"), field="attendees")
    _check_attendees(organiser, attendees)
    session = TrainingSession.objects.create(
        topic=topic,
        organiser=organiser,
        date=date,
        hours=hours,
        audience=audience,
        note=(note or "").strip(),
        created_by=actor,
    )
    _record(session, attendees, actor)
    return session


@transaction.atomic
def training_attendance_add(
    *, session: TrainingSession, attendees: list[Staff], actor
) -> TrainingSession:
    """Add attendees to a recorded session (a sign-in sheet that arrived late); those already
    recorded stay as they are."""
    if not can_record_training(actor, session.organiser):
        raise PermissionDenied(_("只有组织单位的负责人或管理员可以登记其培训"))
    if not attendees:
        raise ValidationFailed(_("请选择参训人员"), field="attendees")
    _check_attendees(session.organiser, attendees)
    _record(session, attendees, actor)
    return session
