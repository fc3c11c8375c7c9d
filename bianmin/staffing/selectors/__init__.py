"""Reads of the staffing app; lists take the viewer and apply its access scope."""

from .roster import roster_for_unit, roster_gaps, roster_units

__all__ = ["roster_for_unit", "roster_gaps", "roster_units"]
