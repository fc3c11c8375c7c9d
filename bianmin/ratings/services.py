"""Writes for ratings (好差评). Portal pages, staff pages and the API call these."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.cases.models import Case, State
from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed
from bianmin.common.validators import phone_tail_matches
from bianmin.orgs.scope import scope_for

from .models import BAD_LEVELS, INDICATORS, Level, Rating, RatingChannel, RatingKind

# A case can be rated once its result exists: concluded (and later delivery states), or declined
# (a written refusal to accept is the result of that application).
RATEABLE_STATES = frozenset(
    {State.CONCLUDED, State.RETURNING, State.TO_DELIVER, State.CLOSED, State.DECLINED}
)


# Shown to the staff member (and the applicant) when a case is handed over for rating twice.
ONSITE_ALREADY_RATED = gettext_lazy("该办件已现场评价过，每件办件只能现场评价一次")


def rating_window() -> timedelta:
    """How long a rater may change a rating (setting BIANMIN_RATING_WINDOW_DAYS, default 7)."""
    return timedelta(days=int(getattr(settings, "BIANMIN_RATING_WINDOW_DAYS", 7)))


def level_checked(level) -> int:
    """The rating level as an int 1-5 (a first rating and a follow-up alike), or the error."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ValidationFailed(_("评价等级须为 1 至 5"), field="level")
    return level


def _check_indicators(channel: str, indicators: dict | None) -> dict:
    if not indicators:
        return {}
    allowed = INDICATORS[RatingChannel(channel)]
    clean = {}
    for key, value in indicators.items():
        if key not in allowed:
            raise ValidationFailed(_("未知的分项评价：%(key)s") % {"key": key}, field="indicators")
        clean[key] = level_checked(value)
    return clean


def responsible_unit(case: Case):
    """The unit a rating judges: the deciding unit, or the intake unit when the case was declined."""
    return case.intake_unit if case.state == State.DECLINED else case.deciding_unit


@transaction.atomic
def rating_submit(
    *,
    case: Case,
    level: int,
    comment: str = "",
    channel: str = "online",
    phone_tail: str | None = None,
    indicators: dict | None = None,
    actor=None,
) -> Rating:
    """Rate a case, or change one's online rating while the window is open.

    RULES.md "Ratings": five levels (5 非常满意 .. 1 非常不满意), one rating per case per channel
    (online, onsite), only once the case has a result. Online, submitting again within
    BIANMIN_RATING_WINDOW_DAYS (default 7) of the first submission changes the rating; after that
    it is refused. On site (GB/T 39734 评价器: the applicant rates at the window or station right
    after the service) there is no second go: the applicant has handed the device back, so a
    second on-site rating of the case is refused (409 `already_rated`). When `phone_tail` is given
    it must be the last four digits of the case's phone (`phone_tail_matches`); a matched tail
    (or a signed-in rater) makes the rating named (实名). A bad rating (2 or 1) opens a
    rectification for the responsible unit.

    On site, `actor` is the staff member who handed the tablet or phone to the applicant: they
    must be allowed to act for the case's intake unit (the station or hall that delivers), and
    the rating is recorded as named, since the applicant rates in person in front of the unit
    that knows them from intake and delivery, and with `rated_by` = that staff member, so that
    whose device and session carried the rating stays on record (the rater is the applicant;
    `staff_user` is still the first responder who is rated). Without an actor (an import from a
    stand-alone rating pad) the on-site rating is anonymous, as before.
    """
    if channel not in RatingChannel.values:
        raise ValidationFailed(_("评价渠道须为网上或现场"), field="channel")
    level = level_checked(level)
    indicators = _check_indicators(channel, indicators)
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    onsite = channel == RatingChannel.ONSITE
    signed_in = actor is not None and getattr(actor, "is_authenticated", False)
    if onsite and signed_in and not scope_for(actor).can_act_for_unit(case.intake_unit):
        raise PermissionDenied(_("只有办件收件单位的工作人员才能组织现场评价"))
    if case.state not in RATEABLE_STATES:
        raise Conflict(_("办件办结后才能评价"), code=ErrorCode.NOT_CONCLUDED)
    named = False
    if phone_tail not in (None, ""):
        if not phone_tail_matches(case.phone, phone_tail):
            raise ValidationFailed(_("手机号后四位与办件登记的联系电话不符"), field="phone_tail")
        named = True
    if signed_in:
        named = True
    now = timezone.now()
    existing = (
        Rating.objects.select_for_update(of=("self",))
        .filter(case=case, channel=channel, kind=RatingKind.INITIAL)
        .first()
    )
    comment = (comment or "").strip()
    if existing is not None and onsite:
        raise Conflict(str(ONSITE_ALREADY_RATED), code=ErrorCode.ALREADY_RATED)
    if existing is not None:
        if now - existing.rated_at > rating_window():
            raise Conflict(
                _("该办件已在此渠道评价，且已超过 %(days)s 天修改期")
                % {"days": rating_window().days},
                code=ErrorCode.RATING_WINDOW_CLOSED,
            )
        was_bad = existing.is_bad
        existing.level = level
        existing.comment = comment
        existing.indicators = indicators
        existing.named = existing.named or named
        existing.edited_at = now
        existing.edit_count += 1
        existing.save()
        _after_rating(existing, was_bad=was_bad, actor=actor)
        return existing
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case,
                kind=RatingKind.INITIAL,
                channel=channel,
                level=level,
                comment=comment,
                indicators=indicators,
                named=named,
                unit=responsible_unit(case),
                intake_unit=case.intake_unit,
                staff_user=case.first_responder,
                rated_by=actor if signed_in else None,
                rated_at=now,
            )
    except IntegrityError as exc:
        message = str(ONSITE_ALREADY_RATED) if onsite else _("该办件已在此渠道评价")
        raise Conflict(message, code=ErrorCode.ALREADY_RATED) from exc
    _after_rating(rating, was_bad=False, actor=actor)
    return rating


def _after_rating(rating: Rating, *, was_bad: bool, actor) -> None:
    """Hook for rectification; bad ratings open one (see rectification services)."""
    if rating.level in BAD_LEVELS or was_bad:
        from .rectification import on_rating_changed

        on_rating_changed(rating, actor=actor)
