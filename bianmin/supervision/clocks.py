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
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from bianmin.cases.deadlines import (
    DELIVERY_DAYS,
    PROXY_EXTRA_DAYS,
    closed_pauses,
    relay_limit,
    warning_threshold,
)
from bianmin.cases.deadlines import colour_of as deadline_colour
from bianmin.cases.models import (
    DELIVERY_STATES,
    ERRAND,
    FINAL_STATES,
    OPEN_STATES,
    Case,
    Channel,
    ErrandKind,
    MaterialStatus,
    State,
)
from bianmin.cases.routing import relay_holding
from bianmin.catalog.models import ItemVersion
from bianmin.common.rows import RelatedRows, value_columns
from bianmin.orgs.models import UNIT_TIER, Region, Unit, UnitKind
from bianmin.orgs.selectors import display_names
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


def _state(clock, subject, label, due, limit, ref, threshold, pauses=(), snap=None) -> ClockState:
    colour, left, provisional = colour_of(
        ref=ref, due=due, limit=limit, threshold=threshold, pauses=pauses, snap=snap
    )
    return ClockState(clock, subject, label, due, limit, left, colour, provisional)


def case_clocks(
    case, *, today: dt.date, threshold: Threshold | None = None, snap=None
) -> list[ClockState]:
    """Every running clock of `case` on `today`. Expects pauses, steps and materials prefetched
    for speed, works without."""
    if case.state in FINAL_STATES:
        return []
    threshold = threshold or default_threshold()
    snap = snap or calendar.snapshot()
    out: list[ClockState] = []
    version = case.item_version
    pauses = closed_pauses(case)
    open_pause = next((p for p in case.pauses.all() if p.ended_on is None), None)
    ref = min(today, open_pause.started_on) if open_pause else today
    running = case.state in OPEN_STATES and case.concluded_on is None
    if running and case.clock_started_on and case.promised_due:
        limit = version.promised_limit + case.extended_days
        out.append(
            _state(
                Clock.CASE,
                f"case:{case.pk}",
                _("办结时限"),
                case.promised_due,
                limit,
                ref,
                threshold,
                pauses,
                snap,
            )
        )
    if running:
        step = next(
            (s for s in sorted(case.steps.all(), key=lambda s: s.position) if not s.finished_on),
            None,
        )
        if step is not None and step.due_on is not None:
            out.append(
                _state(
                    Clock.STEP,
                    f"step:{step.pk}",
                    _("环节“%(s)s”时限") % {"s": step.name},
                    step.due_on,
                    step.limit_days,
                    ref,
                    threshold,
                    pauses,
                    snap,
                )
            )
    if case.is_proxy and case.proxy_due:
        limit = version.promised_limit + case.extended_days + PROXY_EXTRA_DAYS
        out.append(
            _state(
                Clock.PROXY,
                f"case:{case.pk}",
                _("代办时限"),
                case.proxy_due,
                limit,
                ref,
                threshold,
                pauses,
                snap,
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
        due = calendar.add_workdays(case.held_since, limit, pauses, snap=snap).date
        out.append(
            _state(
                Clock.RELAY,
                f"case:{case.pk}",
                _("中转时限（%(u)s）") % {"u": case.current_unit.name},
                due,
                limit,
                ref,
                threshold,
                pauses,
                snap,
            )
        )
    if case.delivery_due and (case.state == State.DECIDED or case.state in DELIVERY_STATES):
        out.append(
            _state(
                Clock.DELIVERY,
                f"case:{case.pk}",
                _("送达时限"),
                case.delivery_due,
                DELIVERY_DAYS,
                today,
                threshold,
                snap=snap,
            )
        )
    start = case.accepted_on or case.submitted_on
    for m in case.materials.all():
        if m.status != MaterialStatus.DEFERRED or m.due_on is None:
            continue
        limit = max(0, calendar.workdays_between(start, m.due_on, snap=snap).workdays)
        out.append(
            _state(
                Clock.DEFERRED_MATERIAL,
                f"material:{m.pk}",
                _("容缺材料“%(m)s”补交期限") % {"m": m.name},
                m.due_on,
                limit,
                today,
                threshold,
                snap=snap,
            )
        )
    return out


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


# --- reading many cases for their clocks ----------------------------------------------------


class PauseRow(NamedTuple):
    pk: int
    started_on: dt.date
    ended_on: dt.date | None


class StepRow(NamedTuple):
    pk: int
    position: int
    name: str
    limit_days: int
    due_on: dt.date | None
    finished_on: dt.date | None


class MaterialRow(NamedTuple):
    pk: int
    name: str
    status: str
    due_on: dt.date | None


# What `case_clocks` reads of each child relation, and the rows it can act on: every
# pause (open or closed), the unfinished steps (it runs the first of them by position) and the
# deferred materials with a due day (the others have no clock). At county scale that is a
# quarter of the steps and a few dozen of the ~19,000 materials of the unfinished cases.
CLOCK_CHILDREN: dict[str, tuple[type[NamedTuple], Q]] = {
    "pauses": (PauseRow, Q()),
    "steps": (StepRow, Q(finished_on=None)),
    "materials": (MaterialRow, Q(status=MaterialStatus.DEFERRED, due_on__isnull=False)),
}


class VersionRef(NamedTuple):
    """What the clocks and their readers read of an item version."""

    pk: int
    item_id: int
    name: str
    promised_limit: int | None
    accept_tier: str


class RegionRef(NamedTuple):
    pk: int
    code: str


class UnitRef(NamedTuple):
    """A unit as the dashboard and the sweep read it (`routing.can_accept_here` reads `tier`)."""

    pk: int
    name: str
    kind: str
    parent_id: int | None
    parent_kind: str | None

    @property
    def tier(self) -> str:
        # `Unit.tier`, from the parent's kind read with the unit.
        if self.kind == UnitKind.WINDOW and self.parent_id:
            return UNIT_TIER[self.parent_kind]
        return UNIT_TIER.get(self.kind, "county")


@dataclass(slots=True, eq=False)
class OpenCase:
    """An unfinished case as its clocks read it (`case_clocks`), with what the sweep's alerts
    and the dashboard's lists read of it: its own columns read as values, its item version,
    region, current unit and assignee's name looked up by id (a few hundred of each are shared
    by thousands of cases), its clock rows (`CLOCK_CHILDREN`) as plain rows. It reads like a
    `Case` where those read one: `item_version.promised_limit`, `region.code`,
    `current_unit.name`, `pauses.all()`, `is_proxy`, `title`.

    Building ~4,400 `Case` instances with their related instances cost ~3 times the hand-written
    SQL at county scale (issue 8). Only the clock rows are read: these rows serve the clocks,
    the sweep and the dashboard, nothing else."""

    pk: int
    number: str
    state: str
    case_class: str
    channel: str
    errand_kind: str
    item_version_id: int | None
    region_id: int
    current_unit_id: int
    intake_unit_id: int
    accepting_unit_id: int | None
    deciding_unit_id: int
    first_responder_id: int | None
    assigned_to_id: int | None
    submitted_on: dt.date
    accepted_on: dt.date | None
    clock_started_on: dt.date | None
    held_since: dt.date | None
    extended_days: int
    promised_due: dt.date | None
    proxy_due: dt.date | None
    concluded_on: dt.date | None
    delivery_due: dt.date | None
    fee_total: Decimal
    item_version: VersionRef | None = None
    region: RegionRef = field(init=False)
    current_unit: UnitRef = field(init=False)
    assigned_name: str = ""  # the assignee's staff name, else username ("" when unassigned)
    pauses: RelatedRows = field(default_factory=RelatedRows)
    steps: RelatedRows = field(default_factory=RelatedRows)
    materials: RelatedRows = field(default_factory=RelatedRows)

    # `Case.is_errand`, `Case.is_proxy`, `Case.title`, on the same fields.
    @property
    def is_errand(self) -> bool:
        return self.case_class == ERRAND

    @property
    def is_proxy(self) -> bool:
        return self.channel == Channel.PROXY and not self.is_errand

    @property
    def title(self) -> str:
        if self.item_version is not None:
            return self.item_version.name
        return str(ErrandKind(self.errand_kind).label) if self.errand_kind else ""


OPEN_CASE_COLUMNS = value_columns(OpenCase)


def open_cases(unfinished: QuerySet[Case]) -> list[OpenCase]:
    """The cases of `unfinished` (unfinished ones: a few thousand at county scale) as
    `OpenCase` rows, by pk: one query for the cases, one per related table for the versions,
    regions, units and assignees they name (each read once, by id) and one per clock relation
    (`CLOCK_CHILDREN`). The related rows are not joined in: the same few hundred would be
    converted again on every case row."""
    rows = [
        OpenCase(*values) for values in unfinished.order_by("pk").values_list(*OPEN_CASE_COLUMNS)
    ]
    if not rows:
        return rows
    versions = {
        v[0]: VersionRef(*v)
        for v in ItemVersion.objects.filter(pk__in={r.item_version_id for r in rows})
        .order_by()
        .values_list(*VersionRef._fields)
    }
    regions = {
        r[0]: RegionRef(*r)
        for r in Region.objects.filter(pk__in={r.region_id for r in rows})
        .order_by()
        .values_list(*RegionRef._fields)
    }
    units = {
        u[0]: UnitRef(*u)
        for u in Unit.objects.filter(pk__in={r.current_unit_id for r in rows})
        .order_by()
        .values_list("pk", "name", "kind", "parent_id", "parent__kind")
    }
    names = display_names(r.assigned_to_id for r in rows if r.assigned_to_id)
    by_pk: dict[int, OpenCase] = {}
    for r in rows:
        if r.item_version_id is not None:
            r.item_version = versions[r.item_version_id]
        r.region = regions[r.region_id]
        r.current_unit = units[r.current_unit_id]
        if r.assigned_to_id:
            r.assigned_name = names[r.assigned_to_id]
        by_pk[r.pk] = r
    _clock_children(by_pk, unfinished)
    return rows


def _clock_children(by_pk: Mapping[int, OpenCase], cases: QuerySet[Case]) -> None:
    """The child rows `case_clocks` reads (`CLOCK_CHILDREN`), for many cases at once: one query
    per relation, plain rows in each case's `RelatedRows`. Django's own prefetch filters a
    queryset per case and builds an instance per row, which cost more than the queries at
    county scale. `cases` selects the cases of `by_pk` (a subquery is cheaper than thousands of
    bound ids)."""
    ids = cases.order_by().values("pk")
    for relation, (row_type, only) in CLOCK_CHILDREN.items():
        rel: Any = Case._meta.get_field(relation)  # a reverse relation: has .field, .related_model
        fk = rel.field
        rows = (
            rel.related_model.objects.filter(only, **{f"{fk.name}__in": ids})
            .values_list(fk.attname, *row_type._fields)
            .iterator(chunk_size=5000)
        )
        for case_id, *values in rows:
            case = by_pk.get(case_id)
            if case is not None:  # a case that became unfinished since `by_pk` was read
                getattr(case, relation).append(row_type(*values))
