"""Case time limits on the working-day calendar (RULES.md "Time limits", 行政许可法 arts. 32-45).

- Limits count from the day after acceptance; paused days (one-time-notice wait after acceptance,
  art. 45 suspension) do not count.
- promised due = promised limit; statutory due = statutory limit (art. 42); both grow by the one
  extension (10 working days, 15 for joint cases).
- proxy due (county proxy rule) = promised limit + 5 working days, proxy cases only.
- delivery due = 10 working days after the decision (art. 44).
A date reaching into a year the calendar does not know is provisional and is recomputed when the
calendar changes (`bianmin.workdays.signals.calendar_changed`).
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from bianmin.workdays import calendar

PROXY_EXTRA_DAYS = 5
DELIVERY_DAYS = 10
EXTENSION_DAYS = 10
JOINT_EXTENSION_DAYS = 15
DEEMED_ACCEPTANCE_DAYS = 5  # art. 32
DUE_SOON_DAYS = 2


def closed_pauses(case) -> list[tuple[dt.date, dt.date]]:
    return [(p.started_on, p.ended_on) for p in case.pauses.all() if p.ended_on is not None]


def deadlines_compute(case) -> None:
    """Set the case's due dates from its acceptance date, limits, extension and closed pauses.

    Not saved here: the transition engine saves the case with the rest of its change.
    """
    if case.accepted_on is None:
        return
    version = case.item_version
    pauses = closed_pauses(case)
    start = case.accepted_on
    promised = calendar.add_workdays(start, version.promised_limit + case.extended_days, pauses)
    statutory = calendar.add_workdays(start, version.statutory_limit + case.extended_days, pauses)
    answers = [promised, statutory]
    case.promised_due = promised.date
    case.statutory_due = statutory.date
    if case.is_proxy:
        proxy = calendar.add_workdays(
            start, version.promised_limit + case.extended_days + PROXY_EXTRA_DAYS, pauses
        )
        case.proxy_due = proxy.date
        answers.append(proxy)
    if case.decided_on is not None:
        delivery = calendar.add_workdays(case.decided_on, DELIVERY_DAYS)
        case.delivery_due = delivery.date
        answers.append(delivery)
    case.deadlines_provisional = any(a.provisional for a in answers)


@dataclass(frozen=True)
class Clock:
    """What staff see: working days used and left against the promised limit."""

    days_used: int | None
    days_left: int | None
    overdue: bool
    provisional: bool


def clock(case, today: dt.date | None = None) -> Clock:
    """Days used and left; while a pause is open the clock stands still at the day it began."""
    today = today or timezone.localdate()
    if case.accepted_on is None or case.promised_due is None:
        return Clock(None, None, False, False)
    if case.concluded_on is not None:
        # After conclusion the delivery limit (art. 44) is the one that runs.
        due, finished = case.delivery_due, case.closed_on is not None
        used = calendar.workdays_between(case.accepted_on, case.concluded_on, closed_pauses(case))
        left = calendar.workdays_between(today, due).workdays if due and not finished else None
        return Clock(used.workdays, left, bool(due and not finished and today > due), False)
    open_pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    ref = open_pause.started_on if open_pause else today
    pauses = closed_pauses(case)
    used = calendar.workdays_between(case.accepted_on, ref, pauses)
    left = calendar.workdays_between(ref, case.promised_due, pauses)
    return Clock(
        used.workdays,
        left.workdays,
        ref > case.promised_due,
        case.deadlines_provisional or used.provisional or left.provisional,
    )
