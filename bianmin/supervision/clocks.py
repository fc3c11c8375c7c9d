"""The colour of every clock of a case or complaint on a given day (RULES.md "Supervision").

- green: on time;
- yellow (预警): the working days left fell to the threshold: `days_before` working days (default
  1) or `percent_left` percent of the limit (default 20), whichever comes first;
- red (超时): the deadline has passed.

A case's clocks: the deciding unit's promised limit (from its own acceptance or receipt of the
accepted case), the current step, the proxy limit (county proxy rule: promised + 5 working days
from take-in, until delivery), a relay hop's holding limit (RULES.md "The route": a unit that only
passes the case on, default 1 working day), each deferred (容缺) material, and the delivery limit
after the decision (行政许可法 art. 44). While a pause is open (one-time notice wait, art. 45
suspension) the case, step, proxy and relay clocks stand still at the day it began. Colours come
from the one rule, `bianmin.cases.deadlines.colour_of`. Reads only; `services.sweep` records the
transitions.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from bianmin.cases.deadlines import (
    DELIVERY_DAYS,
    PROXY_EXTRA_DAYS,
    closed_pauses,
    relay_limit,
    warning_threshold,
)
from bianmin.cases.deadlines import colour_of as deadline_colour
from bianmin.cases.models import DELIVERY_STATES, FINAL_STATES, OPEN_STATES, MaterialStatus, State
from bianmin.cases.routing import relay_holding
from bianmin.workdays import calendar

from .models import Clock, ComplaintStatus

# Every state a case can still move from: a positive list, so that the unfinished cases are an
# index search on `state` instead of a NOT IN scan of the whole history.
UNFINISHED_STATES = frozenset(State.values) - FINAL_STATES

GREEN, YELLOW, RED = "green", "yellow", "red"
RANK = {GREEN: 0, YELLOW: 1, RED: 2}


@dataclass(frozen=True)
class Threshold:
    days_before: int
    percent_left: int


def default_threshold() -> Threshold:
    return Threshold(*warning_threshold())


def thresholds_by_item() -> dict[int, Threshold]:
    from .models import WarningThreshold

    return {
        t.item_id: Threshold(t.days_before, t.percent_left) for t in WarningThreshold.objects.all()
    }


@dataclass(frozen=True)
class ClockState:
    clock: str
    subject: str
    label: str
    due: dt.date
    limit: int
    left: int  # working days left; negative = working days over
    colour: str
    provisional: bool = False

    @property
    def over(self) -> int:
        return max(0, -self.left)


def colour_of(
    *,
    ref: dt.date,
    due: dt.date,
    limit: int,
    threshold: Threshold,
    pauses=(),
    snap=None,
) -> tuple[str, int, bool]:
    """(colour, working days left or -over, provisional) of a deadline seen on `ref`."""
    if ref > due:
        back = calendar.workdays_between(due, ref, pauses, snap=snap)
        # Past due is red even when only non-working days have passed since.
        return RED, -max(1, back.workdays), back.provisional
    left = calendar.workdays_between(ref, due, pauses, snap=snap)
    colour = deadline_colour(
        left=left.workdays,
        limit=limit,
        days_before=threshold.days_before,
        percent_left=threshold.percent_left,
    )
    return colour, left.workdays, left.provisional


# The case clocks' labels, translated once per reading (`Memo.label`).
CASE_LABEL = gettext_noop("办结时限")
STEP_LABEL = gettext_noop("环节“%(s)s”时限")
PROXY_LABEL = gettext_noop("代办时限")
RELAY_LABEL = gettext_noop("中转时限（%(u)s）")
DELIVERY_LABEL = gettext_noop("送达时限")
MATERIAL_LABEL = gettext_noop("容缺材料“%(m)s”补交期限")


class Memo:
    """What one reading of many cases' clocks works out once: the colour of a deadline (thousands
    of cases share a due day, a limit and a threshold) and the labels in the active language.
    Lives for one reading (a board, a sweep): the calendar and the language do not change in it."""

    def __init__(self) -> None:
        self.colours: dict[tuple, tuple[str, int, bool]] = {}
        self.labels: dict[str, str] = {}
        self.schedules: dict[tuple, Any] = {}  # `schedules.deadline_schedule`

    def colour(self, ref, due, limit, threshold, pauses, snap) -> tuple[str, int, bool]:
        key = (ref, due, limit, threshold, tuple(pauses))
        found = self.colours.get(key)
        if found is None:
            found = self.colours[key] = colour_of(
                ref=ref, due=due, limit=limit, threshold=threshold, pauses=pauses, snap=snap
            )
        return found

    def label(self, text: str) -> str:
        found = self.labels.get(text)
        if found is None:
            found = self.labels[text] = _(text)
        return found


def _state(
    clock, subject, label, due, limit, ref, threshold, pauses=(), snap=None, memo=None
) -> ClockState:
    memo = Memo() if memo is None else memo
    colour, left, provisional = memo.colour(ref, due, limit, threshold, pauses, snap)
    return ClockState(clock, subject, label, due, limit, left, colour, provisional)


@dataclass(frozen=True, slots=True)
class Deadline:
    """A running clock of a case before it is read on a day: `stops_on`, the day an open pause
    began (the clock stands still there, RULES.md "Supervision"), else None; `pauses`, the closed
    pauses it skips; its label's text untranslated (`label` translates it as it is read) and the
    (key, value) it is formatted with."""

    clock: str
    subject: str
    text: str
    due: dt.date
    limit: int
    pauses: tuple = ()
    stops_on: dt.date | None = None
    arg: tuple[str, str] | None = None

    def ref(self, today: dt.date) -> dt.date:
        return min(today, self.stops_on) if self.stops_on else today

    def label(self, memo: Memo) -> str:
        text = memo.label(self.text)
        return text % {self.arg[0]: self.arg[1]} if self.arg else text

    def state(self, today: dt.date, threshold: Threshold, snap, memo: Memo) -> ClockState:
        return _state(
            self.clock,
            self.subject,
            self.label(memo),
            self.due,
            self.limit,
            self.ref(today),
            threshold,
            self.pauses,
            snap,
            memo,
        )


def case_deadlines(case, *, snap) -> list[Deadline]:
    """Every running clock of `case` (none once final), whatever the day it is read on: its
    colour on a day is `case_clocks`, the days it turns yellow and red `schedules.schedule_of`."""
    if case.state in FINAL_STATES:
        return []
    out: list[Deadline] = []
    version = case.item_version
    pauses = tuple(closed_pauses(case))
    open_pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    stops_on = open_pause.started_on if open_pause else None
    running = case.state in OPEN_STATES and case.concluded_on is None
    if running and case.clock_started_on and case.promised_due:
        limit = version.promised_limit + case.extended_days
        out.append(
            Deadline(
                Clock.CASE,
                f"case:{case.pk}",
                CASE_LABEL,
                case.promised_due,
                limit,
                pauses,
                stops_on,
            )
        )
    if running:
        step = next(
            (s for s in sorted(case.steps.all(), key=lambda s: s.position) if not s.finished_on),
            None,
        )
        if step is not None and step.due_on is not None:
            out.append(
                Deadline(
                    Clock.STEP,
                    f"step:{step.pk}",
                    STEP_LABEL,
                    step.due_on,
                    step.limit_days,
                    pauses,
                    stops_on,
                    ("s", step.name),
                )
            )
    if case.is_proxy and case.proxy_due:
        limit = version.promised_limit + case.extended_days + PROXY_EXTRA_DAYS
        out.append(
            Deadline(
                Clock.PROXY,
                f"case:{case.pk}",
                PROXY_LABEL,
                case.proxy_due,
                limit,
                pauses,
                stops_on,
            )
        )
    relay = case.held_since is not None and relay_holding(
        state=case.state,
        current=case.current_unit_id,
        accepting=case.accepting_unit_id,
        deciding=case.deciding_unit_id,
        intake=case.intake_unit_id,
    )
    if relay:
        limit = relay_limit()
        due = calendar.add_workdays(case.held_since, limit, list(pauses), snap=snap).date
        out.append(
            Deadline(
                Clock.RELAY,
                f"case:{case.pk}",
                RELAY_LABEL,
                due,
                limit,
                pauses,
                stops_on,
                ("u", case.current_unit.name),
            )
        )
    # The delivery and material clocks run through pauses.
    if case.delivery_due and (case.state == State.DECIDED or case.state in DELIVERY_STATES):
        out.append(
            Deadline(
                Clock.DELIVERY,
                f"case:{case.pk}",
                DELIVERY_LABEL,
                case.delivery_due,
                DELIVERY_DAYS,
            )
        )
    start = case.accepted_on or case.submitted_on
    for m in case.materials.all():
        if m.status != MaterialStatus.DEFERRED or m.due_on is None:
            continue
        limit = max(0, calendar.workdays_between(start, m.due_on, snap=snap).workdays)
        out.append(
            Deadline(
                Clock.DEFERRED_MATERIAL,
                f"material:{m.pk}",
                MATERIAL_LABEL,
                m.due_on,
                limit,
                arg=("m", m.name),
            )
        )
    return out


def case_clocks(
    case, *, today: dt.date, threshold: Threshold | None = None, snap=None, memo: Memo | None = None
) -> list[ClockState]:
    """Every running clock of `case` on `today`. Expects pauses, steps and materials prefetched
    for speed, works without; `memo` shared by a reading of many cases."""
    memo = Memo() if memo is None else memo
    threshold = threshold or default_threshold()
    snap = snap or calendar.snapshot()
    return [d.state(today, threshold, snap, memo) for d in case_deadlines(case, snap=snap)]


def complaint_clocks(
    complaint, *, today: dt.date, threshold: Threshold | None = None, snap=None
) -> list[ClockState]:
    """Decision within 5 working days while filed; reply by `reply_due` until replied."""
    if complaint.status == ComplaintStatus.REPLIED:
        return []
    threshold = threshold or default_threshold()
    snap = snap or calendar.snapshot()
    out = []
    subject = f"complaint:{complaint.pk}"
    if complaint.status == ComplaintStatus.FILED:
        limit = calendar.workdays_between(complaint.filed_on, complaint.decide_due, snap=snap)
        out.append(
            _state(
                Clock.COMPLAINT_DECISION,
                subject,
                _("投诉处理期限"),
                complaint.decide_due,
                limit.workdays,
                today,
                threshold,
                snap=snap,
            )
        )
    limit = calendar.workdays_between(complaint.filed_on, complaint.reply_due, snap=snap)
    out.append(
        _state(
            Clock.COMPLAINT_REPLY,
            subject,
            _("投诉答复期限"),
            complaint.reply_due,
            limit.workdays,
            today,
            threshold,
            snap=snap,
        )
    )
    return out


def worst(states: list[ClockState]) -> str:
    return max((s.colour for s in states), key=RANK.__getitem__, default=GREEN)
