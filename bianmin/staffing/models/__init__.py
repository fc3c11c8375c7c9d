"""Running the stations: duty roster, attendance and leave, training, assessment and subsidy.

Rules live in `services/` (writes) and `selectors/` (reads); these models hold data and invariants.
"""

from .assessment import (
    Assessment,
    AssessmentScheme,
    Grade,
    SubsidyLine,
    SubsidyPlan,
)
from .attendance import (
    Attendance,
    LeaveEvent,
    LeaveKind,
    LeaveRequest,
    LeaveStatus,
    QueueHandover,
    SignSource,
)
from .roster import (
    DutyChange,
    DutyChangeKind,
    DutyDay,
    RosterMember,
    RosterMode,
    RosterMonth,
    RosterRule,
)
from .training import (
    TrainingAttendance,
    TrainingAudience,
    TrainingSession,
)

__all__ = [
    "Assessment",
    "AssessmentScheme",
    "Attendance",
    "DutyChange",
    "DutyChangeKind",
    "DutyDay",
    "Grade",
    "LeaveEvent",
    "LeaveKind",
    "LeaveRequest",
    "LeaveStatus",
    "QueueHandover",
    "RosterMember",
    "RosterMode",
    "RosterMonth",
    "RosterRule",
    "SignSource",
    "SubsidyLine",
    "SubsidyPlan",
    "TrainingAttendance",
    "TrainingAudience",
    "TrainingSession",
]
