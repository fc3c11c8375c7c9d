"""Supervision data: alerts per clock, notifications, oversight rules and orders, warning thresholds,
complaints and the supervision queue's records. Rules live in services and selectors; these
models hold data and invariants."""

from .alerts import Alert, Clock, Level, Notification, WarningThreshold
from .complaints import (
    UPHELD_OUTCOMES,
    Complaint,
    ComplaintContactView,
    ComplaintKind,
    ComplaintOutcome,
    ComplaintStatus,
)
from .live import LiveCase
from .oversight import OversightAction, OversightOrder, OversightRule
from .records import DailyJobRun, SupervisionRecord, SupervisionStep
from .settled import SettledCount, SettledIrregular, SettledMonth, SettledTier

__all__ = [
    "UPHELD_OUTCOMES",
    "Alert",
    "Clock",
    "Complaint",
    "ComplaintContactView",
    "ComplaintKind",
    "ComplaintOutcome",
    "ComplaintStatus",
    "DailyJobRun",
    "OversightOrder",
    "OversightAction",
    "OversightRule",
    "Level",
    "LiveCase",
    "Notification",
    "SettledCount",
    "SettledIrregular",
    "SettledMonth",
    "SettledTier",
    "SupervisionRecord",
    "SupervisionStep",
    "WarningThreshold",
]
