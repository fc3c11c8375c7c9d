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

from django.db.models import Q

from bianmin.cases.models import Case, Channel, State
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


def cases_of_unit(unit: Unit):
    """The cases a unit's figures cover: a township centre its township (its own hall and its
    villages), a village station its village, a department those it decides, the county centre
    the whole county."""
    qs = Case.objects.all()
    if unit.kind == UnitKind.DEPARTMENT:
        return qs.filter(deciding_unit=unit)
    if unit.kind == UnitKind.WINDOW and unit.parent_id:
        unit = unit.parent
    return qs.filter(region__code__startswith=unit.region.prefix)


def _rate(n: int, d: int) -> float | None:
    return round(100.0 * n / d, 1) if d else None


def _counts(rows: list[dict], first: dt.date, last: dt.date) -> dict:
    c = dict.fromkeys(COUNT_KEYS, 0)
    for r in rows:
        if r["submitted_on"] and first <= r["submitted_on"] <= last:
            c["received"] += 1
        if r["accepted_on"] and first <= r["accepted_on"] <= last:
            c["accepted"] += 1
        concluded_in = bool(r["concluded_on"] and first <= r["concluded_on"] <= last)
        if concluded_in and r["decided_on"] is not None:
            c["concluded"] += 1
            if r["promised_due"] is not None and r["concluded_on"] > r["promised_due"]:
                c["overdue"] += 1
            else:
                c["on_time"] += 1
        if concluded_in and r["state"] == State.DECLINED:
            c["declined"] += 1
        if (
            r["accepted_on"]
            and r["accepted_on"] <= last
            and (r["concluded_on"] is None or r["concluded_on"] > last)
            and r["promised_due"] is not None
            and r["promised_due"] < last
        ):
            c["open_overdue"] += 1
    c["on_time_rate"] = _rate(c["on_time"], c["concluded"])
    return c


def _proxy_counts(rows: list[dict], first: dt.date, last: dt.date) -> dict:
    c = dict.fromkeys(PROXY_KEYS, 0)
    for r in rows:
        if r["channel"] != Channel.PROXY:
            continue
        if first <= r["submitted_on"] <= last:
            c["received"] += 1
        if r["decided_on"] and r["concluded_on"] and first <= r["concluded_on"] <= last:
            c["concluded"] += 1
            due = r["proxy_due"] or r["promised_due"]
            if due is not None and r["concluded_on"] > due:
                c["overdue"] += 1
            else:
                c["on_time"] += 1
        if r["closed_on"] and first <= r["closed_on"] <= last:
            c["delivered"] += 1
    c["on_time_rate"] = _rate(c["on_time"], c["concluded"])
    return c


FIELDS = (
    "pk",
    "state",
    "channel",
    "submitted_on",
    "accepted_on",
    "decided_on",
    "concluded_on",
    "closed_on",
    "promised_due",
    "proxy_due",
    "region__code",
    "item_version__item_id",
    "item_version__name",
)


def _relevant(qs, first: dt.date, last: dt.date):
    """Cases touching the month: any date in it, or accepted before its end and still open then."""
    in_month = Q()
    for f in ("submitted_on", "accepted_on", "concluded_on", "closed_on"):
        in_month |= Q(**{f"{f}__range": (first, last)})
    still_open = Q(accepted_on__lte=last) & (
        Q(concluded_on__isnull=True) | Q(concluded_on__gt=last)
    )
    return qs.filter(in_month | still_open).values(*FIELDS)


def satisfaction(case_qs, first: dt.date, last: dt.date) -> dict:
    from bianmin.ratings.models import BAD_LEVELS, GOOD_LEVELS, Rating, RatingKind

    levels = list(
        Rating.objects.filter(
            case__in=case_qs,
            kind=RatingKind.INITIAL,
            removed=False,
            rated_at__date__range=(first, last),
        ).values_list("level", flat=True)
    )
    good = sum(1 for v in levels if v in GOOD_LEVELS)
    bad = sum(1 for v in levels if v in BAD_LEVELS)
    return {"ratings": len(levels), "good": good, "bad": bad, "good_rate": _rate(good, len(levels))}


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


def monthly_figures(unit: Unit, month: dt.date) -> dict:
    """The figures of `unit`'s monthly report for `month`, by item and by village."""
    first, last = month_bounds(month)
    case_qs = cases_of_unit(unit)
    rows = list(_relevant(case_qs, first, last))
    by_item: dict = defaultdict(list)
    names: dict = {}
    for r in rows:
        by_item[r["item_version__item_id"]].append(r)
        names.setdefault(r["item_version__item_id"], r["item_version__name"])
    items = [
        {"item_id": key, "item": names[key], **_counts(group, first, last)}
        for key, group in by_item.items()
    ]
    items = [i for i in items if any(i[k] for k in COUNT_KEYS)]
    items.sort(key=lambda i: (-i["received"], i["item"]))
    # Every village of the township is listed (zero rows too): the county compares them.
    region = unit.region
    villages = []
    if region.level != "village":
        regions = [region, *Region.objects.filter(parent=region).order_by("code")]
    else:
        regions = [region]
    errands = errand_counts(unit, first, last)
    for reg in regions:
        group = [r for r in rows if r["region__code"] == reg.code]
        villages.append(
            {
                "region_code": reg.code,
                "name": reg.name if reg.level == "village" else f"{reg.name}（本级）",
                **_counts(group, first, last),
                "proxy": _proxy_counts(group, first, last),
                "errands": dict(errands.get(reg.code, {"registered": 0, "handed_over": 0})),
            }
        )
    return {
        "unit_id": unit.pk,
        "unit": unit.name,
        "month": f"{first:%Y-%m}",
        "totals": _counts(rows, first, last),
        "proxy_totals": _proxy_counts(rows, first, last),
        "by_item": items,
        "by_village": villages,
        "errand_totals": {
            key: sum(e[key] for e in errands.values()) for key in ("registered", "handed_over")
        },
        "satisfaction": satisfaction(case_qs, first, last),
    }


def public_figures(unit: Unit | None, months: list[dt.date]) -> dict:
    """Public statistics: month by month volume, on-time rate and satisfaction, and the average
    working days from acceptance to conclusion per item (cases concluded in those months)."""
    case_qs = cases_of_unit(unit) if unit is not None else Case.objects.all()
    series = []
    for m in months:
        first, last = month_bounds(m)
        rows = list(_relevant(case_qs, first, last))
        c = _counts(rows, first, last)
        s = satisfaction(case_qs, first, last)
        series.append(
            {
                "month": f"{first:%Y-%m}",
                "received": c["received"],
                "concluded": c["concluded"],
                "on_time_rate": c["on_time_rate"],
                "satisfaction": s["good_rate"],
                "ratings": s["ratings"],
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
