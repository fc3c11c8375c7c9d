"""Closed months' figures of settled cases, stored once (`models.settled`), and the cases a board
still counts itself: the unfinished ones, those settled this month and those with no date.

A board of a region the viewer sees whole (`board.whole_region`) for today adds the stored rows
of the region's codes to what it counts over its live cases; the figures are the same as
counting every case (`tests/test_settled.py`). Before a board reads them, `settled_months`
drops the months a newer case event touched (a closed case revoked, say) and computes every
closed month not stored yet, the oldest first."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet, Sum

from bianmin.cases.models import FINAL_STATES, Case, CaseEvent, Custody, State
from bianmin.workdays import calendar

from ..models import SettledCount, SettledIrregular, SettledMonth, SettledTier
from .irregular_cases import Irregular, fee_standards, irregular_cases
from .tier_sql import tier_workdays

# Events are numbered when written and seen when committed: a transaction that took an id just
# below the checked one may commit after the check. Checking again this many ids back covers
# them (a check reads those few rows again, nothing more).
RECHECK_EVENTS = 1000
UNFINISHED = sorted(set(State.values) - FINAL_STATES)
ID_BATCH = 10_000


def enabled() -> bool:
    return getattr(settings, "BIANMIN_DASHBOARD_SETTLED_MONTHS", True)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


def settled_in(cases: QuerySet[Case], first: dt.date, end: dt.date) -> QuerySet[Case]:
    """The cases of `cases` settled (final, closed else concluded) on [first, end)."""
    # The dates in a subquery of their own: with the states beside them SQLite (no statistics)
    # reads the state index, every settled case of the history: a month's counts took 0.66 s at
    # 1.5 million cases against 0.18 s, and storing 36 months 125 s against 42 s.
    dated = Case.all_objects.filter(
        Q(closed_on__gte=first, closed_on__lt=end)
        | Q(closed_on=None, concluded_on__gte=first, concluded_on__lt=end)
    )
    return cases.filter(state__in=FINAL_STATES, pk__in=dated.order_by().values("pk"))


def live(cases: QuerySet[Case], current: dt.date) -> QuerySet[Case]:
    """The cases of `cases` no closed month stores: unfinished, settled on or after `current`
    (the first day of this month), or final with neither date."""
    # The unfinished states named (not "not final"), so the database can read them by index.
    return cases.filter(
        Q(state__in=UNFINISHED)
        | Q(closed_on__gte=current)
        | Q(closed_on=None, concluded_on__gte=current)
        | Q(closed_on=None, concluded_on=None)
    )


def _newest_event() -> int:
    return CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _month_of(closed: dt.date | None, concluded: dt.date | None) -> dt.date | None:
    day = closed or concluded
    return month_start(day) if day else None


def _drop_touched(current: dt.date) -> None:
    """Drop the stored months a case event newer than their check touched, and the months
    that are not closed yet (the clock was turned back); move the rest's check on."""
    stored = dict(SettledMonth.objects.values_list("month", "events_upto"))
    if not stored:
        return
    newest = _newest_event()
    since = min(stored.values()) - RECHECK_EVENTS
    # The new events' cases first (a range of the events' key), then those that are settled: as
    # one join the database may walk every settled case instead.
    # In batches: a week without a board is tens of thousands of cases, and SQLite takes at most
    # 32,766 parameters a statement.
    ids = sorted(set(CaseEvent.objects.filter(pk__gt=since).values_list("case_id", flat=True)))
    touched = {
        _month_of(closed, concluded)
        for start in range(0, len(ids), ID_BATCH)
        for closed, concluded in Case.all_objects.filter(
            pk__in=ids[start : start + ID_BATCH], state__in=FINAL_STATES
        ).values_list("closed_on", "concluded_on")
    }
    stale = [m for m in stored if m in touched or m >= current]
    SettledMonth.objects.filter(month__in=stale).delete()
    SettledMonth.objects.exclude(month__in=stale).update(events_upto=newest)


def _store(
    month: dt.date, tiers: dict[int, str], snap: calendar.Snapshot, standard: dict[int, Decimal]
) -> None:
    """Count the cases settled in `month` and store the figures (all or nothing; a month another
    process stored meanwhile is left as it is)."""
    newest = _newest_event()
    cases = settled_in(Case.objects.all(), month, next_month(month))
    groups = (
        cases.order_by().values("region__code", "current_unit_id", "state").annotate(n=Count("pk"))
    )
    days, counted = tier_workdays(
        Custody.objects.filter(case__in=cases.values("pk").order_by()),
        # Settled cases stop at their own dates; `today` only ends hops of cases with none.
        today=next_month(month) - dt.timedelta(days=1),
        snap=snap,
        tiers=tiers,
        by_region=True,
    )
    irregular = irregular_cases(cases, standard)
    try:
        with transaction.atomic():
            row = SettledMonth.objects.create(month=month, events_upto=newest)
            SettledIrregular.objects.bulk_create(
                SettledIrregular(month=row, **found._asdict()) for found in irregular
            )
            SettledCount.objects.bulk_create(
                SettledCount(
                    month=row,
                    region_code=g["region__code"],
                    unit_id=g["current_unit_id"],
                    state=g["state"],
                    cases=g["n"],
                )
                for g in groups
            )
            SettledTier.objects.bulk_create(
                SettledTier(
                    month=row,
                    region_code=region,
                    tier=tier,
                    cases=n,
                    workdays=days[(region, tier)],
                )
                for (region, tier), n in counted.items()
            )
    except IntegrityError:
        pass


def settled_months(today: dt.date, tiers: dict[int, str]) -> None:
    """Bring the stored months up to date for a board of `today`: drop the touched ones, store
    every closed month from the first settled case's up to last month."""
    current = month_start(today)
    _drop_touched(current)
    # The earliest dates of any case, an index's first entry each: one MIN a query, as SQLite
    # reads two MINs of one query by scanning the table (5 s at 1.5 million cases). A month
    # before the first settled case is stored empty, which costs nothing.
    first = [
        Case.all_objects.aggregate(day=Min(column))["day"]
        for column in ("closed_on", "concluded_on")
    ]
    days = [d for d in first if d is not None]
    if not days:
        return
    have = set(SettledMonth.objects.values_list("month", flat=True))
    snap = calendar.snapshot()
    standard = fee_standards()
    month = month_start(min(days))
    while month < current:
        if month not in have:
            _store(month, tiers, snap, standard)
        month = next_month(month)


@dataclass
class Stored:
    """The stored figures of a region's settled cases before this month."""

    groups: list[dict[str, Any]]
    tiers: dict[str, tuple[int, int]]  # tier -> (cases, working days), months from `tiers_since`
    irregular: list[Irregular]


def stored(prefix: str, *, current: dt.date, tiers_since: dt.date) -> Stored:
    """Stored figures of the region with code prefix `prefix`: every month's groups (one row per
    region code, unit and state, as `board.case_groups` gives them) and irregular cases, and the
    tier figures of the months from `tiers_since` to before `current`."""
    # Both are summed in the database over the months, one row per group.
    groups = (
        SettledCount.objects.filter(month__month__lt=current, region_code__startswith=prefix)
        .values("region_code", "unit_id", "state")
        .annotate(n=Sum("cases"))
        .order_by()
    )
    tiers = (
        SettledTier.objects.filter(
            month__month__gte=tiers_since,
            month__month__lt=current,
            region_code__startswith=prefix,
        )
        .values("tier")
        .annotate(n=Sum("cases"), d=Sum("workdays"))
        .order_by()
    )
    return Stored(
        groups=[
            {
                "region__code": g["region_code"],
                "current_unit_id": g["unit_id"],
                "state": g["state"],
                "n": g["n"],
            }
            for g in groups
        ],
        tiers={t["tier"]: (t["n"], t["d"]) for t in tiers},
        irregular=[
            Irregular(*row)
            for row in SettledIrregular.objects.filter(
                month__month__lt=current, region_code__startswith=prefix
            ).values_list("kind", "case_id", "region_code", "value")
        ],
    )
