"""An unfinished case as the dashboard's lists read it (`Listed`): the overdue cases with their
red clocks and who holds them since when, the applications waiting for acceptance, the late
deferred materials. Built from the light rows a board reads (`case_rows.OpenCase`) or from the
rows kept between boards (`models.LiveCase`), which store its clocks as JSON (`deadlines_json`)."""

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from bianmin.cases.deadlines import arrived_on
from bianmin.cases.routing import can_accept_here

from .case_rows import OpenCase
from .clocks import Deadline, case_deadlines


class Material(NamedTuple):
    """A deferred material with its due day."""

    pk: int
    name: str
    due_on: dt.date


@dataclass(slots=True, eq=False)
class Listed:
    pk: int
    number: str
    state: str
    item_id: int  # its item's warning threshold applies (0: none)
    title: str
    unit_name: str
    holder: str  # the assignee's staff name, else username ("" when unassigned)
    can_accept: bool  # its current unit may accept it (`routing.can_accept_here`)
    arrived_on: dt.date | None  # at its current unit (`deadlines.arrived_on`)
    deadlines: list[Deadline]
    materials: list[Material]

    @property
    def arrived(self) -> dt.date:
        if self.arrived_on is None:  # hops not read: neither red nor waiting for acceptance
            raise LookupError(f"{self.number}: arrival not read")
        return self.arrived_on


def listed_of(case: OpenCase, hops: Iterable | None, *, snap) -> Listed:
    """`case` as the lists read it; `hops`: its custody hops (None when not read: the case is
    neither red nor waiting for acceptance, and its arrival is not asked for)."""
    return Listed(
        pk=case.pk,
        number=case.number,
        state=case.state,
        item_id=case.item_version.item_id if case.item_version else 0,
        title=case.title,
        unit_name=case.current_unit.name,
        holder=case.assigned_name,
        can_accept=can_accept_here(case),
        arrived_on=arrived_on(case, hops) if hops is not None else None,
        deadlines=case_deadlines(case, snap=snap),
        materials=materials_of(case),
    )


def materials_of(case: OpenCase) -> list[Material]:
    return [Material(m.pk, m.name, m.due_on) for m in case.materials.all() if m.due_on]


@functools.lru_cache(maxsize=4096)
def _day(value: str) -> dt.date:
    # Thousands of clocks share a few hundred days.
    return dt.date.fromisoformat(value)


def deadlines_json(deadlines: Iterable[Deadline]) -> list[list[Any]]:
    return [
        [
            d.clock,
            d.subject,
            d.text,
            d.due.isoformat(),
            d.limit,
            [[start.isoformat(), end.isoformat()] for start, end in d.pauses],
            d.stops_on.isoformat() if d.stops_on else None,
            list(d.arg) if d.arg else None,
        ]
        for d in deadlines
    ]


def deadlines_of(stored: list[list[Any]]) -> list[Deadline]:
    return [
        Deadline(
            clock,
            subject,
            text,
            _day(due),
            limit,
            tuple((_day(a), _day(b)) for a, b in pauses),
            _day(stops_on) if stops_on else None,
            (arg[0], arg[1]) if arg else None,
        )
        for clock, subject, text, due, limit, pauses, stops_on, arg in stored
    ]


def materials_json(materials: Iterable[Material]) -> list[list[Any]]:
    return [[m.pk, m.name, m.due_on.isoformat()] for m in materials]


def materials_from(stored: list[list[Any]]) -> list[Material]:
    return [Material(pk, name, _day(due)) for pk, name, due in stored]
