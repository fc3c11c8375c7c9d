"""Case time limits on the working-day calendar (RULES.md "Time limits", "The route", 行政许可法
arts. 32-45), and the one rule that colours a deadline green, yellow or red.

- The deciding unit's limits count from the day after its own acceptance, or after it received
  the case accepted below it (`Case.clock_started_on`): relay days never count against it.
- promised due = promised limit; statutory due = statutory limit (art. 42); both grow by the one
  extension (10 working days, 15 for joint cases); paused days (one-time-notice wait, art. 45
  suspension) do not count.
- proxy due (county proxy rule, 沂水 2016) = promised limit + 5 working days from the day the
  station took the request in: the date a proxied applicant is given; relay days count here.
- delivery due = 10 working days after the decision (art. 44).
- relay hops: a unit that only passes the case on holds it at most `relay_limit()` working days.
A date reaching into a year the calendar does not know is provisional and is recomputed when the
calendar changes (`bianmin.workdays.signals.calendar_changed`).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bianmin.workdays import calendar

from .models.case import FINAL_STATES

FINAL_STATE_VALUES = frozenset(str(s) for s in FINAL_STATES)

PROXY_EXTRA_DAYS = 5
DELIVERY_DAYS = 10
EXTENSION_DAYS = 10
JOINT_EXTENSION_DAYS = 15
DEEMED_ACCEPTANCE_DAYS = 5  # art. 32
LOWER_LEVEL_REVIEW_DAYS = 20  # art. 43: a lower level's preliminary review

GREEN, YELLOW, RED, NONE = "green", "yellow", "red", "none"


def arrived_on(case, hops: Iterable) -> dt.date:
    """The day `case` arrived at the unit now holding it, from which that unit's 5 working days
    to accept or give the one-time notice run (行政许可法 art. 32, `DEEMED_ACCEPTANCE_DAYS`): the
    day the unit received it, since a unit has a case when it receives it, not when it was sent;
    the submission day for a case taken in where it is. `hops` are the case's custody hops in
    the order sent (anything with `to_unit_id` and `received_at`); one not yet received does not
    count."""
    received = [
        h.received_at
        for h in hops
        if h.to_unit_id == case.current_unit_id and h.received_at is not None
    ]
    return timezone.localdate(received[-1]) if received else case.submitted_on


def relay_limit() -> int:
    """Working days a relay hop may hold a case (RULES.md "The route"; setting, default 1)."""
    return int(getattr(settings, "BIANMIN_RELAY_HOLD_DAYS", 1))


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
    if days_before is None or percent_left is None:  # settings read only when needed
        default_days, default_percent = warning_threshold()
        days_before = default_days if days_before is None else days_before
        percent_left = default_percent if percent_left is None else percent_left
    return left <= days_before or left * 100 <= limit * percent_left


def colour_of(
    *, left: int, limit: int, days_before: int | None = None, percent_left: int | None = None
) -> str:
    """The one colour rule of a running deadline: red once past it (`left` < 0), yellow when it is
    near (`due_soon`), else green. Queues, the case page, the API, the dashboard and the sweep
    all colour through here."""
    if left < 0:
        return RED
    if due_soon(left=left, limit=limit, days_before=days_before, percent_left=percent_left):
        return YELLOW
    return GREEN


def closed_pauses(case) -> list[tuple[dt.date, dt.date]]:
    return [(p.started_on, p.ended_on) for p in case.pauses.all() if p.ended_on is not None]


def deadlines_compute(case) -> None:
    """Set the case's due dates from its clock start, take-in day, limits, extension and closed
    pauses. Not saved here: the transition engine saves the case with the rest of its change.
    """
    version = case.item_version
    if version is None:  # errands have no time limit
        return
    deadlines_set(
        case,
        promised_limit=version.promised_limit,
        statutory_limit=version.statutory_limit,
        is_proxy=case.is_proxy,
        pauses=closed_pauses(case) if case.pk else [],
    )


def deadlines_set(
    case,
    *,
    promised_limit: int,
    statutory_limit: int,
    is_proxy: bool,
    pauses: list,
    add_workdays=calendar.add_workdays,
) -> None:
    """`deadlines_compute` on given limits and pauses, without reading the database: sets
    `promised_due`, `statutory_due`, `proxy_due`, `delivery_due` and `deadlines_provisional` from
    `clock_started_on`, `submitted_on`, `decided_on` and `extended_days`. `add_workdays` may be
    a cached `calendar.add_workdays` (the bulk history generator's)."""
    answers = []
    extra = promised_limit + case.extended_days
    start = case.clock_started_on
    if start is not None:
        promised = add_workdays(start, extra, pauses)
        statutory = add_workdays(start, statutory_limit + case.extended_days, pauses)
        case.promised_due, case.statutory_due = promised.date, statutory.date
        answers += [promised, statutory]
    if is_proxy:
        proxy = add_workdays(case.submitted_on, extra + PROXY_EXTRA_DAYS, pauses)
        case.proxy_due = proxy.date
        answers.append(proxy)
    if case.decided_on is not None:
        delivery = add_workdays(case.decided_on, DELIVERY_DAYS)
        case.delivery_due = delivery.date
        answers.append(delivery)
    case.deadlines_provisional = any(a.provisional for a in answers)


class ClockKind:
    CASE = "case"
    PROXY = "proxy"
    DELIVERY = "delivery"


CLOCK_LABELS = {
    ClockKind.CASE: _("办结时限"),
    ClockKind.PROXY: _("代办时限"),
    ClockKind.DELIVERY: _("送达时限"),
}


@dataclass(frozen=True)
class Clock:
    """What staff see of a case's running deadline: which one, working days used and left, and
    its colour (`colour_of`)."""

    days_used: int | None
    days_left: int | None
    overdue: bool
    provisional: bool
    kind: str = ""
    due: dt.date | None = None
    limit: int = 0
    colour: str = NONE

    @property
    def label(self) -> str:
        return str(CLOCK_LABELS.get(self.kind, ""))


NO_CLOCK = Clock(None, None, False, False)


def _limit(case) -> int:
    return (case.promised_limit or 0) + (case.extended_days or 0)


def clock(case, today: dt.date | None = None) -> Clock:
    """The case's running deadline on `today`: the delivery limit once concluded (art. 44), the
    deciding unit's promised limit once its clock started, before that a proxied case's proxy
    limit; no clock otherwise. While a pause is open the clock stands still at the day it began.

    Reads `state`, `is_proxy`, the dates, `extended_days`, `promised_limit`,
    `deadlines_provisional` and `pauses.all()` (a `Case`, or a list row with the same names).
    """
    today = today or timezone.localdate()
    if case.closed_on is not None or case.state in FINAL_STATE_VALUES:
        return NO_CLOCK
    if case.concluded_on is not None:
        due = case.delivery_due
        start = case.clock_started_on or case.accepted_on or case.submitted_on
        used = calendar.workdays_between(start, case.concluded_on, closed_pauses(case))
        if due is None:
            return Clock(used.workdays, None, False, False)
        left = calendar.workdays_between(today, due).workdays
        return Clock(
            used.workdays,
            left,
            today > due,
            False,
            ClockKind.DELIVERY,
            due,
            DELIVERY_DAYS,
            colour_of(left=-1 if today > due else left, limit=DELIVERY_DAYS),
        )
    if case.clock_started_on is not None and case.promised_due is not None:
        kind, start, due = ClockKind.CASE, case.clock_started_on, case.promised_due
        limit = _limit(case)
    elif case.is_proxy and case.proxy_due is not None:
        kind, start, due = ClockKind.PROXY, case.submitted_on, case.proxy_due
        limit = _limit(case) + PROXY_EXTRA_DAYS
    else:
        return NO_CLOCK
    open_pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    ref = min(today, open_pause.started_on) if open_pause else today
    pauses = closed_pauses(case)
    used = calendar.workdays_between(start, ref, pauses)
    left = calendar.workdays_between(ref, due, pauses)
    overdue = ref > due
    return Clock(
        used.workdays,
        left.workdays,
        overdue,
        case.deadlines_provisional or used.provisional or left.provisional,
        kind,
        due,
        limit,
        colour_of(left=-1 if overdue else left.workdays, limit=limit),
    )


def relay_due(case) -> dt.date | None:
    """When the relay unit now holding the case must have passed it on, or None when the holder
    is not a relay (`routing.relay_holding`)."""
    from .routing import case_relay_holding

    if case.held_since is None or not case_relay_holding(case):
        return None
    return calendar.add_workdays(case.held_since, relay_limit(), closed_pauses(case)).date


def lower_level_limit(case) -> int:
    """Working days the unit holding an accepted case may take before forwarding it up.

    行政许可法 art. 43: a lower level's preliminary review takes at most 20 working days; where
    the item's step template gives the holding tier's steps less, that is the limit.
    """
    return lower_level_limit_of(case.steps.all(), case.current_unit.tier)


def lower_level_limit_of(steps, tier: str) -> int:
    """`lower_level_limit` from the case's steps (anything with `tier` and `limit_days`) and the
    holding unit's tier."""
    own = sum(s.limit_days for s in steps if s.tier == tier)
    return min(own, LOWER_LEVEL_REVIEW_DAYS) if own > 0 else LOWER_LEVEL_REVIEW_DAYS


def lower_level_days(case, today: dt.date) -> int:
    """Working days an accepted case has spent at the lower level since acceptance."""
    return calendar.workdays_between(case.accepted_on, today, closed_pauses(case)).workdays
