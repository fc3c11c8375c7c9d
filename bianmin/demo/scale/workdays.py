"""The working-day calendar of the bulk history: one snapshot for the whole run."""

import datetime as dt
from bisect import bisect_right

from bianmin.workdays import calendar


class Workdays:
    """`calendar.add_workdays` on one snapshot of the calendar, the answers of unpaused counts
    kept (a history asks the same (start day, working days) question again and again: about
    two calls in three are repeats), and the working days of [first, last], from which
    submission days are drawn."""

    def __init__(self, first: dt.date, last: dt.date):
        self.snap = calendar.snapshot()
        self.days = []
        d = first
        while d <= last:
            if self.snap.is_workday(d):
                self.days.append(d)
            d += dt.timedelta(days=1)
        self.ordinals = [d.toordinal() for d in self.days]
        self._answers: dict[tuple[dt.date, int], calendar.DateAnswer] = {}

    def add(self, start: dt.date, n: int, pauses=()) -> calendar.DateAnswer:
        if pauses:
            return calendar.add_workdays(start, n, pauses, snap=self.snap)
        answer = self._answers.get((start, n))
        if answer is None:
            answer = self._answers[start, n] = calendar.add_workdays(start, n, snap=self.snap)
        return answer

    def on_or_after(self, day: dt.date) -> dt.date:
        i = bisect_right(self.ordinals, day.toordinal() - 1)
        return self.days[min(i, len(self.days) - 1)]
