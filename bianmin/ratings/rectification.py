"""The rectification services (差评整改): open, act (through the common engine with the table in
`workflow.py`), follow up.

RULES.md "Ratings": every bad rating (2 or 1) is called back within 1 working day (every named bad
rating, 100%); the applicant may give one follow-up rating, which closes the rectification; a bad
rating changed to a good one before anybody called back withdraws it. Every change appends a
`RectificationEvent`.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.challenge import Answer
from bianmin.common.errors import Conflict, ErrorCode, NotFound, ValidationFailed
from bianmin.common.validators import phone_tail_matches
from bianmin.common.workflow import transition
from bianmin.workdays import calendar

from .models import BAD_LEVELS, Rating, RatingKind, Rectification
from .models import RectState as S
from .notify import rectification_opened_notify
from .workflow import (
    ACTION_LABELS,
    ACTIONS,
    RectificationMachine,
    actions_for,
    find,
    rectification_event_record,
    rectify_workdays,
)

__all__ = [  # the table's names too: pages and the API read them through the services
    "ACTIONS",
    "ACTION_LABELS",
    "actions_for",
    "find",
    "follow_up_verify",
    "on_rating_changed",
    "rating_follow_up",
    "rectification_act",
    "rectification_open",
    "rectify_workdays",
]

CALLBACK_WORKDAYS = 1  # RULES.md "Ratings": call back within 1 working day.


def rectification_act(
    *,
    rectification: Rectification,
    action: str,
    actor,
    expected_version: int | None = None,
    note: str = "",
    **params,
) -> Rectification:
    """Apply `action` to a rectification as `actor`, per `workflow.TABLE` (409 on an illegal move
    or a stale `expected_version`, 403 when the role or unit does not fit), and append its event."""
    return transition(
        RectificationMachine(),
        rectification,
        action=action,
        actor=actor,
        expected_version=expected_version,
        note=note,
        **params,
    )


def _number(rating: Rating) -> str:
    return f"ZG-{rating.case.number}-{rating.channel[:2].upper()}"


def rectification_open(*, rating: Rating, actor=None) -> Rectification:
    """Open the rectification of a bad rating; the call-back is due 1 working day later."""
    today = timezone.localdate(rating.rated_at)
    rect = Rectification.objects.create(
        number=_number(rating),
        rating=rating,
        case=rating.case,
        unit=rating.unit,
        staff_user=rating.staff_user,
        state=S.OPEN,
        opened_on=today,
        callback_due=calendar.add_workdays(today, CALLBACK_WORKDAYS).date,
    )
    rectification_event_record(
        rect,
        action="open",
        from_state="",
        to_state=S.OPEN,
        actor=None,
        data={"level": rating.level, "named": rating.named, "callback_due": str(rect.callback_due)},
    )
    rectification_opened_notify(rect)
    return rect


def on_rating_changed(rating: Rating, *, actor=None) -> None:
    """Called by `rating_submit`: a new bad rating opens a rectification; a bad rating changed to a
    good one within the edit window withdraws it if nobody has called back yet."""
    rect = Rectification.objects.filter(rating=rating).first()
    bad = rating.level in BAD_LEVELS
    if rect is None:
        if bad:
            rectification_open(rating=rating, actor=actor)
        return
    if not bad and rect.state == S.OPEN:
        rectification_act(rectification=rect, action="withdraw", actor=None)
        return
    rectification_event_record(
        rect,
        action="rating_edited",
        from_state=rect.state,
        to_state=rect.state,
        actor=None,
        data={"level": rating.level},
    )


def follow_up_verify(
    *, number: str, phone_tail: str, ip: str, answer: Answer | None = None
) -> Rectification:
    """The rectification for a (rectification number, last four phone digits) pair, or NotFound.

    The public follow-up rating (追评) is reached without a login, so it is guarded like the status
    lookup (`bianmin.portal.throttle`, its own FOLLOW_UP counters): a wrong pair is answered the
    same whether the number exists or not (no enumeration of rectification numbers) and counts as
    a failure per client address and per number; past a few, the picture challenge `answer` must
    be solved first, and a flooding address is refused (429). Not transactional on purpose: a
    failure must stay counted when the request then fails.
    """
    from bianmin.common import throttle

    number = (number or "").strip()
    keys = throttle.keys_for(ip=ip, number=number, limit=throttle.FOLLOW_UP)
    throttle.guard(keys, limit=throttle.FOLLOW_UP, answer=answer)
    if not (phone_tail or "").strip():
        raise ValidationFailed(_("请填写办件登记手机号的后四位"), field="phone_tail")
    rect = (
        Rectification.objects.select_related("case").filter(number=number).first()
        if number
        else None
    )
    if rect is None or not phone_tail_matches(rect.case.phone, phone_tail):
        throttle.record_failure(keys, ip=ip, number=number, limit=throttle.FOLLOW_UP)
        raise NotFound(_("整改编号或手机号后四位不正确"), code=ErrorCode.NO_MATCH)
    return rect


@transaction.atomic
def rating_follow_up(
    *,
    rectification: Rectification,
    level: int,
    comment: str = "",
    phone_tail: str | None = None,
    actor=None,
) -> Rating:
    """The applicant's one follow-up rating after rectification or explanation (RULES.md
    "Ratings": one follow-up rating after rectification); it closes the rectification."""
    from .services import level_checked

    level = level_checked(level)
    rect = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "case")
        .get(pk=rectification.pk)
    )
    if Rating.objects.filter(follows=rect.rating).exists():
        raise Conflict(_("已追评过一次，不能再次追评"), code=ErrorCode.ALREADY_FOLLOWED_UP)
    if find("follow_up", rect.state) is None:
        raise Conflict(_("整改处理完成后才能追评"), code=ErrorCode.NOT_READY)
    named = getattr(actor, "is_authenticated", False)
    if phone_tail not in (None, ""):
        if not phone_tail_matches(rect.case.phone, phone_tail):
            raise ValidationFailed(_("手机号后四位与办件登记的联系电话不符"), field="phone_tail")
        named = True
    original = rect.rating
    try:
        with transaction.atomic():
            follow = Rating.objects.create(
                case=rect.case,
                kind=RatingKind.FOLLOW_UP,
                channel=original.channel,
                level=level,
                comment=(comment or "").strip(),
                named=named,
                unit=original.unit,
                intake_unit=original.intake_unit,
                staff_user=original.staff_user,
                rated_by=actor if getattr(actor, "is_authenticated", False) else None,
                rated_at=timezone.now(),
                follows=original,
            )
    except IntegrityError as exc:
        raise Conflict(_("已追评过一次，不能再次追评"), code=ErrorCode.ALREADY_FOLLOWED_UP) from exc
    rectification_act(
        rectification=rect, action="follow_up", actor=None, note=follow.comment, level=level
    )
    return follow
