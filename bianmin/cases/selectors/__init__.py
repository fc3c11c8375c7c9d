"""Reads of cases, always through the viewer's access scope (DESIGN.md "Access follows the region
tree and the unit"): a village agent sees its village's cases, a township centre its own and its
villages', a county department the cases routed to it, a supervisor all in its jurisdiction.

- `access`: which cases a viewer may see (`cases_visible`, `open_cases_visible`).
- `rows`: cases as lists show them (`CaseRow`, `case_rows`).
- `lists`: the case list and staff search (`case_list`, `case_colours`).
- `queues`: the work queues, one table (`QUEUE_TABLE`, `work_queues`).
- `detail`: one case, its timeline and holding times (`case_get`, `case_events`, `case_holdings`).
"""

from .access import cases_visible, open_cases_visible
from .detail import (
    Holding,
    case_events,
    case_get,
    case_holdings,
    case_timeline,
    loaded_related,
)
from .lists import CASE_COLOURS, Page, case_colours, case_list
from .queues import (
    LIST_QUEUES,
    OWN_UNIT_QUEUES,
    QUEUE_COLUMNS,
    QUEUE_STATES,
    QUEUE_TABLE,
    QUEUES,
    TODO,
    Queue,
    QueueRow,
    QueueView,
    queue_case_ids,
    queue_memberships,
    queue_rows,
    work_queues,
)
from .rows import CaseRow, PauseSpan, UnitName, case_rows

__all__ = [
    "CASE_COLOURS",
    "LIST_QUEUES",
    "OWN_UNIT_QUEUES",
    "QUEUES",
    "QUEUE_COLUMNS",
    "QUEUE_STATES",
    "QUEUE_TABLE",
    "TODO",
    "CaseRow",
    "Holding",
    "Page",
    "PauseSpan",
    "Queue",
    "QueueRow",
    "QueueView",
    "UnitName",
    "case_colours",
    "case_events",
    "case_get",
    "case_holdings",
    "loaded_related",
    "case_list",
    "case_rows",
    "case_timeline",
    "cases_visible",
    "open_cases_visible",
    "queue_case_ids",
    "queue_memberships",
    "queue_rows",
    "work_queues",
]
