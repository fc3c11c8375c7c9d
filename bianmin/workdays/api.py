import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from . import calendar

router = Router(tags=["workdays"])

MAX_DAYS = 3650


class DateOut(Schema):
    date: dt.date
    provisional: bool


class CountOut(Schema):
    workdays: int
    provisional: bool


@router.get(
    "/add", response=DateOut, summary="The Nth working day after start (start never counts)"
)
def add(request, start: dt.date, days: int):
    if not 0 <= days <= MAX_DAYS:
        raise HttpError(400, _("days 应在 0 到 %(m)s 之间") % {"m": MAX_DAYS})
    answer = calendar.add_workdays(start, days)
    return {"date": answer.date, "provisional": answer.provisional}


@router.get("/count", response=CountOut, summary="Working days after start up to and including end")
def count(request, start: dt.date, end: dt.date):
    if abs((end - start).days) > MAX_DAYS * 2:
        raise HttpError(400, _("日期范围过大"))
    answer = calendar.workdays_between(start, end)
    return {"workdays": answer.workdays, "provisional": answer.provisional}
