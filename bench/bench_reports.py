"""A township's monthly report and the county roll-up (bianmin.reports), each next to the
hand-written SQL that computes the same totals on the same data. Prints, asserts nothing."""

import datetime as dt

from _common import dataset, describe, raw, row, timed, user
from django.utils import timezone

from bianmin.orgs.models import Unit, UnitKind
from bianmin.reports.figures import month_bounds, monthly_figures, previous_month
from bianmin.reports.selectors import county_rollup

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
WHERE r.code LIKE %s
  AND (c.submitted_on BETWEEN %s AND %s OR c.accepted_on BETWEEN %s AND %s
       OR c.concluded_on BETWEEN %s AND %s OR c.closed_on BETWEEN %s AND %s
       OR (c.accepted_on <= %s AND (c.concluded_on IS NULL OR c.concluded_on > %s)))
{tail}
"""
KEYS = ("received", "accepted", "concluded", "on_time", "overdue", "declined", "open_overdue")


def totals_sql(prefix: str, first: dt.date, last: dt.date, *, group: str = "", tail: str = ""):
    p = [first, last] * 6 + [last, last, last, prefix + "%"] + [first, last] * 4 + [last, last]
    return raw(TOTALS_SQL.format(group=group, tail=tail), p)


def by_item_sql(prefix, first, last):
    return totals_sql(
        prefix,
        first,
        last,
        group="v.item_id,",
        tail="GROUP BY v.item_id".replace("v.item_id", "v.item_id"),
    )


def main() -> None:
    dataset()
    print(f"bench_reports: {describe()}")
    month = previous_month(timezone.localdate())
    first, last = month_bounds(month)
    township = Unit.objects.filter(kind=UnitKind.TOWNSHIP_CENTRE).select_related("region")
    busiest = max(township, key=lambda u: u.region.code.endswith("001000") or 0)
    print(f"\n[monthly report] {busiest.name}, {month:%Y-%m}")
    prefix = busiest.region.prefix
    orm, figures = timed(lambda: monthly_figures(busiest, month), 10)
    sql, rows = timed(lambda: totals_sql(prefix, first, last), 10)
    same = [figures["totals"][k] for k in KEYS] == [int(v or 0) for v in rows[0]]
    row(
        "township monthly figures (totals, items, villages)",
        orm,
        note=f"totals {figures['totals']['received']} received",
    )
    row("  totals only: ORM path vs SQL SUM(CASE ...)", orm, sql, f"same totals: {same}")
    # The by-item and by-village tables as SQL too: the whole report in three statements.
    join = "JOIN catalog_itemversion v ON v.id = c.item_version_id"

    def whole_sql():
        totals_sql(prefix, first, last)
        raw(
            TOTALS_SQL.format(group="v.item_id,", tail="GROUP BY v.item_id").replace(
                "FROM cases_case c JOIN orgs_region r ON r.id = c.region_id",
                f"FROM cases_case c JOIN orgs_region r ON r.id = c.region_id {join}",
            ),
            [first, last] * 6 + [last, last, last, prefix + "%"] + [first, last] * 4 + [last, last],
        )
        raw(
            TOTALS_SQL.format(group="r.code,", tail="GROUP BY r.code"),
            [first, last] * 6 + [last, last, last, prefix + "%"] + [first, last] * 4 + [last, last],
        )

    sql_all, _r = timed(whole_sql, 10)
    row("  whole report: ORM path vs 3 SQL GROUP BYs", orm, sql_all)

    viewer = user("supervisor")
    print(f"\n[county roll-up] {month:%Y-%m}")
    orm, roll = timed(lambda: county_rollup(viewer=viewer, month=month), 3)
    county_prefix = busiest.region.code[:6]
    sql, rows = timed(
        lambda: raw(
            TOTALS_SQL.format(group="substr(r.code, 1, 9),", tail="GROUP BY substr(r.code, 1, 9)"),
            [first, last] * 6
            + [last, last, last, county_prefix + "%"]
            + [first, last] * 4
            + [last, last],
        ),
        3,
    )
    sums = [sum(int(r[i + 1] or 0) for r in rows if not r[0].endswith("000")) for i in range(7)]
    # The roll-up covers the townships (and their villages); cases taken in at county level
    # belong to no township and are left out on both sides.
    sql_total = [sum(int(r[i + 1] or 0) for r in rows if r[0][6:9] != "000") for i in range(7)]
    same = [roll["totals"][k] for k in KEYS] == sql_total
    row(f"county roll-up of {len(roll['rows'])} townships", orm, sql, f"same totals: {same}")
    del sums


if __name__ == "__main__":
    main()
