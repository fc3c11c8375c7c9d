"""The dashboard's figures of settled cases, stored per closed month (`selectors/settled.py`).

A case is settled when it reached a final state; it is counted in the month of the day it was
closed, else concluded. Those figures do not change with time (no running clock), so a closed
month's are computed once and summed afterwards instead of being counted again over the whole
history on every computation of a board. Any later event on a case of a stored month drops that
month, which is then computed again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SettledMonth(models.Model):
    """One closed month whose settled cases' figures are stored; `events_upto`: the newest case
    event already checked for changes to them."""

    month = models.DateField(_("月份"), unique=True)
    events_upto = models.BigIntegerField(_("已核对的事件"), default=0)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("已结办件月度数据")
        verbose_name_plural = _("已结办件月度数据")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class SettledCount(models.Model):
    """Settled cases of a month by region, current unit and state (the dashboard's groups)."""

    month = models.ForeignKey(SettledMonth, on_delete=models.CASCADE, related_name="counts")
    region_code = models.CharField(max_length=12)
    unit_id = models.IntegerField()
    state = models.CharField(max_length=20)
    cases = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "region_code"], name="settled_count_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.region_code} {self.state}: {self.cases}"


class SettledTier(models.Model):
    """Settled cases of a month by region and tier: how many were at the tier and the working
    days they spent there (the dashboard's tier figures)."""

    month = models.ForeignKey(SettledMonth, on_delete=models.CASCADE, related_name="tiers")
    region_code = models.CharField(max_length=12)
    tier = models.CharField(max_length=10)
    cases = models.PositiveIntegerField()
    workdays = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "region_code"], name="settled_tier_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.region_code} {self.tier}: {self.cases}"


class SettledIrregular(models.Model):
    """A settled case of a month with an irregularity found on the case itself (the dashboard's
    lists, `selectors/irregular_cases.py`): refused without reasons, deemed accepted, charged
    off the published fee, noticed more than once. `value`: the notices given (repeated
    notices), the item version (fees), else 0."""

    month = models.ForeignKey(SettledMonth, on_delete=models.CASCADE, related_name="irregular")
    region_code = models.CharField(max_length=12)
    kind = models.CharField(max_length=20)
    case_id = models.BigIntegerField()
    value = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "region_code"], name="settled_irregular_month")]

    def __str__(self) -> str:
        return f"{self.month} {self.kind}: {self.case_id}"
