"""What the dashboard's panels share: the region's cases as the viewer sees them, counted by
group, and the unfinished ones the lists name with their running clocks."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from bianmin.cases.deadlines import arrived_on
from bianmin.cases.models import ERRAND, Case, Custody, State
from bianmin.cases.selectors import cases_visible
from bianmin.common.id_list import IdList
from bianmin.orgs.models import Region, RegionLevel
from bianmin.orgs.scope import Scope, scope_for
from bianmin.workdays import calendar

from .. import clocks
from ..case_rows import HopRow, OpenCase
from ..case_rows import open_cases as open_case_rows
from ..listed import Listed, listed_of
from . import live_cases, settled
from .irregular_cases import Irregular


@dataclass
class Kept:
    """What a board reads kept instead of counting it (`settled`, `live_cases`): the tier
    figures and the irregularities found on the cases themselves, of every case of the region."""

    tier_days: Counter
    tier_cases: Counter
    irregular: list[Irregular]


@dataclass
class Board:
    """One region's dashboard on `today`: its cases (`base`), a filter of related rows to them
    (`of_cases`), every case counted (`groups`, with colour counts for the unfinished states),
    and the unfinished cases the lists name (`cases`) with their clocks and worst colours. When
    the board counts every case itself `cases` are all the unfinished ones and `kept` is None."""

    scope: Scope
    region: Region
    today: dt.date
    snap: calendar.Snapshot
    base: QuerySet[Case]
    of_cases: Callable[[str], Q]
    groups: list[dict[str, Any]]
    cases: list[Listed]
    clock_states: dict[int, list[clocks.ClockState]]
    unit_tiers: dict[int, str]  # {unit id: tier} (`tiers.tiers_of_units`)
    kept: Kept | None = None
    colour_of: dict[int, str] = field(init=False)

    def __post_init__(self) -> None:
        self.colour_of = {pk: clocks.worst(st) for pk, st in self.clock_states.items()}


def kept_figures(board_today: dt.date) -> bool:
    """Whether a board of `board_today` reads the kept figures (closed months and live cases)."""
    return settled.enabled() and board_today == timezone.localdate()


def board_read(*, viewer, scope: Scope, region: Region, today: dt.date) -> Board:
    from .tiers import tier_period_start, tiers_of_units

    snap = calendar.snapshot()
    thresholds = clocks.thresholds_by_item()
    unit_tiers = tiers_of_units()
    base, of_cases = dashboard_cases(viewer, region)
    memo = clocks.Memo()
    default = clocks.default_threshold()

    def states(cases: list[Listed]) -> dict[int, list[clocks.ClockState]]:
        return {
            c.pk: [
                d.state(today, thresholds.get(c.item_id) or default, snap, memo)
                for d in c.deadlines
            ]
            for c in cases
        }

    kept = None
    if whole_region(scope, region) and kept_figures(today):
        current = settled.month_start(today)
        settled.settled_months(today, unit_tiers)
        stored = settled.stored(
            region.prefix, current=current, tiers_since=tier_period_start(today)
        )
        # A village's board colours every case; above it only the red cases' clocks are listed.
        every = region.level == RegionLevel.VILLAGE
        live_cases.refresh(today, snap=snap, thresholds=thresholds, tiers=unit_tiers)
        live = live_cases.read(region.prefix, today, every_open=every, snap=snap)
        for t, (n, d) in stored.tiers.items():
            live.tier_cases[t] += n
            live.tier_days[t] += d
        kept = Kept(live.tier_days, live.tier_cases, live.irregular + stored.irregular)
        groups, cases = live.groups + stored.groups, live.listed
        clock_states = states([c for c in cases if every or c.pk in live.red])
    else:
        groups = case_groups(base)
        rows = open_cases(base)
        cases = [listed_of(c, None, snap=snap) for c in rows]
        clock_states = states(cases)
        _count_colours(groups, rows, clock_states)
        _arrivals(rows, cases, clock_states)
    return Board(
        scope=scope,
        region=region,
        today=today,
        snap=snap,
        base=base,
        of_cases=of_cases,
        groups=groups,
        cases=cases,
        clock_states=clock_states,
        unit_tiers=unit_tiers,
        kept=kept,
    )


def _arrivals(rows: list[OpenCase], cases: list[Listed], clock_states) -> None:
    """The day the red cases (held since) and the submitted ones (waiting since) arrived at
    their unit: their hops read, a fifth of the unfinished cases (the kept rows hold it)."""
    wanted = {
        c.pk: (row, c)
        for row, c in zip(rows, cases, strict=True)
        if c.state == State.SUBMITTED or clocks.worst(clock_states[c.pk]) == clocks.RED
    }
    hops = defaultdict(list)
    for case_id, *hop in (
        Custody.objects.filter(case__in=IdList(wanted))
        .order_by("case", "sent_at", "pk")
        .values_list("case_id", *HopRow._fields)
    ):
        hops[case_id].append(HopRow(*hop))
    for pk, (row, c) in wanted.items():
        c.arrived_on = arrived_on(row, hops[pk])


def _count_colours(groups: list[dict], rows: list[OpenCase], clock_states) -> None:
    """Add to each group of an unfinished state its cases by colour (`live_cases.read` gives the
    same from the kept rows)."""
    counted = Counter(
        (c.region.code, c.current_unit_id, c.state, clocks.worst(clock_states[c.pk])) for c in rows
    )
    for g in groups:
        if g["state"] in clocks.UNFINISHED_STATES:
            key = (g["region__code"], g["current_unit_id"], g["state"])
            g |= {colour: counted[(*key, colour)] for colour in clocks.RANK}


def whole_region(scope: Scope, region: Region) -> bool:
    """Whether the viewer sees every case of `region` (its regions hold it)."""
    return scope.sees_region_cases and region.prefix.startswith(scope.region_prefix or "\0")


def dashboard_cases(viewer, region: Region) -> tuple[QuerySet[Case], Callable[[str], Q]]:
    """The cases of `region` the viewer sees, and a filter of related rows (`path` names their
    case) to those cases."""
    if whole_region(scope_for(viewer), region):
        # The viewer sees every case of its regions and this region is one of them: the routed
        # cases `cases_visible` adds lie in the region anyway, so the region alone is the set,
        # and related rows can reach it by a join instead of a 200,000-row IN list.
        def of_region(path: str) -> Q:
            return Q(**{f"{path}__region__code__startswith": region.prefix}) & ~Q(
                **{f"{path}__case_class": ERRAND}
            )

        return Case.objects.filter(region__code__startswith=region.prefix), of_region
    # Which cases a unit sees is a scan of the region's cases with two correlated subqueries each
    # (1.7 s for a department at 1.5 million cases), and a board reads them five times over:
    # worked out once, then each read takes the ids as one parameter.
    ids = IdList(
        cases_visible(viewer=viewer)
        .filter(region__code__startswith=region.prefix)
        .order_by()
        .values_list("pk", flat=True)
    )

    def of_ids(path: str) -> Q:
        return Q(**{f"{path}__in": ids})

    return Case.objects.filter(pk__in=ids), of_ids


def case_groups(base: QuerySet[Case]) -> list[dict[str, Any]]:
    """Every case, counted: one row per (region code, current unit, state) with its count `n`."""
    return [
        dict(g)
        for g in base.order_by()
        .values("region__code", "current_unit_id", "state")
        .annotate(n=Count("pk"))
        .order_by("region__code", "current_unit_id", "state")
    ]


def open_cases(base: QuerySet[Case]) -> list[OpenCase]:
    """The unfinished cases, by pk, as the light rows their clocks and the dashboard's lists
    read (`case_rows.open_cases`: each related version, region, unit and assignee read once)."""
    return open_case_rows(base.filter(state__in=clocks.UNFINISHED_STATES))


def clock_states(
    cases: Sequence[OpenCase], *, today: dt.date, thresholds=None, snap=None
) -> dict[int, list[clocks.ClockState]]:
    """{pk: running clocks on `today`} of unfinished cases, each with its item's threshold."""
    thresholds = clocks.thresholds_by_item() if thresholds is None else thresholds
    snap = snap or calendar.snapshot()
    default = clocks.default_threshold()
    memo = clocks.Memo()
    out = {}
    for case in cases:
        item_id = case.item_version.item_id if case.item_version else 0
        threshold = thresholds.get(item_id) or default
        out[case.pk] = clocks.case_clocks(
            case, today=today, threshold=threshold, snap=snap, memo=memo
        )
    return out


def case_colours(*, viewer, cases: QuerySet[Case], today: dt.date) -> dict[int, str]:
    """{pk: colour} of the unfinished cases of `cases` (already scoped by the caller) on `today`:
    the worst of their running clocks, as the dashboard counts them (`settings.BIANMIN_CASE_
    COLOURS` points the case list here)."""
    rows = open_cases(cases)
    return {pk: clocks.worst(st) for pk, st in clock_states(rows, today=today).items()}
