"""Reads of the staffing app; lists take the viewer and apply its access scope."""

from .assessment import (
    assessment_cases,
    assessment_get,
    assessment_list,
    sees_subsidies,
    subsidy_get,
    subsidy_plans,
)
from .attendance import (
    attendance_sheet,
    case_holders,
    leave_get,
    leaves_of,
    leaves_to_decide,
    my_queue,
)
from .roster import roster_for_unit, roster_gaps, roster_units
from .training import (
    can_record_training,
    training_candidates,
    training_duties,
    training_duty,
    training_organisers_for,
    training_record,
    training_records_visible,
    training_session_get,
    training_sessions,
    training_shortfall,
)

__all__ = [
    "assessment_cases",
    "assessment_get",
    "assessment_list",
    "sees_subsidies",
    "subsidy_get",
    "subsidy_plans",
    "attendance_sheet",
    "case_holders",
    "leave_get",
    "leaves_of",
    "leaves_to_decide",
    "my_queue",
    "roster_for_unit",
    "roster_gaps",
    "roster_units",
    "can_record_training",
    "training_candidates",
    "training_duties",
    "training_duty",
    "training_organisers_for",
    "training_record",
    "training_records_visible",
    "training_session_get",
    "training_sessions",
    "training_shortfall",
]
