"""Rate limit for the public status lookup (case number + last four phone digits).

Four digits are only 10,000 possibilities, so wrong guesses are counted per client address and per
case number (hashed: the counter must not become a list of real numbers). After
BIANMIN_STATUS_MAX_FAILURES wrong pairs within BIANMIN_STATUS_WINDOW_SECONDS, that key is denied
for BIANMIN_STATUS_BLOCK_SECONDS (default: one window), even for the right pair; every failure is logged. Counters live in
the database so every app process counts the same guesses.
"""

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import DomainError

from .models import LookupThrottle

logger = logging.getLogger("bianmin.portal.status")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


def max_failures() -> int:
    return int(getattr(settings, "BIANMIN_STATUS_MAX_FAILURES", 5))


def window() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "BIANMIN_STATUS_WINDOW_SECONDS", 900)))


def block_time() -> dt.timedelta:
    """How long a key stays blocked once it reached the limit (default: one window)."""
    seconds = getattr(settings, "BIANMIN_STATUS_BLOCK_SECONDS", None)
    return dt.timedelta(seconds=int(seconds)) if seconds is not None else window()


def keys_for(*, ip: str, number: str) -> list[str]:
    digest = hashlib.sha256((number or "").strip().upper().encode()).hexdigest()[:32]
    return [f"ip:{ip or 'unknown'}"[:80], f"case:{digest}"]


def check(keys: list[str]) -> None:
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
            _("查询错误次数过多，请 %(m)s 分钟后再试") % {"m": minutes},
            extra={"retry_after": int((blocked - now).total_seconds()) + 1},
        )


def record_failure(keys: list[str], *, ip: str, number: str) -> None:
    """Count one wrong pair against every key; block a key that reached the limit."""
    now = timezone.now()
    limit = max_failures()
    for key in keys:
        with transaction.atomic():
            row = LookupThrottle.objects.select_for_update(of=("self",)).filter(key=key).first()
            if row is None:
                try:
                    with transaction.atomic():
                        row = LookupThrottle.objects.create(key=key, failures=0, window_started=now)
                except IntegrityError:
                    row = LookupThrottle.objects.select_for_update(of=("self",)).get(key=key)
            if now - row.window_started > window() and (
                row.blocked_until is None or row.blocked_until <= now
            ):
                row.failures, row.window_started, row.blocked_until = 0, now, None
                row.save()
            LookupThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1)
            row.refresh_from_db()
            if row.failures >= limit and (row.blocked_until is None or row.blocked_until <= now):
                row.blocked_until = now + block_time()
                row.save(update_fields=["blocked_until"])
                logger.warning(
                    "status lookup blocked: key=%s failures=%s until=%s",
                    key,
                    row.failures,
                    row.blocked_until.isoformat(),
                )
    logger.warning(
        "status lookup failed: ip=%s number=%s",
        ip,
        (number or "")[:60],
    )
