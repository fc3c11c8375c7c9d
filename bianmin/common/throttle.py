"""Guesses at the public checks of (number, last four phone digits): the status lookup, the
complaint lookup (投诉查询, the status lookup's settings and address counter) and the follow-up
rating (追评, rectification number + phone digits).

Four digits are only 10,000 possibilities, so wrong pairs are counted per client address and per
number (hashed: the counter must not become a list of real numbers). Once either key has
`max_failures` wrong pairs within `window`, the check asks for a picture challenge
(`bianmin.common.challenge`) before it looks at the pair, until that key's window ends. It never
locks a number: a lock would let anyone who knows a case number shut its owner out, renewably,
while a challenge only slows the guesser and the owner solves it and gets through. An address that
goes on failing (wrong pairs or wrong challenge answers) up to `flood_failures` within the window
is refused with 429 and `Retry-After` for `block_time`: that stops a flood from one address and
cannot touch an owner elsewhere. Every failure is logged. Counters live in the database so every
app process counts the same guesses.

Each kind of check counts on its own keys (`Limit.ip_prefix`, `Limit.number_prefix`) and reads its
own settings, falling back to the status lookup's (BIANMIN_STATUS_*; BIANMIN_RATING_* for the
follow-up rating): MAX_FAILURES (5) wrong pairs on a number or an address before the challenge;
WINDOW_SECONDS (900) how long failures count; FLOOD_FAILURES (30) failures from one address
within the window before it is refused; BLOCK_SECONDS (one window) how long it is refused.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from bianmin.common.challenge import Answer, challenge_error, challenge_passes
from bianmin.common.errors import DomainError, ErrorCode

from .models import LookupThrottle

logger = logging.getLogger("bianmin.portal.status")


class TooManyAttempts(DomainError):
    status = 429
    code = ErrorCode.TOO_MANY_ATTEMPTS


@dataclass(frozen=True)
class Limit:
    """One kind of guarded check: its key prefixes, its settings and its refusal message."""

    name: str  # for the log
    setting: str  # BIANMIN_<setting>_MAX_FAILURES etc.
    ip_prefix: str
    number_prefix: str
    message: str | Promise  # gettext_lazy, with %(m)s minutes


LOOKUP = Limit(
    name="status lookup",
    setting="STATUS",
    ip_prefix="ip",
    number_prefix="case",
    message=gettext_lazy("您所在网络查询错误次数过多，请 %(m)s 分钟后再试"),
)
# Complaint numbers are checked like case numbers: the same settings, and wrong guesses from one
# address count on the same counter whichever of the two lookups they try.
COMPLAINT_LOOKUP = Limit(
    name="complaint lookup",
    setting=LOOKUP.setting,
    ip_prefix=LOOKUP.ip_prefix,
    number_prefix="complaint",
    message=LOOKUP.message,
)
FOLLOW_UP = Limit(
    name="follow-up rating",
    setting="RATING",
    ip_prefix="rate-ip",
    number_prefix="rate",
    message=gettext_lazy("您所在网络追评时整改编号或手机号后四位错误次数过多，请 %(m)s 分钟后再试"),
)


def _setting(limit: Limit, what: str, default):
    value = getattr(settings, f"BIANMIN_{limit.setting}_{what}", None)
    if value is None and limit.setting != LOOKUP.setting:
        value = getattr(settings, f"BIANMIN_{LOOKUP.setting}_{what}", None)
    return default if value is None else value


def max_failures(limit: Limit = LOOKUP) -> int:
    return int(_setting(limit, "MAX_FAILURES", 5))


def window(limit: Limit = LOOKUP) -> dt.timedelta:
    return dt.timedelta(seconds=int(_setting(limit, "WINDOW_SECONDS", 900)))


def flood_failures(limit: Limit = LOOKUP) -> int:
    """Failures from one address within the window after which that address is refused."""
    return int(_setting(limit, "FLOOD_FAILURES", 30))


def block_time(limit: Limit = LOOKUP) -> dt.timedelta:
    """How long a flooding address stays refused (default: one window)."""
    seconds = _setting(limit, "BLOCK_SECONDS", None)
    return dt.timedelta(seconds=int(seconds)) if seconds is not None else window(limit)


class Keys(NamedTuple):
    address: str
    number: str


def keys_for(*, ip: str, number: str, limit: Limit = LOOKUP) -> Keys:
    digest = hashlib.sha256((number or "").strip().upper().encode()).hexdigest()[:32]
    return Keys(f"{limit.ip_prefix}:{ip or 'unknown'}"[:80], f"{limit.number_prefix}:{digest}")


def needs_challenge(keys: Keys, *, limit: Limit = LOOKUP) -> bool:
    """Whether the number or the address has failed `max_failures` times in its current window."""
    since = timezone.now() - window(limit)
    return LookupThrottle.objects.filter(
        key__in=keys, failures__gte=max_failures(limit), window_started__gte=since
    ).exists()


def guard(keys: Keys, *, limit: Limit = LOOKUP, answer: Answer | None = None) -> None:
    """Before a pair is checked: refuse (429) a flooding address, the message and `retry_after`
    saying how long to wait; ask for the picture challenge (403 `captcha_required`, or
    `captcha_invalid` for a wrong answer, which counts against the address) while either key
    has failed too often."""
    now = timezone.now()
    blocked = (
        LookupThrottle.objects.filter(key=keys.address, blocked_until__gt=now)
        .values_list("blocked_until", flat=True)
        .first()
    )
    if blocked is not None:
        seconds = int((blocked - now).total_seconds()) + 1
        raise TooManyAttempts(
            str(limit.message) % {"m": max(1, (seconds + 59) // 60)},
            extra={"retry_after": seconds},
        )
    if needs_challenge(keys, limit=limit) and not challenge_passes(answer):
        if answer is not None and answer.key:
            _count(keys.address, limit=limit, now=now)
        raise challenge_error(answer)


def _count(key: str, *, limit: Limit, now: dt.datetime) -> None:
    """Count one failure on `key` in its window; block it when it is an address that floods."""
    with transaction.atomic():
        row = LookupThrottle.objects.select_for_update(of=("self",)).filter(key=key).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = LookupThrottle.objects.create(key=key, failures=0, window_started=now)
            except IntegrityError:
                row = LookupThrottle.objects.select_for_update(of=("self",)).get(key=key)
        if now - row.window_started > window(limit) and (
            row.blocked_until is None or row.blocked_until <= now
        ):
            row.failures, row.window_started, row.blocked_until = 0, now, None
            row.save()
        LookupThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
        row.refresh_from_db()
        if row.failures == max_failures(limit):
            logger.warning("%s asks for a challenge: key=%s", limit.name, key)
        flooding = key.startswith(f"{limit.ip_prefix}:") and row.failures >= flood_failures(limit)
        if flooding and (row.blocked_until is None or row.blocked_until <= now):
            row.blocked_until = now + block_time(limit)
            row.save(update_fields=["blocked_until"])
            logger.warning(
                "%s blocked: key=%s failures=%s until=%s",
                limit.name,
                key,
                row.failures,
                row.blocked_until.isoformat(),
            )


def record_failure(keys: Keys, *, ip: str, number: str, limit: Limit = LOOKUP) -> None:
    """Count one wrong pair against the address and the number."""
    now = timezone.now()
    for key in keys:
        _count(key, limit=limit, now=now)
    logger.warning("%s failed: ip=%s number=%s", limit.name, ip, (number or "")[:60])
