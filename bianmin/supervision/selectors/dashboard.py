"""The supervision dashboard of one region: one selector per panel (`counts`, `tiers`,
`irregularities`), composed here."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import PermissionDenied
from bianmin.common.inputs import bounded_date, latest_date, years_before
from bianmin.common.nogc import collector_paused
from bianmin.orgs.scope import scope_for

from .. import board_store
from .board import board_read
from .counts import (
    children_panel,
    overdue_panel,
    states_panel,
    totals_panel,
    units_panel,
    village_cases_panel,
)
from .irregularities import irregularities
from .regions import home_region, region_or_403
from .tiers import tiers_panel

# The dashboard counts today's cases: a day further from now means nothing for them, and every
# running clock counts working days to it one by one, so a far date (9999-12-31) would take
# minutes. Ten years either way keeps a request well under a second at county scale.
DASHBOARD_YEARS = 10


def dashboard_date(day: dt.date | None) -> dt.date:
    """`day` (default today) if within DASHBOARD_YEARS of today, else a 422 naming `date`."""
    today = timezone.localdate()
    if day is None:
        return today
    return bounded_date(
        day,
        field="date",
        earliest=years_before(today, DASHBOARD_YEARS),
        latest=latest_date(today),
    )


def dashboard(
    *,
    viewer,
    region_code: str | None = None,
    today: dt.date | None = None,
    refresh: bool = False,
) -> dict:
    """The supervision dashboard of one region in the viewer's jurisdiction (403 outside it).

    Counts cases (by current unit, by child region) by state and by colour, the worst colour
    of their running clocks on `today` (closed cases have no colour); lists the overdue cases
    with who holds them and since when, the working days cases spent at each tier from the
    custody records, and the irregularities RULES.md "Supervision" names: repeated one-time
    notices, late deferred materials, refusals without reasons, applications neither accepted
    nor noticed within 5 working days, and fees off the published standard.

    Kept between requests and refreshed by the worker (`board_store`; `computed_at` says when
    it was computed); `refresh=True` computes it again and keeps it (the worker's task).

    At county scale almost every case is closed: a region seen whole sums the stored figures of
    closed months (`settled`) and the kept rows of its live cases (`live_cases`: colours from
    each case's schedule, tier figures, irregularities), and reads whole only the cases its
    lists name; otherwise the unfinished cases are loaded with the fields and child rows their
    clocks read (`board.open_cases`) and the tier figures summed in SQL over the custody hops of
    the period (`tier_sql.tier_workdays`). bench/bench_reports.py times each of these reads.
    """
    today = dashboard_date(today)
    scope = scope_for(viewer)
    if scope.is_empty:
        raise PermissionDenied(_("无权查看监察信息"))
    region = region_or_403(viewer, region_code) if region_code else home_region(viewer)
    if not region_code and not scope.can_see_region(region.code):
        raise PermissionDenied(_("无权查看监察信息"))
    keep = board_store.refresh if refresh else board_store.served
    return keep(
        viewer=viewer,
        scope=scope,
        region_code=region.code,
        today=today,
        compute=lambda: _compute(viewer=viewer, scope=scope, region=region, today=today),
    )


def _compute(*, viewer, scope, region, today: dt.date) -> dict:
    with collector_paused():
        return _panels(viewer=viewer, scope=scope, region=region, today=today)


def _panels(*, viewer, scope, region, today: dt.date) -> dict:
    board = board_read(viewer=viewer, scope=scope, region=region, today=today)
    totals = totals_panel(board)
    parent = region.parent
    if parent is not None and not scope.can_see_region(parent.code):
        parent = None
    tiers, tier_period = tiers_panel(board)
    return {
        "today": today,
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "parent": {"code": parent.code, "name": parent.name} if parent else None,
        "totals": totals,
        "states": states_panel(totals),
        "children": children_panel(board),
        "units": units_panel(board),
        "overdue": overdue_panel(board),
        "tiers": tiers,
        "tier_period": tier_period,
        **irregularities(board),
        "cases": village_cases_panel(board),
    }
