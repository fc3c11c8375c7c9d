"""The dashboard's count panels: totals and states, the child regions' rows (with the region's
own row), the units' rows, the overdue cases, and a village's case list."""

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from bianmin.cases.models import State
from bianmin.orgs.models import RegionLevel, Unit
from bianmin.workdays import calendar

from .. import clocks
from .board import Board
from .regions import own_row_name


def tally(rows: Sequence[Mapping[str, Any]]) -> dict:
    """Cases counted by state, and the unfinished ones by colour (`rows`: counted groups, those
    of unfinished states with their colour counts, `board.Board.groups`)."""
    by_state: Counter = Counter()
    green = yellow = red = 0
    for g in rows:
        by_state[g["state"]] += g["n"]
        if clocks.RED in g:
            green, yellow, red = (
                green + g[clocks.GREEN],
                yellow + g[clocks.YELLOW],
                red + g[clocks.RED],
            )
    return {
        "total": sum(by_state.values()),
        "open": sum(n for s, n in by_state.items() if s in clocks.UNFINISHED_STATES),
        "green": green,
        "yellow": yellow,
        "red": red,
        "by_state": dict(by_state),
    }


def totals_panel(board: Board) -> dict:
    return tally(board.groups)


def states_panel(totals: dict) -> list[dict]:
    """The states that have cases, in the workflow's order."""
    labels = dict(State.choices)
    return [
        {"state": s, "label": labels[s], "count": totals["by_state"].get(s, 0)}
        for s in State.values
        if totals["by_state"].get(s)
    ]


def children_panel(board: Board) -> list[dict]:
    """One row per child region the viewer sees. Cases of the region itself (held at its own
    hall: county-level cases, a township's own) fall under no child: they form the region's own
    row, so that the rows add up to the region's totals."""
    region, scope = board.region, board.scope
    kids = [child for child in region.children.order_by("code") if scope.can_see_region(child.code)]
    # Rows sorted to the child regions in one pass (a child's cases are those whose region code
    # starts with its prefix).
    kid_rows: dict[str, list[Mapping[str, Any]]] = {k.prefix: [] for k in kids}
    own_rows: list[Mapping[str, Any]] = []
    widths = sorted({len(k.prefix) for k in kids})

    def bucket_of(code: str) -> list:
        for w in widths:
            if (bucket := kid_rows.get(code[:w])) is not None:
                return bucket
        return own_rows

    for g in board.groups:
        bucket_of(g["region__code"]).append(g)
    children = [
        {"code": k.code, "name": k.name, "level": k.level, "own": False} | tally(kid_rows[k.prefix])
        for k in kids
    ]
    if kids:
        children.append(
            {"code": region.code, "name": own_row_name(region), "level": region.level, "own": True}
            | tally(own_rows)
        )
    return children


def units_panel(board: Board) -> list[dict]:
    """One row per unit holding cases of the region, by kind."""
    by_unit: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for g in board.groups:
        by_unit[g["current_unit_id"]].append(g)
    units = Unit.objects.in_bulk(list(by_unit))
    return [
        {
            "id": uid,
            "name": units[uid].name,
            "kind": units[uid].kind,
            "kind_label": units[uid].get_kind_display(),
        }
        | tally(rows)
        for uid, rows in sorted(by_unit.items(), key=lambda kv: (units[kv[0]].kind, kv[0]))
    ]


def overdue_panel(board: Board) -> list[dict]:
    """The red cases with who holds them since when (the day their unit received them), most
    overdue first."""
    labels = dict(State.choices)
    overdue: list[dict[str, Any]] = []
    held: dict[Any, int] = {}
    for c in board.cases:
        if board.colour_of.get(c.pk) != clocks.RED:
            continue
        red = [s for s in board.clock_states[c.pk] if s.colour == clocks.RED]
        since = c.arrived
        if since not in held:  # thousands of red cases, a few hundred arrival days
            held[since] = calendar.workdays_between(since, board.today, snap=board.snap).workdays
        overdue.append(
            {
                "number": c.number,
                "item": c.title,
                "state": c.state,
                "state_label": labels.get(c.state, c.state),
                "unit": c.unit_name,
                "holder": c.holder,
                "held_since": since,
                "held_days": held[since],
                "over_days": max(s.over for s in red),
                "clocks": [s.label for s in red],
                "due": min(s.due for s in red),
            }
        )
    overdue.sort(key=lambda r: (-r["over_days"], r["number"]))
    return overdue


def village_cases_panel(board: Board) -> list[dict]:
    """A village's every case with its colour (the drill-down's last level); empty above it."""
    if board.region.level != RegionLevel.VILLAGE:
        return []
    labels = dict(State.choices)
    return [
        {
            "number": r["number"],
            "item": r["item_version__name"],
            "unit": r["current_unit__name"],
            "state": r["state"],
            "state_label": labels.get(r["state"], r["state"]),
            "colour": board.colour_of.get(r["pk"]),
        }
        for r in board.base.order_by("pk").values(
            "pk", "number", "item_version__name", "current_unit__name", "state"
        )
    ]
