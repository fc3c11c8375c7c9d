"""Background jobs of ratings on Django's task framework (`django.tasks`, django-tasks-db backend).

Enqueue: `rectifications_overdue_task.enqueue()`; a `bianmin db_worker` process runs it. Meant to
be scheduled once a day, like the supervision sweep.
"""

import datetime as dt

from django.tasks import task

from .notify import rectifications_overdue_notify


@task
def rectifications_overdue_task(day: str | None = None) -> dict:
    """Notify the heads of overdue call-backs and fixes for `day` (ISO date; default today)."""
    today = dt.date.fromisoformat(day) if day else None
    return rectifications_overdue_notify(today=today).as_dict()
