"""Cases as lists show them: rows read as values with their names looked up by id (issue 8)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import QuerySet

from bianmin.catalog.models import ItemVersion
from bianmin.common.rows import RelatedRows, value_columns
from bianmin.orgs.models import Unit
from bianmin.orgs.selectors import display_names

from ..models import ERRAND, Case, Channel, ErrandKind, Pause


class PauseSpan(NamedTuple):
    started_on: dt.date
    ended_on: dt.date | None


class UnitName(NamedTuple):
    pk: int
    name: str


@dataclass(slots=True)
class CaseRow:
    """A case as a list shows it (the list and queue pages, the API's list items): its own
    columns read as values, the names of its units, item and assignee looked up by id. It reads
    like a case where lists read one: `title`, `current_unit.name`, `pauses.all()`.

    Building full `Case` instances with their three units, item version, assignee and pauses
    cost ~0.3 ms a case, most of a queue page (issue 8); the case page loads the case whole."""

    pk: int
    number: str
    state: str
    case_class: str
    channel: str
    errand_kind: str
    item_version_id: int | None
    applicant_kind: str
    applicant_name: str
    id_number: str
    credit_code: str
    phone: str
    intake_unit_id: int
    current_unit_id: int
    accepting_unit_id: int | None
    deciding_unit_id: int
    assigned_to_id: int | None
    created_at: dt.datetime
    submitted_on: dt.date
    accepted_on: dt.date | None
    clock_started_on: dt.date | None
    held_since: dt.date | None
    extended_days: int
    concluded_on: dt.date | None
    closed_on: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    proxy_due: dt.date | None
    delivery_due: dt.date | None
    deadlines_provisional: bool
    lock_version: int
    title: str = ""
    promised_limit: int = 0
    intake_unit: UnitName | None = None
    current_unit: UnitName | None = None
    deciding_unit: UnitName | None = None
    assigned_name: str = ""
    pauses: RelatedRows = field(default_factory=RelatedRows)

    @property
    def is_proxy(self) -> bool:
        return self.channel == Channel.PROXY and self.case_class != ERRAND


ROW_COLUMNS = value_columns(CaseRow)


def case_rows(qs: QuerySet[Case]) -> list[CaseRow]:
    """The rows of `qs` (already filtered, ordered and sliced), in its order: the cases' own
    columns, then the names of their units, items and assignees and the pauses of the accepted
    ones (which their clocks read), each by id.

    The names are not joined in: planning a case query with six more tables took PostgreSQL
    ~3 ms for 20 rows and ~24 ms for a queue page (EXPLAIN, county scale), more than the three
    short lookups by primary key cost there; on SQLite the lookups cost ~0.4 ms more (issue 8)."""
    rows = [CaseRow(*values) for values in qs.values_list(*ROW_COLUMNS)]
    if not rows:
        return rows
    unit_ids = {u for r in rows for u in (r.intake_unit_id, r.current_unit_id, r.deciding_unit_id)}
    units = dict(Unit.objects.filter(pk__in=unit_ids).order_by().values_list("pk", "name"))
    versions = {
        pk: (name, limit)
        for pk, name, limit in ItemVersion.objects.filter(
            pk__in={r.item_version_id for r in rows if r.item_version_id}
        )
        .order_by()
        .values_list("pk", "name", "promised_limit")
    }
    names = display_names(r.assigned_to_id for r in rows if r.assigned_to_id)
    accepted = {r.pk: r for r in rows if r.accepted_on or r.proxy_due}
    if accepted:
        for case_id, started, ended in (
            Pause.objects.filter(case_id__in=accepted)
            .order_by("started_on", "pk")
            .values_list("case_id", "started_on", "ended_on")
        ):
            accepted[case_id].pauses.append(PauseSpan(started, ended))
    for r in rows:
        r.intake_unit = UnitName(r.intake_unit_id, units[r.intake_unit_id])
        r.current_unit = UnitName(r.current_unit_id, units[r.current_unit_id])
        r.deciding_unit = UnitName(r.deciding_unit_id, units[r.deciding_unit_id])
        r.assigned_name = names.get(r.assigned_to_id, "") if r.assigned_to_id else ""
        if r.item_version_id:
            r.title, r.promised_limit = versions[r.item_version_id]
        elif r.errand_kind:
            r.title = str(ErrandKind(r.errand_kind).label)
    return rows
