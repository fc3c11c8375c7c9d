"""Public working-day arithmetic: the holiday calendar is public information, so no token."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from . import calendar

router = Router(tags=["workdays"])

MAX_DAYS = 3650
# Far enough for any deadline, near enough that walking MAX_DAYS never leaves the date range.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


class DateOut(Schema):
    date: dt.date
    provisional: bool


class CountOut(Schema):
    workdays: int
    provisional: bool


def _check_date(name: str, day: dt.date) -> None:
    if not EARLIEST <= day <= LATEST:
        raise HttpError(
            400,
            _("%(name)s 应在 %(a)s 至 %(b)s 之间") % {"name": name, "a": EARLIEST, "b": LATEST},
        )


@router.get(
    "/add", response=DateOut, summary="The Nth working day after start (start never counts)"
)
def add(request, start: dt.date, days: int):
    _check_date("start", start)
    if not 0 <= days <= MAX_DAYS:
        raise HttpError(400, _("days 应在 0 到 %(m)s 之间") % {"m": MAX_DAYS})
    answer = calendar.add_workdays(start, days)
    return {"date": answer.date, "provisional": answer.provisional}


@router.get("/count", response=CountOut, summary="Working days after start up to and including end")
def count(request, start: dt.date, end: dt.date):
    _check_date("start", start)
    _check_date("end", end)
    if abs((end - start).days) > MAX_DAYS * 2:
        raise HttpError(400, _("日期范围过大"))
    answer = calendar.workdays_between(start, end)
    return {"workdays": answer.workdays, "provisional": answer.provisional}
