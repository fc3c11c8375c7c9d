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

from django.conf import settings
from django.utils import timezone

from bianmin.workdays import calendar

PROXY_EXTRA_DAYS = 5
DELIVERY_DAYS = 10
EXTENSION_DAYS = 10
JOINT_EXTENSION_DAYS = 15
DEEMED_ACCEPTANCE_DAYS = 5  # art. 32
LOWER_LEVEL_REVIEW_DAYS = 20  # art. 43: a lower level's preliminary review


def warning_threshold() -> tuple[int, int]:
    """(working days before, percent of the limit left) of the yellow warning, from settings."""
    return (
        int(getattr(settings, "BIANMIN_WARNING_DAYS_BEFORE", 1)),
        int(getattr(settings, "BIANMIN_WARNING_PERCENT_LEFT", 20)),
    )


def due_soon(
    *, left: int, limit: int, days_before: int | None = None, percent_left: int | None = None
) -> bool:
    """Whether a deadline with `left` working days to go (of a `limit` of working days) is near.

    RULES.md "Supervision": yellow (预警) when the deadline is near, by default 1 working day
    before it or 20% of the limit left, whichever comes first. The one definition of "due soon"
    for the work queues and the supervision clocks; the thresholds can be set per item there.
    """
    default_days, default_percent = warning_threshold()
    days_before = default_days if days_before is None else days_before
    percent_left = default_percent if percent_left is None else percent_left
    return left <= days_before or left * 100 <= limit * percent_left


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


def lower_level_limit(case) -> int:
    """Working days the unit holding an accepted case may take before forwarding it up.

    行政许可法 art. 43: a lower level's preliminary review takes at most 20 working days; where
    the item's step template gives the holding tier's steps less, that is the limit.
    """
    tier = case.current_unit.tier
    own = sum(s.limit_days for s in case.steps.all() if s.tier == tier)
    return min(own, LOWER_LEVEL_REVIEW_DAYS) if own > 0 else LOWER_LEVEL_REVIEW_DAYS


def lower_level_days(case, today: dt.date) -> int:
    """Working days an accepted case has spent at the lower level since acceptance."""
    return calendar.workdays_between(case.accepted_on, today, closed_pauses(case)).workdays
