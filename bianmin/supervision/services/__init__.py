"""Supervision writes.

- `complaint_file`, `complaint_decide`, `complaint_reply`, `complaint_contact_reveal`: complaints
  and suggestions.
- `supervision_sweep`: the daily sweep of every clock (alerts, notifications, escalation).
- `notification_read`, `escalation_resolve`: the supervisor's and staff's follow-up.
"""

from .complaints import complaint_contact_reveal, complaint_decide, complaint_file, complaint_reply
from .notify import notification_read, notify_once
from .sweep import SweepResult, escalation_resolve, supervision_sweep

__all__ = [
    "SweepResult",
    "complaint_contact_reveal",
    "complaint_decide",
    "complaint_file",
    "complaint_reply",
    "escalation_resolve",
    "notification_read",
    "notify_once",
    "supervision_sweep",
]
