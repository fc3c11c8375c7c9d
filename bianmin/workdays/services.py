"""Writes to the holiday calendar."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.common.errors import ValidationFailed

from . import calendar
from .models import CalendarDay, CalendarYear
from .signals import calendar_changed

PACKAGE_YEARS = range(2004, 2027)  # what chinesecalendar 1.11 knows


def package_exceptions(year: int) -> list[tuple[dt.date, bool, str]]:
    """Days of `year` that the chinesecalendar package says break the weekday rule, or are holidays."""
    from chinese_calendar import constants

    days = []
    for day, name in constants.holidays.items():
        if day.year == year:
            days.append((day, False, str(name)))
    for day, name in constants.workdays.items():
        if day.year == year:
            days.append((day, True, str(name)))
    return sorted(days)


@transaction.atomic
def calendar_seed_from_package(years=PACKAGE_YEARS) -> int:
    """Load every year the package knows; years entered by hand are left as they are."""
    manual = set(
        CalendarYear.objects.filter(source=CalendarYear.Source.MANUAL).values_list(
            "year", flat=True
        )
    )
    count = 0
    for year in years:
        if year in manual:
            continue
        CalendarDay.objects.filter(date__year=year).delete()
        rows = package_exceptions(year)
        CalendarDay.objects.bulk_create(
            CalendarDay(date=d, is_workday=w, name=n) for d, w, n in rows
        )
        CalendarYear.objects.update_or_create(
            year=year,
            defaults={"source": CalendarYear.Source.PACKAGE, "note": "chinesecalendar 1.11"},
        )
        count += len(rows)
    transaction.on_commit(calendar.invalidate)
    return count


@transaction.atomic
def calendar_year_enter(
    *,
    actor,
    year: int,
    holidays: list[tuple[dt.date, str]],
    workdays: list[tuple[dt.date, str]],
    note: str = "",
) -> CalendarYear:
    """Enter a year's schedule as the State Council published it (放假安排).

    `holidays` are days off (with the festival name), `workdays` the adjusted weekend working days.
    Replaces whatever the year had, marks the year covered, and tells dependants to recompute.
    """
    if not 2000 <= year <= 2100:
        raise ValidationFailed(_("年份应在2000至2100之间"), field="year")
    for day, _name in list(holidays) + list(workdays):
        if day.year != year:
            raise ValidationFailed(
                _("日期 %(d)s 不属于 %(y)s 年") % {"d": day, "y": year}, field="days"
            )
    clash = {d for d, _n in holidays} & {d for d, _n in workdays}
    if clash:
        raise ValidationFailed(
            _("同一天不能既是假日又是调休工作日：%(d)s")
            % {"d": ", ".join(map(str, sorted(clash)))},
            field="days",
        )
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d, is_workday=False, name=n) for d, n in holidays]
        + [CalendarDay(date=d, is_workday=True, name=n) for d, n in workdays]
    )
    entry, _created = CalendarYear.objects.update_or_create(
        year=year,
        defaults={"source": CalendarYear.Source.MANUAL, "note": note, "entered_by": actor},
    )

    def after_commit() -> None:
        calendar.invalidate()
        calendar_changed.send(sender=None, years={year})

    transaction.on_commit(after_commit)
    return entry
