"""Short messages (短信) to applicants: the templates administrators edit and the outbox.

The outbox row is written in the transaction of the event it tells about, so a message exists
exactly when the event does; the worker sends it afterwards (`services.sms_send`).
"""

import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import AppendOnly, TimeStampedModel


class SmsCode(models.TextChoices):
    """The moments an applicant is told about (issue 14 item 2)."""

    NOTICE = "notice", _("一次性告知")
    ACCEPTED = "accepted", _("受理")
    DECIDED = "decided", _("决定/办结")
    READY = "ready", _("结果可领取")
    RATING = "rating", _("评价邀请")
    COMPLAINT_REPLY = "complaint_reply", _("投诉答复")


# What a template may say: the callers fill these (and `site`, the public address, everywhere).
PLACEHOLDERS = (
    "case_number", "item", "unit", "due_on", "result", "materials", "link", "complaint_number",
    "site",
)  # fmt: skip


def placeholders_in(text: str) -> list[str]:
    """The placeholder names of `text` in order of first use; ValueError on a broken brace."""
    names: list[str] = []
    for _literal, name, _spec, _conv in string.Formatter().parse(text):
        if name is not None and name not in names:
            names.append(name)
    return names


class SmsTemplate(TimeStampedModel):
    code = models.CharField(_("用途"), max_length=30, choices=SmsCode.choices, unique=True)
    text = models.TextField(
        _("短信内容"),
        help_text=format_lazy(
            "{}{}", _("可用占位符："), "、".join(f"{{{name}}}" for name in PLACEHOLDERS)
        ),
    )
    # A provider sends only templates it has approved: their id there (e.g. Aliyun SMS_123456).
    provider_template = models.CharField(
        _("服务商模板编号"),
        max_length=40,
        blank=True,
        help_text=_("使用短信服务商发送时必填：在服务商处审核通过的模板编号"),
    )
    enabled = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("短信模板")
        verbose_name_plural = _("短信模板")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.get_code_display()

    def clean(self) -> None:
        try:
            names = placeholders_in(self.text)
        except ValueError:
            raise ValidationError(
                {"text": _("花括号不成对：占位符应写成 {case_number} 这样的形式")}
            ) from None
        unknown = [n for n in names if n not in PLACEHOLDERS]
        if unknown:
            raise ValidationError(
                {"text": _("未知的占位符：%(n)s") % {"n": "、".join(f"{{{n}}}" for n in unknown)}}
            )


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")
    # Recorded so staff can see why an applicant heard nothing: no mobile number, template off.
    SKIPPED = "skipped", _("未发送")


class SmsMessage(TimeStampedModel):
    """One message in the outbox."""

    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    code = models.CharField(_("用途"), max_length=30, choices=SmsCode.choices)
    text = models.TextField(_("短信内容"), blank=True)
    # The placeholders the template uses, filled, and the provider's approved template id: a
    # provider sends its own copy of the template with these.
    params = models.JSONField(_("模板参数"), default=dict, blank=True)
    provider_template = models.CharField(_("服务商模板编号"), max_length=40, blank=True)
    # The case or complaint number it is about (plain text: this app sits below both).
    reference = models.CharField(_("关联编号"), max_length=40, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("发送次数"), default=0)
    # When the next attempt is due (a retry's backoff, or a claimed send's lease).
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    provider_id = models.CharField(_("服务商回执编号"), max_length=64, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("短信发件箱")
        verbose_name_plural = _("短信发件箱")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sms_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_code_display()} {self.reference} {self.phone}"


class SmsEvent(AppendOnly):
    """Append-only log of a message's status changes (sent, failed, queued again), written by the
    workflow engine (`sms.workflow`): a failed message queued again kept no other trace."""

    message = models.ForeignKey(SmsMessage, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=10)
    from_state = models.CharField(_("原状态"), max_length=10)
    to_state = models.CharField(_("新状态"), max_length=10)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("短信记录")
        verbose_name_plural = _("短信记录")

    def __str__(self) -> str:
        return f"{self.message_id} {self.action}"
