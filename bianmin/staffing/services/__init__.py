"""Writes of the staffing app, one function per business action (`<entity>_<verb>`)."""

from .roster import duty_change, duty_swap, roster_generate, roster_publish, roster_rule_set

__all__ = [
    "duty_change",
    "duty_swap",
    "roster_generate",
    "roster_publish",
    "roster_rule_set",
]
