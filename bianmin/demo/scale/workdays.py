"""The working-day calendar of the bulk history: one snapshot for the whole run."""

import datetime as dt
from bisect import bisect_right

from bianmin.workdays import calendar


class Workdays:
    """`calendar.add_workdays` on one snapshot of the calendar, and the working days of
    [first, last], from which submission days are drawn."""

    def __init__(self, first: dt.date, last: dt.date):
        self.snap = calendar.snapshot()
        self.days = []
        d = first
        while d <= last:
            if self.snap.is_workday(d):
                self.days.append(d)
            d += dt.timedelta(days=1)
        self.ordinals = [d.toordinal() for d in self.days]

    def add(self, start: dt.date, n: int, pauses=()) -> calendar.DateAnswer:
        return calendar.add_workdays(start, n, pauses, snap=self.snap)

    def on_or_after(self, day: dt.date) -> dt.date:
        i = bisect_right(self.ordinals, day.toordinal() - 1)
        return self.days[min(i, len(self.days) - 1)]
