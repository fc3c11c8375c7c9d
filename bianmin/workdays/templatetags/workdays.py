"""Calendar honesty in pages: a date in a year without an official holiday schedule is only a
Monday-Friday guess (RULES.md "Working days"), so pages mark it 暂定 by the calendar's own rule."""

import datetime as dt
from collections.abc import Iterable

from django import template

from .. import calendar

register = template.Library()


@register.filter
def provisional(day: dt.date | None) -> bool:
    """Whether the calendar only guesses whether `day` is a working day."""
    return day is not None and calendar.is_workday(day)[1]


@register.filter
def provisional_years(days: Iterable[dt.date]) -> str:
    """The years among `days` without an official schedule, as "2027" or "2027、2028"."""
    return "、".join(map(str, calendar.uncovered_years(d.year for d in days if d)))
