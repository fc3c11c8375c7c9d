"""Working-day arithmetic on the holiday calendar (行政许可法: "days" are working days).

Pure functions over a cached snapshot of the calendar tables. A year the calendar does not know is
computed on the Monday-Friday rule and the answer is marked provisional (RULES.md "Working days").
The snapshot is dropped by `invalidate()`, which the services call after every committed write.
"""

import bisect
import datetime as dt
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

# Paused intervals: (paused_on, resumed_on or None). Days after paused_on up to and including
# resumed_on do not count; counting restarts the day after resumption, as it starts the day after
# acceptance. An open interval pauses everything after it began.
Pause = tuple[dt.date, dt.date | None]


@dataclass(frozen=True)
class Snapshot:
    exceptions: dict[dt.date, bool]
    years: frozenset[int]

    def is_workday(self, day: dt.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    @cached_property
    def _adjustments(self) -> tuple[list[dt.date], list[int]]:
        """The exception days in order, and the running sum of what each changes against the
        Monday-Friday rule (+1 a 调休 Saturday worked, -1 a holiday on a weekday)."""
        days = sorted(self.exceptions)
        running, total = [], 0
        for day in days:
            total += int(self.exceptions[day]) - int(day.weekday() < 5)
            running.append(total)
        return days, running

    def workdays_after(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end], in constant time whatever the distance: a clock read
        on a far date must not walk every day in between."""
        if end <= start:
            return 0
        days, running = self._adjustments

        def adjusted_until(day: dt.date) -> int:
            i = bisect.bisect_right(days, day)
            return running[i - 1] if i else 0

        return (
            _weekdays_until(end)
            - _weekdays_until(start)
            + adjusted_until(end)
            - adjusted_until(start)
        )

    @cached_property
    def _workday_ordinals(self) -> list[int]:
        """The working days of the known years and the year either side, in order."""
        if not self.years:
            return []
        first = dt.date(min(self.years) - 1, 1, 1).toordinal()
        last = dt.date(max(self.years) + 1, 12, 31).toordinal()
        return [d for d in range(first, last + 1) if self.is_workday(dt.date.fromordinal(d))]

    def nth_workday_after(self, start: dt.date, n: int) -> dt.date | None:
        """The Nth working day after `start` (n >= 1) by lookup, or None outside the lookup's
        years (the caller counts day by day there)."""
        days = self._workday_ordinals
        if not days or start.toordinal() < days[0]:
            return None
        i = bisect.bisect_right(days, start.toordinal()) + n - 1
        return dt.date.fromordinal(days[i]) if i < len(days) else None

    def covers_all(self, start: dt.date, end: dt.date) -> bool:
        """Every day in (start, end] lies in a year the calendar knows."""
        first = start + dt.timedelta(days=1)
        if first.year == end.year:  # the common case, asked for every deadline
            return end.year in self.years
        return all(y in self.years for y in range(first.year, end.year + 1))


def _weekdays_until(day: dt.date) -> int:
    """Monday-Friday days from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class DateAnswer:
    date: dt.date
    provisional: bool


@dataclass(frozen=True)
class CountAnswer:
    workdays: int
    provisional: bool


_lock = threading.Lock()
_snapshot: Snapshot | None = None
# Bumped by every invalidation, so a snapshot read from the database while a write committed is
# not kept: it may predate the write.
_generation = 0


def invalidate() -> None:
    global _snapshot, _generation
    with _lock:
        _snapshot = None
        _generation += 1


def snapshot() -> Snapshot:
    global _snapshot
    snap = _snapshot
    if snap is not None:
        return snap
    with _lock:
        generation = _generation
    from .models import CalendarDay, CalendarYear

    snap = Snapshot(
        exceptions=dict(CalendarDay.objects.values_list("date", "is_workday")),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
    with _lock:
        if generation == _generation:
            _snapshot = snap
    return snap


def _paused(day: dt.date, pauses: list[Pause]) -> bool:
    return any(start < day and (end is None or day <= end) for start, end in pauses)


def is_workday(day: dt.date, *, snap: Snapshot | None = None) -> tuple[bool, bool]:
    """(whether `day` is a working day, whether that answer is provisional)."""
    snap = snap or snapshot()
    return snap.is_workday(day), not snap.covers(day)


def add_workdays(
    start: dt.date, n: int, pauses: Iterable[Pause] = (), *, snap: Snapshot | None = None
) -> DateAnswer:
    """The Nth working day after `start` (start itself never counts), skipping paused days.

    n = 0 gives `start`. Provisional when any day walked over lies in a year the calendar lacks;
    `start` itself is not consulted, so its year does not make the answer provisional.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    pauses = list(pauses)
    if any(end is None for _, end in pauses):
        # An open pause would never let the count finish.
        raise ValueError("an open pause has no end date")
    snap = snap or snapshot()
    if n > 0:
        found = _nth_unpaused(snap, start, n, _merged(pauses) if pauses else [])
        if found is not None:
            return DateAnswer(found, not snap.covers_all(start, found))
    day, left, provisional = start, n, False
    while left > 0:
        day += dt.timedelta(days=1)
        if not snap.covers(day):
            provisional = True
        if snap.is_workday(day) and not _paused(day, pauses):
            left -= 1
    return DateAnswer(day, provisional)


def _nth_unpaused(snap: Snapshot, start: dt.date, n: int, merged: list[Pause]) -> dt.date | None:
    """`add_workdays` by lookup (the bulk history generator asks it millions of times): the k-th
    working day after `start`, k grown by the paused working days up to it until k minus those
    is n (k only grows, and stops at the first day the count reaches n). None outside the
    lookup's years."""
    k = n
    while True:
        day = snap.nth_workday_after(start, k)
        if day is None or not merged:
            return day
        paused = sum(
            snap.workdays_after(max(paused_on, start), min(resumed_on or day, day))
            for paused_on, resumed_on in merged
        )
        if k - paused >= n:
            return day
        k = n + paused


def workdays_between(
    start: dt.date, end: dt.date, pauses: Iterable[Pause] = (), *, snap: Snapshot | None = None
) -> CountAnswer:
    """Working days after `start` up to and including `end`, paused days excluded.

    Negative when `end` is before `start` (days overdue count backwards the same way).
    """
    snap = snap or snapshot()
    if end < start:
        back = workdays_between(end, start, pauses, snap=snap)
        return CountAnswer(-back.workdays, back.provisional)
    count = snap.workdays_after(start, end)
    for paused_on, resumed_on in _merged(pauses):
        lo, hi = max(paused_on, start), min(resumed_on or end, end)
        count -= snap.workdays_after(lo, hi)
    return CountAnswer(count, start < end and not snap.covers_all(start, end))


def _merged(pauses: Iterable[Pause]) -> list[Pause]:
    """Overlapping paused intervals joined, so no day is taken off twice."""
    merged: list[Pause] = []
    for paused_on, resumed_on in sorted(pauses, key=lambda p: p[0]):
        if merged:
            last_on, last_end = merged[-1]
            if last_end is None or paused_on <= last_end:
                end = None if last_end is None or resumed_on is None else max(last_end, resumed_on)
                merged[-1] = (last_on, end)
                continue
        merged.append((paused_on, resumed_on))
    return merged


def covered_years() -> list[int]:
    return sorted(snapshot().years)


def uncovered_years(years: Iterable[int]) -> list[int]:
    snap = snapshot()
    return sorted(y for y in set(years) if y not in snap.years)


def years_to_watch(today: dt.date) -> list[int]:
    """This year, and from October on also next year: the State Council publishes next year's
    schedule late in the year, and deadlines reach into it from then on."""
    return [today.year] + ([today.year + 1] if today.month >= 10 else [])
