"""Rate limits for the public checks of (number, last four phone digits): the status lookup, the
complaint lookup (投诉查询, the status lookup's limit and address counter) and the follow-up rating
(追评, rectification number + phone digits).

Four digits are only 10,000 possibilities, so wrong guesses are counted per client address and per
number (hashed: the counter must not become a list of real numbers). After `max_failures` wrong
pairs within `window`, that key is denied for `block_time` (default: one window), even for the
right pair; every failure is logged. Counters live in the database so every app process counts the
same guesses.

Each kind of check counts on its own keys (`Limit.ip_prefix`, `Limit.number_prefix`) and reads its
own settings, falling back to the status lookup's: BIANMIN_STATUS_MAX_FAILURES /
BIANMIN_STATUS_WINDOW_SECONDS / BIANMIN_STATUS_BLOCK_SECONDS, and for the follow-up rating
BIANMIN_RATING_MAX_FAILURES / BIANMIN_RATING_WINDOW_SECONDS / BIANMIN_RATING_BLOCK_SECONDS.
"""

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bianmin.common.errors import DomainError

from .models import LookupThrottle

logger = logging.getLogger("bianmin.portal.status")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


@dataclass(frozen=True)
class Limit:
    """One kind of guarded check: its key prefixes, its settings and its refusal message."""

    name: str  # for the log
    setting: str  # BIANMIN_<setting>_MAX_FAILURES etc.
    ip_prefix: str
    number_prefix: str
    message: str  # gettext_lazy, with %(m)s minutes


LOOKUP = Limit(
    name="status lookup",
    setting="STATUS",
    ip_prefix="ip",
    number_prefix="case",
    message=gettext_lazy("查询错误次数过多，请 %(m)s 分钟后再试"),
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
    message=gettext_lazy("追评时整改编号或手机号后四位错误次数过多，请 %(m)s 分钟后再试"),
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


def block_time(limit: Limit = LOOKUP) -> dt.timedelta:
    """How long a key stays blocked once it reached the limit (default: one window)."""
    seconds = _setting(limit, "BLOCK_SECONDS", None)
    return dt.timedelta(seconds=int(seconds)) if seconds is not None else window(limit)


def keys_for(*, ip: str, number: str, limit: Limit = LOOKUP) -> list[str]:
    digest = hashlib.sha256((number or "").strip().upper().encode()).hexdigest()[:32]
    return [f"{limit.ip_prefix}:{ip or 'unknown'}"[:80], f"{limit.number_prefix}:{digest}"]


def check(keys: list[str], *, limit: Limit = LOOKUP) -> None:
    """Refuse (429) while any key is blocked; the message says how long to wait."""
    now = timezone.now()
    blocked = (
        LookupThrottle.objects.filter(key__in=keys, blocked_until__gt=now)
        .order_by("-blocked_until")
        .values_list("blocked_until", flat=True)
        .first()
    )
    if blocked is not None:
        minutes = max(1, int((blocked - now).total_seconds() + 59) // 60)
        raise TooManyAttempts(
            str(limit.message) % {"m": minutes},
            extra={"retry_after": int((blocked - now).total_seconds()) + 1},
        )


def record_failure(keys: list[str], *, ip: str, number: str, limit: Limit = LOOKUP) -> None:
    """Count one wrong pair against every key; block a key that reached the limit."""
    now = timezone.now()
    most = max_failures(limit)
    for key in keys:
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
            if row.failures >= most and (row.blocked_until is None or row.blocked_until <= now):
                row.blocked_until = now + block_time(limit)
                row.save(update_fields=["blocked_until"])
                logger.warning(
                    "%s blocked: key=%s failures=%s until=%s",
                    limit.name,
                    key,
                    row.failures,
                    row.blocked_until.isoformat(),
                )
    logger.warning("%s failed: ip=%s number=%s", limit.name, ip, (number or "")[:60])
