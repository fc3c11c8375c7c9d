"""Disclosure (公开公示) boards: a unit's items, cases with names and numbers masked, the month's
counts, the delegation lists and the duty roster."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.cases.models import FINAL_STATES, Case, State
from bianmin.catalog import selectors as catalog
from bianmin.catalog.models import ItemVersion, Tier
from bianmin.common.errors import NotFound
from bianmin.orgs.models import Unit, UnitKind
from bianmin.reports.figures import cases_of_unit, count_conditions, month_bounds


def mask_name(name: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; enterprise names keep their first four characters."""
    name = name or ""
    if len(name) <= 1:
        return name
    if len(name) > 5:
        return name[:4] + "*" * 3
    return name[0] + "*" * (len(name) - 1)


def mask_number(number: str) -> str:
    """Keep the readable prefix, hide the random tail: the number must not let anyone look it up."""
    parts = number.split("-")
    if len(parts) >= 4:
        parts[3] = parts[3][:2] + "******"
    return "-".join(parts)


def unit_items_filter(unit: Unit) -> dict[str, str]:
    """The guide list's filter that lists the items a unit handles (`unit_items`): a
    department's own items, else what its tier takes in."""
    if unit.kind == UnitKind.DEPARTMENT:
        return {"department": unit.code}
    return {"tier": unit.tier}


def unit_items(unit: Unit) -> QuerySet[ItemVersion]:
    """Items a unit handles: its own as implementing unit, plus what its tier takes in."""
    where = unit_items_filter(unit)
    return catalog.item_list_published(tier=where.get("tier"), department=where.get("department"))


def unit_cases(unit: Unit) -> QuerySet[Case]:
    """The cases a unit's public figures and results cover: the reports' definition
    (`reports.figures.unit_cases_q`): a hall with its windows and its area (the county centre
    the whole county, a township centre its township, a station its village), a department
    those it decides."""
    return cases_of_unit(unit)


def concluded_cases(unit: Unit, *, limit: int = 20) -> list[dict]:
    """Results published on the board, masked: no full number, name or phone."""
    rows = (
        unit_cases(unit)
        .filter(concluded_on__isnull=False)
        .select_related("item_version")
        .order_by("-concluded_on", "-pk")[:limit]
    )
    return [masked(c) for c in rows]


@dataclass
class MonthStats:
    month: dt.date
    received: int
    accepted: int
    concluded: int
    on_time: int
    open_now: int

    @property
    def on_time_rate(self) -> str:
        if not self.concluded:
            return "—"
        return f"{100 * self.on_time / self.concluded:.0f}%"


# The counts of a board's 本月统计, each with a public list of the cases it counts.
BOARD_FIGURES = {
    "received": _("本月收件"),
    "accepted": _("本月受理"),
    "concluded": _("本月办结"),
    "open_now": _("在办"),
}


def board_cases(unit: Unit, figure: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases one count of a board's 本月统计 counts (`BOARD_FIGURES`): the month's counts
    by the report definitions (`reports.figures.count_conditions`) over the unit's cases, and
    the cases still in hand now."""
    today = today or timezone.localdate()
    cases = unit_cases(unit)
    if figure == "open_now":
        return cases.exclude(state__in=FINAL_STATES).filter(concluded_on__isnull=True)
    if figure not in BOARD_FIGURES and figure != "on_time":
        raise NotFound("figure")
    return cases.filter(count_conditions(*month_bounds(today))[figure])


def month_stats(unit: Unit, *, today: dt.date | None = None) -> MonthStats:
    today = today or timezone.localdate()
    counts = {f: board_cases(unit, f, today=today).count() for f in (*BOARD_FIGURES, "on_time")}
    return MonthStats(month=today.replace(day=1), **counts)


def board_case_rows(unit: Unit, figure: str, *, today: dt.date | None = None) -> QuerySet[Case]:
    """The cases of one board count, newest first, for the public list (masked by `masked`)."""
    return (
        board_cases(unit, figure, today=today)
        .select_related("item_version")
        .order_by("-submitted_on", "-pk")
    )


def masked(case: Case) -> dict:
    """What the public may see of a case on a board: no full number, name or phone."""
    return {
        "number": mask_number(case.number),
        "item": case.title,
        "applicant": mask_name(case.applicant_name),
        "submitted_on": case.submitted_on,
        "concluded_on": case.concluded_on,
        "state": case.get_state_display(),
        "result": _result(case) if case.concluded_on else "",
    }


def _result(case: Case) -> str:
    if case.state in (State.DECLINED, State.WITHDRAWN, State.TERMINATED, State.REVOKED):
        return case.get_state_display()
    return "准予" if case.approved else ("不予批准" if case.approved is False else "办结")


def delegation_lists() -> list[tuple[str, str, QuerySet[ItemVersion]]]:
    """The county board's delegation lists: items the village takes by proxy, the township
    accepts, the county accepts (委托/下放 lists by tier)."""
    return [
        ("village", str(Tier.VILLAGE.label), catalog.item_list_published(village_proxy=True)),
        ("township", str(Tier.TOWNSHIP.label), catalog.item_list_published(tier=Tier.TOWNSHIP)),
        ("county", str(Tier.COUNTY.label), catalog.item_list_published(tier=Tier.COUNTY)),
    ]


def duty_roster(unit: Unit):
    """The unit's published duty roster of this month (staffing app), or None when there is none
    or the staffing app is not installed."""
    try:
        from bianmin.staffing.selectors import roster_for_unit
    except ImportError:
        return None
    return roster_for_unit(unit=unit, month=timezone.localdate())
