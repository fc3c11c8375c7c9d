"""A township's monthly report, the county roll-up (bianmin.reports) and the county-level
supervision dashboard (bianmin.supervision), each next to the hand-written SQL that computes the
same totals on the same data. Prints, asserts nothing."""

import datetime as dt
import os

from _common import dataset, describe, queries, raw, row, timed, user
from django.utils import timezone

from bianmin.orgs.models import Region, Unit, UnitKind
from bianmin.reports.figures import month_bounds, monthly_figures, previous_month
from bianmin.reports.selectors import county_rollup
from bianmin.supervision.selectors import dashboard

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


STATES_SQL = """
SELECT c.state, COUNT(*) FROM cases_case c JOIN orgs_region r ON r.id = c.region_id
WHERE r.code LIKE %s AND c.case_class <> 'errand' GROUP BY c.state
"""


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
    row("  totals only: ORM path vs SQL SUM(CASE ...)", orm, sql, f"same totals: {same}")
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
    # The roll-up covers the townships (and their villages); cases taken in at county level
    # belong to no township and are left out on both sides.
    sql_total = [sum(int(r[i + 1] or 0) for r in rows if r[0][6:9] != "000") for i in range(7)]
    same = [roll["totals"][k] for k in KEYS] == sql_total
    row(
        f"county roll-up of {len(roll['rows'])} townships",
        orm,
        sql,
        f"same totals: {same}; {n} queries",
    )

    print(
        f"\n[supervision dashboard] {timezone.localdate()}, median of 3 after 1 warm-up, load {load()}"
    )
    county = Region.objects.get(code=county_prefix + "000000")
    n = queries(lambda: dashboard(viewer=viewer, region_code=county.code))
    orm, board = timed(lambda: dashboard(viewer=viewer, region_code=county.code), 3)
    sql, rows = timed(lambda: raw(STATES_SQL, [county_prefix + "%"]), 3)
    by_state = {state: count for state, count in rows}
    same = board["totals"]["by_state"] == by_state and board["totals"]["total"] == sum(
        by_state.values()
    )
    period = board["tier_period"]
    row(
        "county level (supervisor) vs SQL state counts",
        orm,
        sql,
        f"same counts: {same}; {n} queries; {board['totals']['open']} open, "
        f"{len(board['overdue'])} overdue; tier figures {period['since']}..{period['until']}: "
        + ", ".join(f"{t['tier']} {t['cases']} cases {t['workdays']} wd" for t in board["tiers"]),
    )
    print(
        "  (not like for like: besides these counts the dashboard runs every open case's clocks, "
        "the working days of the custody hops of the period and the irregularity lists; the SQL "
        "side only counts cases by state)"
    )
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
