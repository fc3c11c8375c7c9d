"""Report figures computed from Case rows (and ratings). One definition for pages, API and Excel.

Per month M (first day .. last day):
- received: submitted_on in M;  accepted: accepted_on in M;
- concluded: a decision was made (decided_on set) and concluded_on in M — declined and withdrawn
  applications are not conclusions; declined: state declined and concluded_on in M;
- on time / overdue: concluded in M with concluded_on <= / > promised_due;
- open overdue: accepted by the month's end, not concluded by then, promised_due before it;
- proxy (channel proxy) on time / overdue are against proxy_due (promised limit + 5 working days);
  delivered: closed_on in M.
- errands (便民服务, counted apart from cases): registered in M and handed over in M, per village.
"""

import calendar as pycal
import datetime as dt
from collections import defaultdict

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from bianmin.cases.models import Case, Channel, State
from bianmin.catalog.models import ItemVersion
from bianmin.orgs.models import Region, Unit, UnitKind
from bianmin.workdays import calendar as workdays

COUNT_KEYS = (
    "received",
    "accepted",
    "concluded",
    "on_time",
    "overdue",
    "declined",
    "open_overdue",
)
PROXY_KEYS = ("received", "concluded", "on_time", "overdue", "delivered")


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    last = first.replace(day=pycal.monthrange(first.year, first.month)[1])
    return first, last


def parse_month(text: str) -> dt.date | None:
    try:
        year, mon = str(text).split("-")
        return dt.date(int(year), int(mon), 1)
    except (ValueError, TypeError):
        return None


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def unit_cases_q(unit: Unit | None, path: str = "") -> Q:
    """The cases a unit's figures cover: a township centre its township (its own hall and its
    villages), a village station its village, a department those it decides, the county centre
    the whole county; None: every case. `path` reaches the case from another model ("case__")."""
    if unit is None:
        return Q()
    if unit.kind == UnitKind.DEPARTMENT:
        return Q(**{f"{path}deciding_unit": unit})
    if unit.kind == UnitKind.WINDOW and unit.parent_id:
        unit = unit.parent
    return Q(**{f"{path}region__code__startswith": unit.region.prefix})


def cases_of_unit(unit: Unit | None):
    """The approval cases of `unit_cases_q` (errands are counted apart)."""
    return Case.objects.filter(unit_cases_q(unit))


def _rate(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def count_aggregates(first: dt.date, last: dt.date) -> dict:
    """Every count of the report as a conditional aggregate over Case rows: the one definition
    the township report, the county roll-up and the public statistics all use (module docstring).

    Counts are additive over any partition of the cases (by village, item or township), which is
    what lets one GROUP BY answer a whole county without a second definition.
    """
    return {key: Count("pk", filter=q) for key, q in count_conditions(first, last).items()}


def count_conditions(first: dt.date, last: dt.date) -> dict[str, Q]:
    """The condition of every count of the month (module docstring): a count's cases are the
    cases of its unit filtered by its condition, so a list of them has the count's length."""
    month = (first, last)
    concluded = Q(decided_on__isnull=False, concluded_on__range=month)
    on_time = Q(promised_due__isnull=True) | Q(concluded_on__lte=F("promised_due"))
    proxy = Q(channel=Channel.PROXY)
    # Proxy cases answer to the proxy limit (promised + 5 working days) when it is set.
    proxy_on_time = (
        Q(proxy_due__isnull=False, concluded_on__lte=F("proxy_due"))
        | Q(proxy_due__isnull=True, promised_due__isnull=True)
        | Q(proxy_due__isnull=True, concluded_on__lte=F("promised_due"))
    )
    proxy_late = Q(proxy_due__isnull=False, concluded_on__gt=F("proxy_due")) | Q(
        proxy_due__isnull=True, concluded_on__gt=F("promised_due")
    )
    conditions = {
        "received": Q(submitted_on__range=month),
        "accepted": Q(accepted_on__range=month),
        "concluded": concluded,
        "on_time": concluded & on_time,
        "overdue": concluded & Q(concluded_on__gt=F("promised_due")),
        "declined": Q(state=State.DECLINED, concluded_on__range=month),
        "open_overdue": Q(accepted_on__lte=last, promised_due__lt=last)
        & (Q(concluded_on__isnull=True) | Q(concluded_on__gt=last)),
        "proxy_received": proxy & Q(submitted_on__range=month),
        "proxy_concluded": proxy & concluded,
        "proxy_on_time": proxy & concluded & proxy_on_time,
        "proxy_overdue": proxy & concluded & proxy_late,
        "proxy_delivered": proxy & Q(closed_on__range=month),
    }
    return conditions


def _relevant(qs, first: dt.date, last: dt.date):
    """Cases touching the month: any date in it, or accepted before its end and still open then.

    Every counted case passes this filter; it exists so the date indexes (`case_*_on`) can find
    the month's few thousand rows instead of scanning the region. "Still open" is written as two
    disjuncts (never concluded / concluded after the month) because each is then an index range.
    """
    in_month = Q()
    for f in ("submitted_on", "accepted_on", "concluded_on", "closed_on"):
        in_month |= Q(**{f"{f}__range": (first, last)})
    still_open = Q(accepted_on__lte=last, concluded_on__isnull=True) | Q(
        accepted_on__lte=last, concluded_on__gt=last
    )
    return qs.filter(in_month | still_open)


def grouped_counts(qs, first: dt.date, last: dt.date, *group, **extra) -> list[dict]:
    """The counts of `count_aggregates` for the month, one row per value of `group` (fields);
    without `group`, one row for all of `qs`."""
    if not group:
        return [_relevant(qs, first, last).aggregate(**count_aggregates(first, last), **extra)]
    return list(
        _relevant(qs, first, last)
        .order_by()
        .values(*group)
        .annotate(**count_aggregates(first, last), **extra)
    )


def _finish(row: dict) -> tuple[dict, dict]:
    """(counts, proxy counts) of a row of `grouped_counts` (or a sum of rows), with the rates."""
    c = {k: row.get(k, 0) for k in COUNT_KEYS}
    c["on_time_rate"] = _rate(c["on_time"], c["concluded"])
    p = {k: row.get(f"proxy_{k}", 0) for k in PROXY_KEYS}
    p["on_time_rate"] = _rate(p["on_time"], p["concluded"])
    return c, p


ALL_KEYS = (*COUNT_KEYS, *(f"proxy_{k}" for k in PROXY_KEYS))


def _sum(rows) -> dict:
    out = dict.fromkeys(ALL_KEYS, 0)
    for r in rows:
        for k in ALL_KEYS:
            out[k] += r[k]
    return out


def satisfaction_split(unit: Unit | None, first: dt.date, last: dt.date) -> dict[str, dict]:
    """First ratings (not removed) given in the month to the cases of `unit_cases_q(unit)`, in
    all and per channel: {"all", "onsite", "online"} (`ratings.selectors.satisfaction_by_channel`,
    where ratings are counted)."""
    from bianmin.ratings.selectors import satisfaction_by_channel

    # The month as an instant range in the county's time zone: the same ratings as comparing
    # local dates, without converting every rating's time. Joined from the ratings side, so the
    # month's ratings are read instead of every case of the region.
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return satisfaction_by_channel(cases_q=unit_cases_q(unit, "case__"), start=start, end=end)


def satisfaction(unit: Unit | None, first: dt.date, last: dt.date) -> dict:
    """First ratings (not removed) given in the month to the cases of `unit_cases_q(unit)`."""
    return satisfaction_split(unit, first, last)["all"]


def errand_counts(unit: Unit, first: dt.date, last: dt.date) -> dict[str, dict]:
    """Errands per region code: {"registered": n, "handed_over": n} (not cases: `Case.errands`)."""
    if unit.kind == UnitKind.DEPARTMENT:
        return {}
    base = unit.parent if unit.kind == UnitKind.WINDOW and unit.parent_id else unit
    out: dict = defaultdict(lambda: {"registered": 0, "handed_over": 0})
    rows = Case.errands.filter(region__code__startswith=base.region.prefix).filter(
        Q(submitted_on__range=(first, last)) | Q(closed_on__range=(first, last))
    )
    for code, submitted, closed, state in rows.values_list(
        "region__code", "submitted_on", "closed_on", "state"
    ):
        if first <= submitted <= last:
            out[code]["registered"] += 1
        if state == State.HANDED_OVER and closed and first <= closed <= last:
            out[code]["handed_over"] += 1
    return out


def _report_regions(region: Region) -> list[Region]:
    if region.level == "village":
        return [region]
    return [region, *Region.objects.filter(parent=region).order_by("code")]


def monthly_figures(unit: Unit, month: dt.date) -> dict:
    """The figures of `unit`'s monthly report for `month`, by item and by village.

    One grouped query (region x item) gives every count; items, villages and totals are its sums.
    """
    first, last = month_bounds(month)
    case_qs = cases_of_unit(unit)
    groups = grouped_counts(
        case_qs, first, last, "region__code", "item_version__item_id", version=Max("item_version")
    )
    by_item: dict = defaultdict(list)
    by_region: dict = defaultdict(list)
    for g in groups:
        by_item[g["item_version__item_id"]].append(g)
        by_region[g["region__code"]].append(g)
    # An item's name is that of its newest version among the cases counted.
    names = dict(
        ItemVersion.objects.filter(pk__in={g["version"] for g in groups})
        .order_by("item_id", "pk")
        .values_list("item_id", "name")
    )
    items = []
    for key, group in by_item.items():
        counts, _proxy = _finish(_sum(group))
        if any(counts[k] for k in COUNT_KEYS):
            items.append({"item_id": key, "item": names.get(key, ""), **counts})
    items.sort(key=lambda i: (-i["received"], i["item"]))
    # Every village of the township is listed (zero rows too): the county compares them.
    errands = errand_counts(unit, first, last)
    villages = []
    for reg in _report_regions(unit.region):
        counts, proxy = _finish(_sum(by_region.get(reg.code, [])))
        villages.append(
            {
                "region_code": reg.code,
                "name": reg.name if reg.level == "village" else f"{reg.name}（本级）",
                **counts,
                "proxy": proxy,
                "errands": dict(errands.get(reg.code, {"registered": 0, "handed_over": 0})),
            }
        )
    totals, proxy_totals = _finish(_sum(groups))
    return {
        "unit_id": unit.pk,
        "unit": unit.name,
        "month": f"{first:%Y-%m}",
        "totals": totals,
        "proxy_totals": proxy_totals,
        "by_item": items,
        "by_village": villages,
        "errand_totals": {
            key: sum(e[key] for e in errands.values()) for key in ("registered", "handed_over")
        },
        **_satisfaction_keys(satisfaction_split(unit, first, last)),
    }


def _satisfaction_keys(split: dict[str, dict]) -> dict:
    """The report's satisfaction: in all (as before) and split by channel (现场 / 网上)."""
    return {
        "satisfaction": split["all"],
        "satisfaction_by_channel": {k: v for k, v in split.items() if k != "all"},
    }


def township_totals(units: list[Unit], month: dt.date) -> dict[int, dict]:
    """{unit pk: {"totals", "proxy_totals"}} of several township centres' reports for `month`,
    from one query grouped by region whatever the number of townships: the same counts
    (`count_aggregates`) and the same cases (`cases_of_unit`) as `monthly_figures`."""
    if not units:
        return {}
    first, last = month_bounds(month)
    prefixes = {u.pk: u.region.prefix for u in units}
    under = Q()
    for prefix in prefixes.values():
        under |= Q(region__code__startswith=prefix)
    rows = grouped_counts(Case.objects.filter(under), first, last, "region__code")
    out = {}
    for pk, prefix in prefixes.items():
        totals, proxy = _finish(_sum(r for r in rows if r["region__code"].startswith(prefix)))
        out[pk] = {"totals": totals, "proxy_totals": proxy}
    return out


def region_own_totals(region: Region, others: list[Region], month: dt.date) -> dict:
    """{"totals", "proxy_totals"} of the cases of `region` that lie under none of `others` (a
    county's own cases beside its townships': 县本级), so that the rows of a roll-up add up to
    the region's figures."""
    first, last = month_bounds(month)
    qs = Case.objects.filter(region__code__startswith=region.prefix)
    for other in others:
        qs = qs.exclude(region__code__startswith=other.prefix)
    totals, proxy = _finish(_sum(grouped_counts(qs, first, last)))
    return {"totals": totals, "proxy_totals": proxy}


def public_figures(unit: Unit | None, months: list[dt.date]) -> dict:
    """Public statistics: month by month volume, on-time rate and satisfaction, and the average
    working days from acceptance to conclusion per item (cases concluded in those months)."""
    case_qs = cases_of_unit(unit)
    series = []
    for m in months:
        first, last = month_bounds(m)
        c, _proxy = _finish(_sum(grouped_counts(case_qs, first, last)))
        split = satisfaction_split(unit, first, last)
        s, onsite, online = split["all"], split["onsite"], split["online"]
        series.append(
            {
                "month": f"{first:%Y-%m}",
                "received": c["received"],
                "concluded": c["concluded"],
                "on_time_rate": c["on_time_rate"],
                "satisfaction": s["good_rate"],
                "ratings": s["ratings"],
                # The same figures per channel: on site (评价器) and online.
                "ratings_onsite": onsite["ratings"],
                "satisfaction_onsite": onsite["good_rate"],
                "ratings_online": online["ratings"],
                "satisfaction_online": online["good_rate"],
            }
        )
    first, last = month_bounds(months[0])[0], month_bounds(months[-1])[1]
    done = case_qs.filter(
        decided_on__isnull=False,
        accepted_on__isnull=False,
        concluded_on__range=(first, last),
    ).values_list("item_version__item_id", "item_version__name", "accepted_on", "concluded_on")
    per_item: dict = {}
    for item_id, name, accepted, concluded in done:
        days = workdays.workdays_between(accepted, concluded).workdays
        entry = per_item.setdefault(item_id, {"item": name, "cases": 0, "days": 0})
        entry["cases"] += 1
        entry["days"] += days
    items = sorted(
        (
            {
                "item": e["item"],
                "cases": e["cases"],
                "avg_workdays": round(e["days"] / e["cases"], 1),
            }
            for e in per_item.values()
        ),
        key=lambda e: (-e["cases"], e["item"]),
    )
    return {"unit": unit.name if unit else None, "months": series, "items": items}
