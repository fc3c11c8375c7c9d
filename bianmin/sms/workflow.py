"""The outbox message's workflow: sent, failed for good, or queued again by an administrator.
One table on the common engine (`bianmin.common.workflow`); only the system takes its rows
(`services.sms_send` after the provider answered, `services.sms_retry`). A failed attempt that
will be retried keeps the message queued: that is its backoff, not a status.
"""

from django.utils.translation import gettext_lazy as _

from bianmin.common.workflow import SYSTEM, Machine, Transition, register

from .models import SmsEvent, SmsMessage
from .models import SmsStatus as S


def e_sent(ctx) -> None:
    message = ctx.obj
    message.sent_at, message.next_attempt_at = ctx.now, None
    message.provider_id, message.last_error = str(ctx.params["provider_id"])[:64], ""


def e_failed(ctx) -> None:
    ctx.obj.next_attempt_at, ctx.obj.last_error = None, ctx.params["error"]


def e_requeued(ctx) -> None:
    """From the first attempt again: an administrator fixed the sender's settings or template."""
    ctx.obj.attempts, ctx.obj.next_attempt_at = 0, None


T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("send",  frozenset({S.QUEUED}), S.SENT,   SYSTEM, None, e_sent),
    T("fail",  frozenset({S.QUEUED}), S.FAILED, SYSTEM, None, e_failed),
    T("retry", frozenset({S.FAILED}), S.QUEUED, SYSTEM, None, e_requeued),
)
# fmt: on


@register
class SmsMachine(Machine):
    model = SmsMessage
    table = TABLE
    labels = {"send": _("发送成功"), "fail": _("发送失败"), "retry": _("重新发送")}
    states = S
    noun = _("短信")
    state_field = "status"
    version_field = None

    def allowed(self, row, obj, actor) -> bool:
        return actor is None

    def record(self, ctx, *, action, from_state, to_state, note) -> None:
        SmsEvent.objects.create(
            message=ctx.obj,
            at=ctx.now,
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )
