"""The tier figures' SQL: per-database (SQLite, PostgreSQL) local dates and the one query that
sums the working days of every custody hop of the period (`tier_workdays`)."""

import datetime as dt
from collections import Counter
from collections.abc import Mapping

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone

from bianmin.cases.models import FINAL_STATES, Custody
from bianmin.workdays import calendar


def fixed_offset(zone) -> dt.timedelta | None:
    """The zone's UTC offset when it has not changed for the last 30 years (Asia/Shanghai: +8
    since 1992), else None. SQLite can then take local dates with a plain modifier instead of
    Django's per-row Python function."""
    year = timezone.localdate().year
    offsets = {
        dt.datetime(y, m, 1, tzinfo=dt.UTC).astimezone(zone).utcoffset()
        for y in range(year - 30, year + 2)
        for m in (1, 7)
    }
    return offsets.pop() if len(offsets) == 1 else None


def _local_date_sql(column: str, connection) -> tuple[str, list]:
    """SQL for the local (county time zone) date of a stored instant `column`, and its params."""
    zone = timezone.get_current_timezone()
    offset = fixed_offset(zone) if connection.vendor == "sqlite" else None
    if offset is not None:
        # Django stores naive UTC text on SQLite; date() with a modifier shifts it in C.
        return f"date({column}, %s)", [f"{int(offset.total_seconds())} seconds"]
    return connection.ops.datetime_cast_date_sql(column, (), str(zone))


_TIER_SQL = """
WITH hop (case_id, sent_at, hop_id, unit_id, state, closed_on, concluded_on, region_code)
  AS ({hops}),
span AS (
  SELECT case_id, region_code,
    CASE WHEN unit_id IN ({village}) THEN 'village'
         WHEN unit_id IN ({township}) THEN 'township' ELSE 'county' END AS tier,
    {start} AS start_day,
    COALESCE(
      LEAD({start}) OVER (PARTITION BY case_id ORDER BY sent_at, hop_id),
      CASE WHEN state IN ({finals}) THEN COALESCE(closed_on, concluded_on, %s) ELSE %s END
    ) AS stop_day
  FROM hop
)
SELECT {key}, 0, NULL, COUNT(DISTINCT case_id) FROM span GROUP BY {key}
UNION ALL
SELECT {key}, 1, stop_day, COUNT(*) FROM span WHERE stop_day >= start_day GROUP BY {key}, stop_day
UNION ALL
SELECT {key}, -1, start_day, COUNT(*) FROM span WHERE stop_day >= start_day
  GROUP BY {key}, start_day
"""


def tier_workdays(
    hops: QuerySet[Custody],
    *,
    today: dt.date,
    snap: calendar.Snapshot,
    tiers: Mapping[int, str],
    by_region: bool = False,
) -> tuple[Counter, Counter]:
    """Working days cases spent at each tier, and how many cases were there, over the custody
    hops `hops`: a hop counts from the day it was sent to its unit until the day the case was
    sent on, or to closure (concluded, else `today`) for a finished case and to `today` for an
    unfinished one; a hop whose end falls before its start counts 0 (RULES.md "Supervision").

    The database pairs each hop with the next (LEAD) and returns, per tier and day, how many
    hops start and end there: working days between two days are the difference of a running
    workday count, so the sum over hops is the sum of running counts at the ends minus those at
    the starts. Only a few thousand (tier, day) rows reach Python, not every hop; the figures are
    exactly those of counting each hop. `by_region`: keyed by (the case's region code, tier)
    instead of tier (what a closed month stores, `settled`).
    """
    connection = connections[hops.db]
    hop_sql, hop_params = (
        hops.order_by()
        .values_list(
            "case_id",
            "sent_at",
            "pk",
            "to_unit_id",
            "case__state",
            "case__closed_on",
            "case__concluded_on",
            "case__region__code",
        )
        .query.get_compiler(using=hops.db)
        .as_sql()
    )
    start, start_params = _local_date_sql("sent_at", connection)
    village = [pk for pk, t in tiers.items() if t == "village"] or [0]
    township = [pk for pk, t in tiers.items() if t == "township"] or [0]
    finals = sorted(FINAL_STATES)
    sql = _TIER_SQL.format(
        hops=hop_sql,
        village=", ".join(["%s"] * len(village)),
        township=", ".join(["%s"] * len(township)),
        start=start,
        finals=", ".join(["%s"] * len(finals)),
        key="region_code, tier" if by_region else "tier",
    )
    day = today.isoformat() if connection.vendor == "sqlite" else today
    params = [
        *hop_params,
        *village,
        *township,
        *start_params,
        *start_params,
        *finals,
        day,
        day,
    ]
    tier_days: Counter = Counter()
    tier_cases: Counter = Counter()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for *key, sign, when, n in cursor.fetchall():
            tier = tuple(key) if by_region else key[0]
            if sign == 0:
                tier_cases[tier] = n
            else:
                # Working days from the calendar's first day: only differences mean anything.
                tier_days[tier] += sign * n * snap.workdays_after(dt.date.min, _as_date(when))
    return tier_days, tier_cases


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
