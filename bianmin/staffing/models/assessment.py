"""Assessment and subsidy (绩效考核/补助)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


class AssessmentScheme(TimeStampedModel):
    """Weights, grade bands and subsidy factors; the newest active scheme applies."""

    name = models.CharField(_("名称"), max_length=100)
    # {"cases": 20, "on_time": 25, ...}: relative weights of the components.
    weights = models.JSONField(_("权重"))
    # [[90, "excellent"], [80, "good"], [60, "pass"]]: lowest score of each grade, high to low.
    bands = models.JSONField(_("等次分数线"))
    case_target = models.PositiveIntegerField(_("办件量满分线"), default=20)
    # {"excellent": 1.2, "good": 1.0, "pass": 0.8, "fail": 0}: subsidy multiplier per grade.
    grade_factors = models.JSONField(_("补助系数"))
    base_points = models.PositiveIntegerField(_("补助基础分"), default=10)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")

    def __str__(self) -> str:
        return self.name


class Assessment(TimeStampedModel):
    """One person's assessment for one period, computed from the data and kept with its inputs."""

    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="assessments")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("考核期起"))
    period_end = models.DateField(_("考核期止"))
    scheme = models.JSONField(_("适用方案"))  # the weights and bands used, as they were
    metrics = models.JSONField(_("考核数据"))  # raw counts
    components = models.JSONField(_("分项得分"))  # 0..1 per component
    case_ids = models.JSONField(_("所涉办件"), default=list)
    score = models.DecimalField(_("计算得分"), max_digits=5, decimal_places=2)
    adjustment = models.DecimalField(_("负责人调整"), max_digits=5, decimal_places=2, default=0)
    adjustment_reason = models.TextField(_("调整理由"), blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    final_score = models.DecimalField(_("最终得分"), max_digits=5, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-period_end", "unit", "staff"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "period_start", "period_end"], name="assessment_once_per_period"
            ),
        ]
        verbose_name = _("绩效考核")
        verbose_name_plural = _("绩效考核")

    def __str__(self) -> str:
        return f"{self.staff} {self.period_start}~{self.period_end} {self.get_grade_display()}"


class SubsidyPlan(TimeStampedModel):
    """A county's agent subsidy for a year, shared out of its budget."""

    region = models.ForeignKey("orgs.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    budget = models.DecimalField(_("年度预算(元)"), max_digits=12, decimal_places=2)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="subsidy_plan_once_a_year"),
        ]
        verbose_name = _("代办员补助")
        verbose_name_plural = _("代办员补助")

    def __str__(self) -> str:
        return f"{self.region} {self.year}"


class SubsidyLine(models.Model):
    plan = models.ForeignKey(SubsidyPlan, on_delete=models.CASCADE, related_name="lines")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("等次"), max_length=10, choices=Grade.choices)
    cases = models.PositiveIntegerField(_("办件数"))
    points = models.DecimalField(_("分值"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("补助金额(元)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["plan", "staff__unit__region__code", "staff"]

    def __str__(self) -> str:
        return f"{self.staff} {self.amount}"
