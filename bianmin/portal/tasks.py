"""Background jobs of the portal on the task queue (`bianmin db_worker` runs them)."""

import datetime as dt

from django.tasks import task

from .services import draft_uploads_purge


@task
def draft_uploads_purge_task(day: str | None = None) -> dict:
    """Daily: abandoned online-application drafts and their uploads go (`draft_uploads_purge`)."""
    return draft_uploads_purge(today=dt.date.fromisoformat(day) if day else None)
