"""Reads for the public pages.

What these return is public by law (公开公示: the catalog, where to go, who the staff and agents
are, office hours, fees, masked results and statistics), so like `bianmin.catalog.selectors` they
take no viewer and apply no access scope; nothing personal leaves them unmasked. Staff-side reads
(pre-review queue, questions to answer, home visits) take the viewer and apply `scope_for`.

- `guides`: units, service guides, where to go, a village's service card;
- `disclosure`: the 公开公示 boards; `status`: a case as the applicant reads it;
- `staff`: the staff side (scoped).
"""

from .disclosure import (
    BOARD_FIGURES,
    MonthStats,
    board_case_rows,
    board_cases,
    concluded_cases,
    delegation_lists,
    duty_roster,
    mask_name,
    mask_number,
    masked,
    month_stats,
    unit_cases,
    unit_items,
    unit_items_filter,
)
from .guides import (
    WhereToGo,
    agents_of,
    answered_questions,
    county_centre,
    departments,
    guide_get,
    guide_list,
    life_events,
    public_unit_get,
    public_units,
    station_for_region,
    top_items_for_village,
    township_centre_for_region,
    villages,
    where_to_go,
)
from .staff import (
    application_for_review,
    applications_for_review,
    home_visits_for,
    questions_for,
)
from .status import PLAIN_ACTIONS, status_summary

__all__ = [
    "BOARD_FIGURES",
    "PLAIN_ACTIONS",
    "MonthStats",
    "WhereToGo",
    "agents_of",
    "answered_questions",
    "application_for_review",
    "applications_for_review",
    "board_case_rows",
    "board_cases",
    "concluded_cases",
    "county_centre",
    "delegation_lists",
    "departments",
    "duty_roster",
    "guide_get",
    "guide_list",
    "home_visits_for",
    "life_events",
    "mask_name",
    "mask_number",
    "masked",
    "month_stats",
    "public_unit_get",
    "public_units",
    "questions_for",
    "station_for_region",
    "status_summary",
    "top_items_for_village",
    "township_centre_for_region",
    "unit_cases",
    "unit_items",
    "unit_items_filter",
    "villages",
    "where_to_go",
]
