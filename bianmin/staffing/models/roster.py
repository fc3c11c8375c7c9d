"""Duty roster (值班): the rule, the members, a month's days and the changes to them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bianmin.common.models import TimeStampedModel


class RosterMode(models.TextChoices):
    ROTATION = "rotation", _("每日轮值")
    WEEKDAY = "weekday", _("固定受理日")


class RosterRule(TimeStampedModel):
    """How a unit's duty is shared: daily rotation in order, or fixed weekdays per person."""

    unit = models.OneToOneField(
        "orgs.Unit", on_delete=models.PROTECT, related_name="roster_rule", verbose_name=_("单位")
    )
    mode = models.CharField(_("排班方式"), max_length=10, choices=RosterMode.choices)

    class Meta:
        verbose_name = _("值班规则")
        verbose_name_plural = _("值班规则")

    def __str__(self) -> str:
        return f"{self.unit} {self.get_mode_display()}"


class RosterMember(models.Model):
    rule = models.ForeignKey(RosterRule, on_delete=models.CASCADE, related_name="members")
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(_("顺序"))
    # Monday = 0 ... Sunday = 6; used in weekday mode only.
    weekdays = models.JSONField(_("受理日"), default=list, blank=True)

    class Meta:
        ordering = ["rule", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "staff"], name="roster_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rule.unit} #{self.position} {self.staff}"


class RosterMonth(models.Model):
    """A unit's roster for one month; drafts are seen by staff only, published ones by everyone."""

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("月份"))  # the first day of the month
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit", "month"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "month"], name="roster_month_once"),
        ]
        verbose_name = _("月值班表")
        verbose_name_plural = _("月值班表")

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class DutyDay(models.Model):
    """One person on duty at one unit on one day."""

    roster = models.ForeignKey(RosterMonth, on_delete=models.CASCADE, related_name="days")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("日期"))
    staff = models.ForeignKey("orgs.Staff", on_delete=models.PROTECT, related_name="duty_days")

    class Meta:
        ordering = ["unit", "date", "staff__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "date", "staff"], name="duty_day_once"),
        ]
        indexes = [models.Index(fields=["unit", "date"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.date} {self.staff}"


class DutyChangeKind(models.TextChoices):
    EDIT = "edit", _("调整")
    SWAP = "swap", _("换班")


class DutyChange(models.Model):
    """A change to a generated roster: who was on duty, who is now, why and by whom."""

    roster = models.ForeignKey(RosterMonth, on_delete=models.PROTECT, related_name="changes")
    kind = models.CharField(_("类型"), max_length=6, choices=DutyChangeKind.choices)
    date = models.DateField(_("日期"))
    from_staff = models.ForeignKey(
        "orgs.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_staff = models.ForeignKey(
        "orgs.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For a swap: the other date whose duty was exchanged.
    other_date = models.DateField(_("对调日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        ordering = ["roster", "at", "pk"]
        verbose_name = _("值班变更")
        verbose_name_plural = _("值班变更")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"
