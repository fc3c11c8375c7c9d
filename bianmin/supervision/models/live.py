"""The dashboard's figures of each live case, kept between boards (`selectors/live_cases.py`).

A live case is one no closed month stores (`settled.live`): unfinished, settled this month, or
final with neither date. What a board reads of it hardly changes from one board to the next: its
region, unit and state, the days its worst clock turns yellow and red (a clock's colour only
worsens while nothing happens to the case), the working days its custody hops spent at each tier
up to the hop it is still at, and the irregularities found on it. So each is computed once and
again only after an event on the case (found by the events newer than the newest `events_upto`,
and by `seq`, the case's event count, no longer matching), or when what they were computed with
changed (`basis`: the calendar, the warning thresholds, the relay limit, the units' tiers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LiveCase(models.Model):
    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    seq = models.PositiveIntegerField(_("事件序号"))
    # The newest case event when the row was computed: every live case had a row then.
    events_upto = models.BigIntegerField(_("已核对的事件"))
    basis = models.CharField(_("计算依据"), max_length=32)
    since = models.DateField(_("计算日期"))
    region_code = models.CharField(max_length=12)
    unit_id = models.IntegerField()
    state = models.CharField(max_length=20)
    settled_on = models.DateField(null=True)  # closed, else concluded (final cases)
    yellow_on = models.DateField(null=True)
    red_on = models.DateField(null=True)
    # The day its first deferred material is late (the day after its due day).
    material_late_on = models.DateField(null=True)
    # What the lists read of it (`listed.Listed`; names looked up when read).
    number = models.CharField(max_length=40)
    item_version_id = models.IntegerField(null=True)
    assigned_to_id = models.IntegerField(null=True)
    can_accept = models.BooleanField(default=False)
    arrived_on = models.DateField(null=True)
    # [its clocks, its deferred materials] (`listed.deadlines_json`, `listed.materials_json`)
    listing = models.JSONField(default=list)
    # Tier figures: working days of the hops that ended, the tiers the case was at, and the hop
    # still running to today (open_tier blank when none).
    village_days = models.IntegerField(default=0)
    township_days = models.IntegerField(default=0)
    county_days = models.IntegerField(default=0)
    at_village = models.BooleanField(default=False)
    at_township = models.BooleanField(default=False)
    at_county = models.BooleanField(default=False)
    open_tier = models.CharField(max_length=10, blank=True)
    open_since = models.DateField(null=True)
    # [[kind, value], ...] as `irregular_cases.Irregular` (None when none).
    irregular = models.JSONField(null=True)

    class Meta:
        verbose_name = _("在办办件看板数据")
        verbose_name_plural = _("在办办件看板数据")
        # The colour counts read the index alone, in the order they group by.
        indexes = [
            models.Index(
                fields=["region_code", "unit_id", "state", "red_on", "yellow_on"],
                name="live_case_groups",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.state}"
