"""Public working-day arithmetic: the holiday calendar is public information, so no token."""

import datetime as dt

from django.utils.translation import gettext as _
from ninja import Router, Schema

from bianmin.common.errors import ErrorCode, ValidationFailed
from bianmin.common.schemas import PUBLIC_ERRORS, Bounded, DayWithin

from . import calendar

router = Router(tags=["workdays"])

MAX_DAYS = 3650
# Dates from 1949-10-01 to ten years ahead (the input gate's bounds): walking MAX_DAYS from
# there never leaves the date range, and a count walks at most the span between them.
Date = DayWithin()


class DateOut(Schema):
    date: dt.date
    provisional: bool


class CountOut(Schema):
    workdays: int
    provisional: bool


@router.get(
    "/add",
    response={200: DateOut, **PUBLIC_ERRORS},
    summary="The Nth working day after start (start never counts)",
)
def add(request, start: Date, days: Bounded(0, MAX_DAYS)):
    answer = calendar.add_workdays(start, days)
    return {"date": answer.date, "provisional": answer.provisional}


@router.get(
    "/count",
    response={200: CountOut, **PUBLIC_ERRORS},
    summary="Working days after start up to and including end",
)
def count(request, start: Date, end: Date):
    if abs((end - start).days) > MAX_DAYS * 2:
        raise ValidationFailed(
            _("“end”与“start”相隔不应超过 %(n)d 天") % {"n": MAX_DAYS * 2},
            code=ErrorCode.OUT_OF_RANGE,
            field="end",
        )
    answer = calendar.workdays_between(start, end)
    return {"workdays": answer.workdays, "provisional": answer.provisional}
