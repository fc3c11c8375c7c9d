"""Writes of the sms app: put a message in the outbox with its event, send one, send what is due.

Issue 14 item 2: the applicant is told by short message at the moments they act on. The message
is written in the transaction of the event (it exists exactly when the event does) and sent by
the background worker afterwards, with retries; nothing here may block or undo the event.
"""

import datetime as dt
import logging
import re
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.workflow import transition

from .models import SmsCode, SmsMessage, SmsStatus, SmsTemplate, placeholders_in
from .senders import SmsSendError, sender_get
from .workflow import SmsMachine

logger = logging.getLogger("bianmin.sms")

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# How long a claimed send keeps others off the row; after it, a crashed send is tried again.
LEASE = dt.timedelta(minutes=5)


def max_attempts() -> int:
    return int(getattr(settings, "BIANMIN_SMS_MAX_ATTEMPTS", 5))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: BIANMIN_SMS_RETRY_SECONDS (default 60) doubled per failed attempt."""
    base = int(getattr(settings, "BIANMIN_SMS_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def mobile_normalise(phone: str) -> str:
    """A mainland mobile number as 11 digits ('' when `phone` is not one: a landline cannot
    receive a short message)."""
    digits = re.sub(r"[\s-]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if MOBILE_RE.match(digits) else ""


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _message_build(*, code: str, phone: str, context: dict, reference: str) -> SmsMessage:
    fields: dict = {"code": code, "phone": phone[:20], "reference": str(reference)[:40]}
    reason = _message_fill(fields, code=code, phone=phone, context=context)
    if reason:
        fields.update(status=SmsStatus.SKIPPED, last_error=reason)
    return SmsMessage(**fields)


def _message_fill(fields: dict, *, code: str, phone: str, context: dict) -> str:
    """Fill `fields` from the template of `code`; why the message cannot be sent ('' if it can)."""
    template = SmsTemplate.objects.filter(code=code).first()
    if template is None or not template.enabled:
        return _("短信模板不存在或未启用")
    values = {k: "" if v is None else str(v) for k, v in context.items()}
    values.setdefault("site", (getattr(settings, "BIANMIN_PUBLIC_URL", "") or "").rstrip("/"))
    try:
        names = placeholders_in(template.text)
        fields["text"] = template.text.format_map(_Blank(values))
    except (ValueError, AttributeError, IndexError, KeyError) as error:
        return _("短信模板格式错误：%(e)s") % {"e": error}
    fields["params"] = {name: values.get(name, "") for name in names}
    fields["provider_template"] = template.provider_template
    mobile = mobile_normalise(phone)
    if not mobile:
        return _("没有可接收短信的手机号")
    fields["phone"] = mobile
    return ""


def sms_enqueue(*, code: str, phone: str, context: dict, reference: str = "") -> SmsMessage | None:
    """Put the message of template `code` for `phone` in the outbox, filled from `context`.

    Written in the caller's transaction, so it commits or rolls back with the event it tells
    about; the send is scheduled on the task queue once that transaction commits. Never raises:
    a missing or disabled template, a broken template or a number that is not a mobile records
    the row as skipped (未发送) with the reason, and a database error only logs.
    """
    try:
        message = _message_build(code=code, phone=phone, context=context, reference=reference)
        # A savepoint: a failed insert must not poison the caller's transaction.
        with transaction.atomic():
            message.save()
    except Exception:
        logger.exception("sms %s for %s not recorded", code, reference)
        return None
    if message.status == SmsStatus.QUEUED:
        transaction.on_commit(partial(sms_schedule, message.pk), robust=True)
    return message


def sms_schedule(message_id: int, run_after: dt.datetime | None = None) -> None:
    """Put the send of one message on the task queue. A queue that refuses only logs: the row
    stays queued and `bianmin sms_send` (the cron fallback) sends it."""
    from .tasks import sms_send_task

    try:
        task = sms_send_task if run_after is None else sms_send_task.using(run_after=run_after)
        task.enqueue(message_id)
    except Exception:
        logger.exception("sms %s not scheduled; `bianmin sms_send` will send it", message_id)


def _due(now: dt.datetime) -> Q:
    return Q(status=SmsStatus.QUEUED) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def _claim(message_id: int, now: dt.datetime) -> SmsMessage | None:
    """Take one due message for sending: a conditional update only one sender wins, holding the
    row for `LEASE` so a second worker or the cron command does not send it twice."""
    row = SmsMessage.objects.filter(_due(now), pk=message_id).first()
    if row is None:
        return None
    won = SmsMessage.objects.filter(_due(now), pk=message_id, attempts=row.attempts).update(
        attempts=F("attempts") + 1, next_attempt_at=now + LEASE
    )
    if not won:
        return None
    row.attempts += 1
    return row


def sms_send(*, message_id: int, now: dt.datetime | None = None) -> SmsMessage | None:
    """Send one queued message through the configured sender (`BIANMIN_SMS_SENDER`).

    A failure is retried with exponential backoff (`retry_delay`, re-enqueued to run after it)
    up to `BIANMIN_SMS_MAX_ATTEMPTS` attempts (default 5), then the message is failed; an error
    the provider calls permanent fails it at once. Returns None when the message is not due
    (sent already, failed, or another sender holds it).
    """
    now = now or timezone.now()
    message = _claim(message_id, now)
    if message is None:
        return None
    try:
        provider_id = sender_get().send(message)
    except Exception as error:
        permanent = isinstance(error, SmsSendError) and error.permanent
        reason = str(error)[:1000] or error.__class__.__name__
        if permanent or message.attempts >= max_attempts():
            logger.warning("sms %s failed for good: %s", message.pk, reason)
            return transition(SmsMachine(), message, action="fail", actor=None, error=reason)
        message.last_error = reason
        message.next_attempt_at = now + retry_delay(message.attempts)
        message.save(update_fields=["next_attempt_at", "last_error", "updated_at"])
        sms_schedule(message.pk, run_after=message.next_attempt_at)
        return message
    return transition(SmsMachine(), message, action="send", actor=None, provider_id=provider_id)


def sms_retry(*, message_ids) -> int:
    """Queue failed messages again from the first attempt (an administrator fixed the sender's
    settings or the template) and schedule their sends; how many."""
    failed = SmsMessage.objects.filter(pk__in=message_ids, status=SmsStatus.FAILED)
    for message in failed:
        transition(SmsMachine(), message, action="retry", actor=None)
        transaction.on_commit(partial(sms_schedule, message.pk), robust=True)
    return len(failed)


def sms_send_due(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send every queued message that is due (the cron fallback beside the worker); counts by
    resulting status."""
    now = now or timezone.now()
    ids = list(
        SmsMessage.objects.filter(_due(now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for message_id in ids:
        message = sms_send(message_id=message_id, now=now)
        if message is not None:
            counts[message.status] = counts.get(message.status, 0) + 1
    return counts


__all__ = [
    "SmsCode",
    "mobile_normalise",
    "sms_enqueue",
    "sms_retry",
    "sms_schedule",
    "sms_send",
    "sms_send_due",
]
