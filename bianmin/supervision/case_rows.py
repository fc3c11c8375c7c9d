"""Unfinished cases read as light rows (`OpenCase`) for their clocks (`clocks.case_clocks`), the
sweep's alerts and the dashboard's lists: a fixed number of queries whatever their number."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Q, QuerySet

from bianmin.cases.models import ERRAND, Case, Channel, ErrandKind, MaterialStatus
from bianmin.catalog.models import ItemVersion
from bianmin.common.rows import RelatedRows, value_columns
from bianmin.orgs.models import UNIT_TIER, Region, Unit, UnitKind
from bianmin.orgs.selectors import display_names


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


class HopRow(NamedTuple):
    """What `cases.deadlines.arrived_on` reads of a custody hop."""

    to_unit_id: int
    received_at: dt.datetime | None


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
    # Read whole, not with `.iterator()`: on PostgreSQL that is a server-side cursor, planned for
    # its first tenth of rows (cursor_tuple_fraction), and the fast-start nested loop read the
    # materials of 32,572 unfinished cases in 4.7 s against 43 ms (200,000 cases, issue 17).
    for relation, (row_type, only) in CLOCK_CHILDREN.items():
        rel: Any = Case._meta.get_field(relation)  # a reverse relation: has .field, .related_model
        fk = rel.field
        rows = rel.related_model.objects.filter(only, **{f"{fk.name}__in": ids}).values_list(
            fk.attname, *row_type._fields
        )
        for case_id, *values in rows:
            case = by_pk.get(case_id)
            if case is not None:  # a case that became unfinished since `by_pk` was read
                getattr(case, relation).append(row_type(*values))
