"""Monthly reports (月报) of township centres: figures generated from the case data, never typed in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import AppendOnly, TimeStampedModel


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RECEIVED = "received", _("县级已接收")


class MonthlyReport(TimeStampedModel):
    unit = models.ForeignKey(
        "orgs.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇便民服务中心")
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ReportState.choices, default=ReportState.DRAFT
    )
    # The generated figures: refreshed while a draft, frozen from submission on.
    figures = models.JSONField(_("统计数据"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"))
    due_on = models.DateField(_("报送期限"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("报送人"),
    )
    submitted_late = models.BooleanField(_("逾期报送"), default=False)
    review_note = models.TextField(_("审核说明"), blank=True)
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("接收人"),
    )
    reminded_on = models.DateField(_("提醒日期"), null=True, blank=True)
    late_flagged_on = models.DateField(_("逾期标记日期"), null=True, blank=True)

    class Meta:
        ordering = ["-month", "unit__region__code"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="monthly_report_once"),
        ]
        verbose_name = _("月报")
        verbose_name_plural = _("月报")

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"

    @property
    def month_label(self) -> str:
        return f"{self.month:%Y-%m}"


class ReportEvent(AppendOnly):
    """Append-only log of a report: generated, reminded, flagged late, submitted, received."""

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.PROTECT, related_name="events", verbose_name=_("月报")
    )
    at = models.DateTimeField(_("时间"))
    action = models.CharField(_("操作"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("月报记录")
        verbose_name_plural = _("月报记录")

    def __str__(self) -> str:
        return f"{self.report} {self.action}"
