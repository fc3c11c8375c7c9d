"""Oversight (督办) rules and the oversight orders of red alerts (a higher unit told, the supervisor's
督办 queue)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .alerts import Alert, Clock


class OversightAction(models.TextChoices):
    NOTIFY_HIGHER = "notify_higher", _("通知上级单位")
    SUPERVISOR_QUEUE = "supervisor_queue", _("移交监察督办")


class OversightRule(models.Model):
    """After `days_over` working days past a deadline, order oversight (per item and case state).

    Empty item, state or clock match every item, state or clock.
    """

    item = models.ForeignKey(
        "catalog.Item",
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="oversight_rules",
    )
    case_state = models.CharField(_("办件状态"), max_length=20, blank=True)
    clock = models.CharField(_("时限"), max_length=20, choices=Clock.choices, blank=True)
    days_over = models.PositiveSmallIntegerField(_("超时工作日"))
    action = models.CharField(_("处置"), max_length=20, choices=OversightAction.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["days_over", "pk"]
        verbose_name = _("升级规则")
        verbose_name_plural = _("升级规则")

    def __str__(self) -> str:
        return f"{self.item or '*'} {self.case_state or '*'} {self.clock or '*'} +{self.days_over}"


class OversightOrder(models.Model):
    """A red alert passed to oversight by a rule; `supervisor_queue` rows form the supervisor's queue."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="oversight_orders")
    rule = models.ForeignKey(OversightRule, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(_("处置"), max_length=20, choices=OversightAction.choices)
    target_unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ordered_on = models.DateField(_("升级日期"))
    resolved = models.BooleanField(_("已督办完毕"), default=False)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_note = models.TextField(_("督办意见"), blank=True)

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "rule"], name="supervision_escalate_once")
        ]
        verbose_name = _("升级督办")
        verbose_name_plural = _("升级督办")

    def __str__(self) -> str:
        return f"{self.alert} -> {self.action}"
