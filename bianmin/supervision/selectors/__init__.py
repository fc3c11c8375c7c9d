"""Supervision reads, always through the viewer's access scope (`bianmin.orgs.scope.scope_for`):
alerts, notifications, the supervisor's queue (`alerts`), complaints (`complaints`), and the
dashboard of a jurisdiction (`dashboard`, one selector per panel). The pages, the API and
other apps call them by these names."""

from .alerts import alert_list, notifications_for, supervision_queue, supervisor_queue
from .board import case_colours
from .complaints import complaint_get, complaint_public_get, complaint_queue, complaints_upheld
from .dashboard import DASHBOARD_YEARS, dashboard, dashboard_date

__all__ = [
    "DASHBOARD_YEARS",
    "alert_list",
    "case_colours",
    "complaint_get",
    "complaint_public_get",
    "complaint_queue",
    "complaints_upheld",
    "dashboard",
    "dashboard_date",
    "notifications_for",
    "supervision_queue",
    "supervisor_queue",
]
