"""Supervision writes.

- `complaint_file`, `complaint_decide`, `complaint_reply`, `complaint_contact_reveal`: complaints
  and suggestions.
- `supervision_sweep`: the daily sweep of every clock (alerts, notifications, oversight orders).
- `notification_read`, `oversight_order_resolve`: the supervisor's and staff's follow-up.
- `supervision_notice`, `supervision_deadline_set`, `supervision_note`, `supervision_close`:
  the supervision queue, one case at a time.
"""

from .complaints import complaint_contact_reveal, complaint_decide, complaint_file, complaint_reply
from .notify import notification_read, notify_once
from .supervise import (
    supervision_close,
    supervision_deadline_set,
    supervision_note,
    supervision_notice,
)
from .sweep import SweepResult, oversight_order_resolve, supervision_sweep

__all__ = [
    "SweepResult",
    "complaint_contact_reveal",
    "complaint_decide",
    "complaint_file",
    "complaint_reply",
    "oversight_order_resolve",
    "notification_read",
    "notify_once",
    "supervision_close",
    "supervision_deadline_set",
    "supervision_note",
    "supervision_notice",
    "supervision_sweep",
]
