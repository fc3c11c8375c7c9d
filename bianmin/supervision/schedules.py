"""The days a case's worst colour turns yellow and red (`Schedule`), worked out once from its
clocks (`clocks.case_deadlines`): a clock's colour only worsens as days pass while nothing happens
to the case, so the boards keep these two days per case between boards (`models.LiveCase`) and
colour it on any later day without running its clocks (`colour_on`)."""

import datetime as dt
from typing import NamedTuple

from .clocks import GREEN, RED, YELLOW, Deadline, Memo, Threshold


class Schedule(NamedTuple):
    """The days a case's worst colour turns yellow and red (None: not while nothing happens to
    the case), valid from `since`: each clock's colour only worsens as days pass, so the worst
    of them is yellow from the first clock's yellow day and red from the first red day."""

    yellow_on: dt.date | None
    red_on: dt.date | None


def colour_on(schedule: Schedule, day: dt.date) -> str:
    if schedule.red_on is not None and day >= schedule.red_on:
        return RED
    if schedule.yellow_on is not None and day >= schedule.yellow_on:
        return YELLOW
    return GREEN


def schedule_of(
    deadlines: list[Deadline], *, since: dt.date, threshold: Threshold, snap, memo: Memo
) -> Schedule:
    """When a case's worst colour turns yellow and red on or after `since`, as `case_clocks`
    colours its `deadlines` (`case_deadlines`) on each of those days (`tests/test_settled.py`
    reads both day by day)."""
    turns = [
        deadline_schedule(d, since=since, threshold=threshold, snap=snap, memo=memo)
        for d in deadlines
    ]
    yellow = [t.yellow_on for t in turns if t.yellow_on is not None]
    red = [t.red_on for t in turns if t.red_on is not None]
    return Schedule(min(yellow, default=None), min(red, default=None))


def deadline_schedule(
    d: Deadline, *, since: dt.date, threshold: Threshold, snap, memo: Memo
) -> Schedule:
    key = (since, d.due, d.limit, threshold, d.pauses, d.stops_on)
    found = memo.schedules.get(key)
    if found is not None:
        return found
    # Red the day after the due day, unless the clock stopped on or before it.
    red_on = d.due + dt.timedelta(days=1)
    if d.stops_on is not None and d.stops_on <= d.due:
        red_on = None

    def warned(day: dt.date) -> bool:
        colour = memo.colour(d.ref(day), d.due, d.limit, threshold, d.pauses, snap)[0]
        return colour != GREEN

    # Up to the due day (or the stop) the colour is green or yellow, and yellow stays: the first
    # yellow day by halving.
    last = d.due if d.stops_on is None else min(d.due, d.stops_on)
    yellow_on = red_on
    if since <= last and warned(last):
        lo, hi = since, last
        while lo < hi:
            mid = lo + (hi - lo) // 2
            if warned(mid):
                hi = mid
            else:
                lo = mid + dt.timedelta(days=1)
        yellow_on = lo
    elif since > last and warned(since):
        yellow_on = since
    found = memo.schedules[key] = Schedule(yellow_on, red_on)
    return found
