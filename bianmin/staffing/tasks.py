"""Background jobs of staffing on the task queue (`bianmin db_worker` runs them)."""

import datetime as dt

from django.tasks import task

from .services import leaves_sweep


@task
def leaves_sweep_task(day: str | None = None) -> dict:
    """Daily: start and end the AB cover of leaves (`leaves_sweep`)."""
    return leaves_sweep(today=dt.date.fromisoformat(day) if day else None)
