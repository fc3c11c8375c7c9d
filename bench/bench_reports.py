"""A township's monthly report, the county roll-up (bianmin.reports) and the county-level
supervision dashboard (bianmin.supervision), each next to the hand-written SQL that computes the
same totals on the same data. Prints, asserts nothing."""

import datetime as dt
import os
from decimal import Decimal

from _common import dataset, describe, queries, raw, row, timed, user
from django.db import connection
from django.utils import timezone

from bianmin.orgs.models import Region, Unit, UnitKind
from bianmin.reports.figures import (
    month_bounds,
    monthly_figures,
    previous_month,
    township_totals,
)
from bianmin.reports.selectors import county_rollup
from bianmin.supervision import clocks
from bianmin.supervision.models import LiveCase, SettledMonth
from bianmin.supervision.selectors import dashboard, live_cases
from bianmin.supervision.selectors.board import case_groups, dashboard_cases, open_cases
from bianmin.supervision.selectors.settled import settled_months
from bianmin.supervision.selectors.tier_sql import tier_workdays
from bianmin.supervision.selectors.tiers import period_hops, tier_period_start, tiers_of_units
from bianmin.workdays import calendar

TOTALS_SQL = """
SELECT {group}
  SUM(CASE WHEN c.submitted_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.accepted_on BETWEEN %s AND %s THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.concluded_on BETWEEN %s AND %s AND c.decided_on IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.concluded_on BETWEEN %s AND %s AND c.decided_on IS NOT NULL
           AND NOT (c.promised_due IS NOT NULL AND c.concluded_on > c.promised_due) THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.concluded_on BETWEEN %s AND %s AND c.decided_on IS NOT NULL
           AND c.promised_due IS NOT NULL AND c.concluded_on > c.promised_due THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.concluded_on BETWEEN %s AND %s AND c.state = 'declined' THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.accepted_on <= %s AND (c.concluded_on IS NULL OR c.concluded_on > %s)
           AND c.promised_due < %s THEN 1 ELSE 0 END)
FROM cases_case c JOIN orgs_region r ON r.id = c.region_id
WHERE r.code LIKE %s AND c.case_class <> 'errand'
  AND (c.submitted_on BETWEEN %s AND %s OR c.accepted_on BETWEEN %s AND %s
       OR c.concluded_on BETWEEN %s AND %s OR c.closed_on BETWEEN %s AND %s
       OR (c.concluded_on IS NULL AND c.accepted_on <= %s)
       OR (c.concluded_on > %s AND c.accepted_on <= %s))
{tail}
"""
KEYS = ("received", "accepted", "concluded", "on_time", "overdue", "declined", "open_overdue")


def totals_sql(prefix: str, first: dt.date, last: dt.date, *, group: str = "", tail: str = ""):
    p = (
        [first, last] * 6
        + [last, last, last, prefix + "%"]
        + [first, last] * 4
        + [last, last, last]
    )
    return raw(TOTALS_SQL.format(group=group, tail=tail), p)


# The supervision dashboard's heavy reads, hand-written. Cases of a region: the region's
# and its descendants' (code prefix), errands excluded (the Case manager leaves them out).
REGION_CASES = (
    "JOIN orgs_region r ON r.id = c.region_id WHERE r.code LIKE %s AND c.case_class <> 'errand'"
)

GROUPS_SQL = f"""
SELECT r.code, c.current_unit_id, c.state, COUNT(*) FROM cases_case c {REGION_CASES}
GROUP BY r.code, c.current_unit_id, c.state ORDER BY 1, 2, 3
"""

# Working days per tier over the custody hops of the period, entirely in SQL: each hop runs from
# the local day it was sent to the local day the case was sent on, else to closure (closed,
# else concluded, else today) for a finished case and to today for an unfinished one; working
# days come from a running count over a generated day series and the holiday calendar
# (exceptions, else Monday-Friday). Shanghai has been UTC+8 since 1992.
TIER_DIALECT = {
    "sqlite": {
        "local_day": "date(h.sent_at, '+8 hours')",
        "next_day": "date(d, '+1 day')",
        "least": "MIN",
        "greatest": "MAX",
        "weekday": "strftime('%%w', d) NOT IN ('0', '6')",
    },
    "postgresql": {
        "local_day": "(h.sent_at AT TIME ZONE 'Asia/Shanghai')::date",
        "next_day": "d + 1",
        "least": "LEAST",
        "greatest": "GREATEST",
        "weekday": "EXTRACT(ISODOW FROM d) < 6",
    },
}
TIER_SQL = f"""
WITH RECURSIVE hop AS (
  SELECT h.case_id, h.sent_at, h.id, {{local_day}} AS day, h.to_unit_id,
         c.state, c.closed_on, c.concluded_on
  FROM cases_case c JOIN cases_custody h ON h.case_id = c.id {REGION_CASES}
    AND (c.state IN ({{unfinished}}) OR c.closed_on >= %s
         OR (c.closed_on IS NULL AND c.concluded_on >= %s)
         OR (c.closed_on IS NULL AND c.concluded_on IS NULL))
),
span AS (
  SELECT case_id,
    CASE WHEN to_unit_id IN ({{village}}) THEN 'village'
         WHEN to_unit_id IN ({{township}}) THEN 'township' ELSE 'county' END AS tier,
    day AS start_day,
    COALESCE(LEAD(day) OVER (PARTITION BY case_id ORDER BY sent_at, id),
             CASE WHEN state IN ({{unfinished}}) THEN %s
                  ELSE COALESCE(closed_on, concluded_on, %s) END) AS stop_day
  FROM hop
),
days(d) AS (
  SELECT {{least}}(MIN(start_day), MIN(stop_day)) FROM span
  UNION ALL
  SELECT {{next_day}} FROM days WHERE d < (SELECT {{greatest}}(MAX(start_day), MAX(stop_day)) FROM span)
),
running AS (
  SELECT d, SUM(CASE WHEN COALESCE(x.is_workday, {{weekday}}) THEN 1 ELSE 0 END) OVER (ORDER BY d) AS n
  FROM days LEFT JOIN workdays_calendarday x ON x.date = d
)
SELECT s.tier, COUNT(DISTINCT s.case_id),
       SUM(CASE WHEN s.stop_day >= s.start_day THEN e.n - b.n ELSE 0 END)
FROM span s JOIN running b ON b.d = s.start_day JOIN running e ON e.d = s.stop_day
GROUP BY s.tier
"""

# The unfinished cases as their clocks, the sweep and the dashboard read them (`case_rows.OpenCase`):
# the case columns with the related values joined in, then the clock rows of the same cases: all
# pauses, the unfinished steps, the deferred materials with a due day. `{where}` narrows the
# cases (the dashboard: a region's).
OPEN_SQL = """
SELECT c.id, c.number, c.state, c.case_class, c.channel, c.errand_kind,
       c.item_version_id, v.item_id, v.name, v.promised_limit, v.accept_tier,
       c.region_id, r.code, c.current_unit_id, u.name, u.kind, u.parent_id, p.kind,
       c.deciding_unit_id, c.first_responder_id, c.assigned_to_id,
       COALESCE(NULLIF(st.full_name, ''), a.username),
       c.submitted_on, c.accepted_on, c.extended_days, c.promised_due, c.proxy_due,
       c.concluded_on, c.delivery_due, c.fee_total
FROM cases_case c LEFT JOIN catalog_itemversion v ON v.id = c.item_version_id
  JOIN orgs_region r ON r.id = c.region_id
  JOIN orgs_unit u ON u.id = c.current_unit_id LEFT JOIN orgs_unit p ON p.id = u.parent_id
  LEFT JOIN auth_user a ON a.id = c.assigned_to_id LEFT JOIN orgs_staff st ON st.user_id = a.id
WHERE c.case_class <> 'errand' AND c.state IN ({unfinished}) {where}
ORDER BY c.id
"""
OPEN_CHILDREN_SQL = [
    f"""SELECT x.case_id, {cols} FROM {table} x JOIN cases_case c ON c.id = x.case_id
    WHERE c.case_class <> 'errand' AND c.state IN ({{unfinished}}) {{where}} {only}
    ORDER BY x.case_id, {order}"""
    for table, cols, only, order in (
        ("cases_pause", "x.id, x.started_on, x.ended_on", "", "x.started_on, x.id"),
        (
            "cases_step",
            "x.id, x.position, x.name, x.limit_days, x.due_on, x.finished_on",
            "AND x.finished_on IS NULL",
            "x.position",
        ),
        (
            "cases_casematerial",
            "x.id, x.name, x.status, x.due_on",
            "AND x.status = 'deferred' AND x.due_on IS NOT NULL",
            "x.id",
        ),
    )
]
OF_REGION = "AND c.region_id IN (SELECT id FROM orgs_region WHERE code LIKE %s)"


def open_cases_sql(where: str = "", params=()) -> tuple[list[tuple], list[list[tuple]]]:
    """The unfinished cases (narrowed by `where`) and their clock rows, by hand."""
    unfinished = sorted(clocks.UNFINISHED_STATES)
    fmt = {"unfinished": ", ".join(["%s"] * len(unfinished)), "where": where}
    p = [*unfinished, *params]
    return raw(OPEN_SQL.format(**fmt), p), [raw(q.format(**fmt), p) for q in OPEN_CHILDREN_SQL]


def same_open_cases(cases, sql_rows: list[tuple], sql_children: list[list[tuple]]) -> bool:
    """Whether the `clocks.OpenCase` rows `cases` hold what `open_cases_sql` returned."""
    seen = [
        tuple(
            _plain(v)
            for v in (
                c.pk,
                c.number,
                c.state,
                c.case_class,
                c.channel,
                c.errand_kind,
                c.item_version_id,
                *(c.item_version or (None,) * 5)[1:],
                c.region_id,
                c.region.code,
                c.current_unit_id,
                c.current_unit.name,
                c.current_unit.kind,
                c.current_unit.parent_id,
                c.current_unit.parent_kind,
                c.deciding_unit_id,
                c.first_responder_id,
                c.assigned_to_id,
                c.assigned_name or None,
                c.submitted_on,
                c.accepted_on,
                c.extended_days,
                c.promised_due,
                c.proxy_due,
                c.concluded_on,
                c.delivery_due,
                c.fee_total,
            )
        )
        for c in cases
    ]
    children = [
        sorted((c.pk, *map(_plain, x)) for c in cases for x in getattr(c, relation).all())
        for relation in ("pauses", "steps", "materials")
    ]
    return seen == [tuple(map(_plain, r)) for r in sql_rows] and children == [
        sorted(tuple(map(_plain, r)) for r in rows) for rows in sql_children
    ]


def children_note(sql_children: list[list[tuple]]) -> str:
    return ", ".join(
        f"{len(r):,} {n}"
        for r, n in zip(sql_children, ("pauses", "open steps", "deferred materials"), strict=True)
    )


def load() -> str:
    """The 1-minute load average: figures measured on a busy machine are inflated."""
    return f"{os.getloadavg()[0]:.1f}"


def busiest_township():
    """The township centre with the most cases (its report is the heaviest)."""
    units = list(Unit.objects.filter(kind=UnitKind.TOWNSHIP_CENTRE).select_related("region"))
    counts = dict(
        raw(
            "SELECT substr(r.code, 1, 9), COUNT(*) FROM cases_case c "
            "JOIN orgs_region r ON r.id = c.region_id GROUP BY substr(r.code, 1, 9)"
        )
    )
    return max(units, key=lambda u: counts.get(u.region.prefix, 0))


def _plain(value):
    """A value in one form for both sides: dates as ISO text, decimals as numbers."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def dashboard_section(viewer, county: Region) -> None:
    """The county-level dashboard: each heavy read through the selector's own helper next to the
    hand-written SQL giving the same rows or figures, then the whole dashboard on its own."""
    today = timezone.localdate()
    prefix = county.prefix + "%"
    print(
        f"\n[supervision dashboard] {county.name}, {today}, median of 3 after 1 warm-up, load {load()}"
    )
    base, _of_cases = dashboard_cases(viewer, county)

    orm, groups = timed(lambda: case_groups(base), 3)
    sql, rows = timed(lambda: raw(GROUPS_SQL, [prefix]), 3)
    same = [(g["region__code"], g["current_unit_id"], g["state"], g["n"]) for g in groups] == rows
    row(
        "  state counts by region, unit (ORM GROUP BY)",
        orm,
        sql,
        f"same: {same}; {len(rows)} groups, {sum(r[3] for r in rows):,} cases",
    )

    since = tier_period_start(today)
    orm, (tier_days, tier_cases) = timed(
        lambda: tier_workdays(
            period_hops(base, since), today=today, snap=calendar.snapshot(), tiers=tiers_of_units()
        ),
        3,
    )
    tiers = tiers_of_units()
    unfinished = sorted(clocks.UNFINISHED_STATES)
    village = [pk for pk, t in tiers.items() if t == "village"] or [0]
    township = [pk for pk, t in tiers.items() if t == "township"] or [0]
    tier_sql = TIER_SQL.format(
        unfinished=", ".join(["%s"] * len(unfinished)),
        village=", ".join(["%s"] * len(village)),
        township=", ".join(["%s"] * len(township)),
        **TIER_DIALECT[connection.vendor],
    )
    day, first_day = (today, since) if connection.vendor != "sqlite" else (str(today), str(since))
    params = [prefix, *unfinished, first_day, first_day, *village, *township, *unfinished, day, day]
    sql, rows = timed(lambda: raw(tier_sql, params), 3)
    same = {t: (n, wd) for t, n, wd in rows} == {
        t: (tier_cases[t], tier_days[t]) for t in tier_cases
    }
    row(
        "  tier working days, hops of the period",
        orm,
        sql,
        f"same: {same}; "
        + ", ".join(
            f"{t} {tier_cases[t]} cases {tier_days[t]} wd"
            for t in ("village", "township", "county")
        ),
    )

    n = queries(lambda: open_cases(base))
    orm, cases = timed(lambda: open_cases(base), 3)
    sql, (case_rows, child_rows) = timed(lambda: open_cases_sql(OF_REGION, [prefix]), 3)
    same = same_open_cases(cases, case_rows, child_rows)
    row(
        "  unfinished cases + clock rows",
        orm,
        sql,
        f"same: {same}; {n} queries (SQL: 4); {len(cases):,} cases, {children_note(child_rows)}",
    )
    print(
        "    (both sides read the same values: the ORM side as light rows (`case_rows.OpenCase`,"
        " values_list) with each related version, region, unit and assignee read once by id and"
        " the clock rows grouped by case; the SQL side joins them in and returns the rows as"
        " they come)"
    )

    from django.test import override_settings

    # The closed months' figures (supervision/selectors/settled.py), stored from nothing: what the
    # first board after an upgrade (or the daily jobs') does once; afterwards one month a month.
    SettledMonth.objects.all().delete()
    ms, _none = timed(lambda: settled_months(today, tiers_of_units()), 1, warm=0)
    row(f"storing {SettledMonth.objects.count()} closed months (once)", ms)
    with override_settings(BIANMIN_DASHBOARD_SETTLED_MONTHS=False):
        ms, _board = timed(lambda: dashboard(viewer=viewer, region_code=county.code), 1)
    row("whole dashboard, county level, every case counted (no stored months)", ms)

    # The live cases' rows (supervision/selectors/live_cases.py), computed from nothing: what
    # the first board after an upgrade (or a new calendar or threshold) does once.
    LiveCase.objects.all().delete()
    ms, computed = timed(
        lambda: live_cases.refresh(
            today,
            snap=calendar.snapshot(),
            thresholds=clocks.thresholds_by_item(),
            tiers=tiers_of_units(),
        ),
        1,
        warm=0,
    )
    row(f"computing {computed:,} live cases' rows (once)", ms)
    n = queries(lambda: dashboard(viewer=viewer, region_code=county.code))
    ms, board = timed(lambda: dashboard(viewer=viewer, region_code=county.code), 3)
    row(
        "whole dashboard, county level (supervisor)",
        ms,
        note=f"{n} queries; {board['totals']['total']:,} cases, {board['totals']['open']:,} open, "
        f"{len(board['overdue'])} overdue; the clocks of the listed cases and the irregularity "
        "lists run in Python (no single SQL statement to set it against)",
    )
    # Between two boards cases change: each with an event since is computed again. 1,000 of
    # them (what a county's staff do in about half an hour), each given an event (a note on its
    # timeline, hash-chained as any), not timed.
    from django.db import transaction

    from bianmin.cases.models import Case
    from bianmin.cases.services.events import event_record

    changed = []
    for _ in range(3):
        ids = list(LiveCase.objects.order_by("?").values_list("case_id", flat=True)[:1000])
        with transaction.atomic():
            for case in Case.objects.filter(pk__in=ids):
                event_record(case=case, actor=None, action="bench_note", note="bench_reports")
        one, _b = timed(lambda: dashboard(viewer=viewer, region_code=county.code), 1, warm=0)
        changed.append(one)
    row(
        "  the same after 1,000 cases changed",
        sorted(changed)[1],
        note="median of 3; their rows computed again before the board reads them",
    )
    # What a person gets: the board kept by supervision/board_store.py (computed above once more
    # to fill it, then read as the page reads it).
    with override_settings(BIANMIN_DASHBOARD_FRESH_SECONDS=300):
        dashboard(viewer=viewer, region_code=county.code)
        ms, _kept = timed(lambda: dashboard(viewer=viewer, region_code=county.code), 10)
    row("whole dashboard, county level, kept (what the page serves)", ms)


def main() -> None:
    dataset()
    print(f"bench_reports: {describe()}")
    month = previous_month(timezone.localdate())
    first, last = month_bounds(month)
    busiest = busiest_township()
    print(f"\n[monthly report] {busiest.name}, {month:%Y-%m}")
    prefix = busiest.region.prefix
    n = queries(lambda: monthly_figures(busiest, month))
    orm, figures = timed(lambda: monthly_figures(busiest, month), 10)
    sql, rows = timed(lambda: totals_sql(prefix, first, last), 10)
    same = [figures["totals"][k] for k in KEYS] == [int(v or 0) for v in rows[0]]
    row(
        "township monthly figures (totals, items, villages)",
        orm,
        note=f"{n} queries; {figures['totals']['received']} received",
    )
    # The totals alone through the ORM are what the roll-up reads per township.
    orm_totals, totals = timed(lambda: township_totals([busiest], month)[busiest.pk], 10)
    same = same and [totals["totals"][k] for k in KEYS] == [int(v or 0) for v in rows[0]]
    row(
        "  totals only: township_totals vs SQL SUM(CASE ...)",
        orm_totals,
        sql,
        f"same totals: {same}",
    )
    # The by-item and by-village tables as SQL too: the whole report in three statements.
    join = "JOIN catalog_itemversion v ON v.id = c.item_version_id"
    params = [first, last] * 6 + [last, last, last, prefix + "%"] + [first, last] * 4 + [last] * 3

    def whole_sql():
        totals_sql(prefix, first, last)
        raw(
            TOTALS_SQL.format(group="v.item_id,", tail="GROUP BY v.item_id").replace(
                "FROM cases_case c JOIN orgs_region r ON r.id = c.region_id",
                f"FROM cases_case c JOIN orgs_region r ON r.id = c.region_id {join}",
            ),
            params,
        )
        raw(TOTALS_SQL.format(group="r.code,", tail="GROUP BY r.code"), params)

    sql_all, _r = timed(whole_sql, 10)
    row("  whole report: ORM path vs 3 SQL GROUP BYs", orm, sql_all)

    viewer = user("supervisor")
    print(f"\n[county roll-up] {month:%Y-%m}")
    n = queries(lambda: county_rollup(viewer=viewer, month=month))
    orm, roll = timed(lambda: county_rollup(viewer=viewer, month=month), 10)
    county_prefix = busiest.region.code[:6]
    sql, rows = timed(
        lambda: raw(
            TOTALS_SQL.format(group="substr(r.code, 1, 9),", tail="GROUP BY substr(r.code, 1, 9)"),
            [first, last] * 6
            + [last, last, last, county_prefix + "%"]
            + [first, last] * 4
            + [last, last, last],
        ),
        10,
    )
    # The roll-up's total is the whole county: its townships' rows and its own row (县本级, the
    # cases of the county's own windows and departments: region codes ...000...).
    sql_total = [sum(int(r[i + 1] or 0) for r in rows) for i in range(7)]
    same = [roll["totals"][k] for k in KEYS] == sql_total
    row(
        f"county roll-up of {len(roll['rows'])} townships",
        orm,
        sql,
        f"same totals: {same}; {n} queries",
    )

    dashboard_section(viewer, Region.objects.get(code=county_prefix + "000000"))
    for label, username, code in (
        ("county level, township region (supervisor)", "supervisor", busiest.region.code),
        ("township level (t01-staff, own township)", "t01-staff", None),
        ("department level (d01-staff, routed cases)", "d01-staff", None),
    ):
        who = user(username)
        n = queries(lambda: dashboard(viewer=who, region_code=code))  # noqa: B023
        ms, board = timed(lambda: dashboard(viewer=who, region_code=code), 3)  # noqa: B023
        row(
            label,
            ms,
            note=f"{n} queries; {board['region']['name']}: {board['totals']['total']} cases, "
            f"{board['totals']['open']} open",
        )


if __name__ == "__main__":
    main()
