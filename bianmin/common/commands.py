"""What the `bianmin` commands share."""

import datetime as dt

from django.core.management.base import CommandError


def date_option(value: str | None) -> dt.date | None:
    """A command's `--date YYYY-MM-DD` (None when not given: the command means today)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from None
