"""The dashboard's tier figures: working days cases spent at the village, township and county
tiers over the period of current work, from the custody hops (summed in SQL: `tier_sql`)."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.cases.models import Case, Custody
from bianmin.orgs.models import Unit, UnitKind

from .. import clocks
from .board import Board
from .tier_sql import tier_workdays

# The tier figures cover the current work: unfinished cases and the cases finished this month
# and in the twelve months before it (whole months: closed months' figures are stored,
# `settled`).
TIER_PERIOD_MONTHS = 12

TIER_LABELS = {"village": _("村(社区)"), "township": _("乡镇(街道)"), "county": _("县(区)")}


def tier_period_start(today: dt.date) -> dt.date:
    """First day of the tier figures' period, the first of the month twelve months before
    today's: a finished case counts there when it was closed (else concluded) on or after this
    day; unfinished cases always count."""
    months = today.year * 12 + today.month - 1 - TIER_PERIOD_MONTHS
    return dt.date(months // 12, months % 12 + 1, 1)


def tier_of(unit) -> str:
    if unit.kind == UnitKind.WINDOW and unit.parent_id:
        unit = unit.parent
    return {
        UnitKind.VILLAGE_STATION: "village",
        UnitKind.TOWNSHIP_CENTRE: "township",
    }.get(unit.kind, "county")


def tiers_of_units() -> dict[int, str]:
    return {u.pk: tier_of(u) for u in Unit.objects.select_related("parent")}


def period_hops(base: QuerySet[Case], since: dt.date) -> QuerySet[Custody]:
    """The custody hops of the tier figures' cases: the unfinished ones and those closed (else
    concluded) on or after `since`."""
    in_period = base.filter(
        Q(state__in=clocks.UNFINISHED_STATES)
        | Q(closed_on__gte=since)
        | Q(closed_on=None, concluded_on__gte=since)
        | Q(closed_on=None, concluded_on=None)
    ).values("pk")
    return Custody.objects.filter(case__in=in_period.order_by())


def tiers_panel(board: Board) -> tuple[list[dict], dict]:
    """Per tier: the cases that were there, their working days and the average; and the
    period counted."""
    since = tier_period_start(board.today)
    if board.kept is not None:
        days, cases = board.kept.tier_days, board.kept.tier_cases
    else:
        days, cases = tier_workdays(
            period_hops(board.base, since),
            today=board.today,
            snap=board.snap,
            tiers=board.unit_tiers,
        )
    tiers = [
        {
            "tier": t,
            "label": TIER_LABELS[t],
            "cases": cases[t],
            "workdays": days[t],
            "average": round(days[t] / cases[t], 1) if cases[t] else 0,
        }
        for t in ("village", "township", "county")
    ]
    return tiers, {"since": since, "until": board.today}
