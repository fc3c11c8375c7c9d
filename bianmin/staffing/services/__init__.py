"""Writes of the staffing app, one function per business action (`<entity>_<verb>`)."""

from .assessment import assessment_adjust, assessment_run, subsidy_allocate
from .attendance import (
    attendance_sign,
    cover_end,
    cover_for,
    cover_start,
    leave_cancel,
    leave_decide,
    leave_request,
    leave_return,
    leaves_sweep,
    staff_on_leave,
)
from .roster import duty_change, duty_swap, roster_generate, roster_publish, roster_rule_set
from .training import training_attendance_add, training_session_create

__all__ = [
    "assessment_adjust",
    "assessment_run",
    "subsidy_allocate",
    "attendance_sign",
    "cover_end",
    "cover_for",
    "cover_start",
    "duty_change",
    "duty_swap",
    "leave_cancel",
    "leave_decide",
    "leave_request",
    "leave_return",
    "leaves_sweep",
    "roster_generate",
    "roster_publish",
    "roster_rule_set",
    "staff_on_leave",
    "training_attendance_add",
    "training_session_create",
]
