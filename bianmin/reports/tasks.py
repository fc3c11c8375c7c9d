"""Background jobs of the monthly reports on the task queue (`bianmin db_worker` runs them)."""

import datetime as dt

from django.tasks import task

from .services import report_reminders


@task
def report_reminders_task(day: str | None = None) -> dict:
    """Daily: last month's drafts, reminders before the 5th, late flags (`report_reminders`)."""
    return report_reminders(today=dt.date.fromisoformat(day) if day else None)
