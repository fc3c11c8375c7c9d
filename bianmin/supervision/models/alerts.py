"""Alerts per clock, the notifications they send, and the warning thresholds."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .complaints import Complaint


class Clock(models.TextChoices):
    """The clocks supervision watches (RULES.md "Supervision", "Time limits")."""

    CASE = "case", _("办结时限")
    STEP = "step", _("环节时限")
    PROXY = "proxy", _("代办时限")
    # A relay hop (a unit that neither accepts nor decides passes the case on) has its own
    # holding limit (BIANMIN_RELAY_HOLD_DAYS, default 1 working day).
    RELAY = "relay", _("中转时限")
    DEFERRED_MATERIAL = "deferred_material", _("容缺材料补交期限")
    DELIVERY = "delivery", _("送达时限")
    COMPLAINT_DECISION = "complaint_decision", _("投诉处理期限")
    COMPLAINT_REPLY = "complaint_reply", _("投诉答复期限")


class Level(models.TextChoices):
    YELLOW = "yellow", _("预警(黄牌)")
    RED = "red", _("超时(红牌)")


class Alert(models.Model):
    """One transition of one clock into yellow or red.

    `subject` names what the clock runs for ("case:12", "step:40", "material:7", "complaint:3");
    the unique constraint on (subject, clock, level, due_on) makes the sweep idempotent: the same
    state of the same deadline is recorded (and notified) once. A deadline that moves (extension,
    recomputed provisional date) is a new deadline and may warn again.
    """

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="supervision_alerts",
    )
    clock = models.CharField(_("时限"), max_length=20, choices=Clock.choices)
    subject = models.CharField(_("对象"), max_length=40)
    level = models.CharField(_("级别"), max_length=6, choices=Level.choices)
    due_on = models.DateField(_("期限"))
    limit_days = models.IntegerField(_("时限(工作日)"))
    days_left = models.IntegerField(_("剩余工作日"))  # negative: working days over
    detail = models.CharField(_("说明"), max_length=300)
    raised_on = models.DateField(_("发出日期"))
    raised_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    notified = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("已通知"), blank=True, related_name="+"
    )
    oversight_ordered = models.BooleanField(_("已升级"), default=False)

    class Meta:
        ordering = ["-raised_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "clock", "level", "due_on"], name="supervision_alert_once"
            )
        ]
        indexes = [models.Index(fields=["level", "raised_on"])]
        verbose_name = _("监察预警")
        verbose_name_plural = _("监察预警")

    def __str__(self) -> str:
        return f"{self.subject} {self.clock} {self.level}"


class Notification(models.Model):
    """A message to one user in the system (预警通知); read in the notification list."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="supervision_notifications",
    )
    text = models.CharField(_("内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=200, blank=True)
    read = models.BooleanField(_("已读"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    # What the notification is about ("complaint:12:filed", "rectification:4:overdue:2026-12-01"):
    # a job that runs again does not notify the same person of the same thing twice.
    key = models.CharField(_("通知事由"), max_length=80, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="supervision_notification_once",
            )
        ]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.text[:40]


class WarningThreshold(models.Model):
    """Per-item yellow threshold; items without a row use the settings defaults
    (`BIANMIN_WARNING_DAYS_BEFORE` = 1, `BIANMIN_WARNING_PERCENT_LEFT` = 20)."""

    item = models.OneToOneField(
        "catalog.Item",
        verbose_name=_("事项"),
        on_delete=models.CASCADE,
        related_name="warning_threshold",
    )
    days_before = models.PositiveSmallIntegerField(_("提前预警工作日"), default=1)
    percent_left = models.PositiveSmallIntegerField(_("剩余时限百分比"), default=20)

    class Meta:
        verbose_name = _("预警阈值")
        verbose_name_plural = _("预警阈值")

    def __str__(self) -> str:
        return f"{self.item}: {self.days_before} / {self.percent_left}%"
