"""Writes to cases. Pages, the API and commands call these; nothing else changes a case.

- `case_register`: intake (收件 / 委托) at a unit, in a channel, by staff.
- `case_submit_online`, `case_supplement_online`: the applicant online, with no staff actor.
- `case_transition`: every other change, through the table in `bianmin.cases.workflow`;
  `case_actions_for`: what a person may do to a case now (pages, queues and the API show it).
- `case_cover_handover`: the AB-post cover of a staff member on leave (staffing decides who).
- `errand_register`: an errand (便民服务), a light case the village agent takes for a person.
- `flags_sweep`: supervision flags and art. 32 deemed acceptance, run daily.
- `deadlines_recompute`: provisional deadlines after the calendar changed.
"""

from .cover import case_cover_handover
from .engine import case_actions_for, case_transition, next_action
from .errands import errand_register
from .events import event_record
from .intake import case_register
from .online import case_submit_online, case_supplement_online
from .sweep import deadlines_recompute, flag_raise, flags_sweep

__all__ = [
    "case_actions_for",
    "case_cover_handover",
    "next_action",
    "case_register",
    "case_submit_online",
    "case_supplement_online",
    "case_transition",
    "deadlines_recompute",
    "errand_register",
    "event_record",
    "flag_raise",
    "flags_sweep",
]
