"""Background jobs on Django's task framework (`django.tasks`, django-tasks-db backend).

Enqueue: `supervise_task.enqueue()`; a `bianmin db_worker` process runs it.
"""

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from bianmin.orgs.scope import scope_for

from .services import supervision_sweep


def result_dict(result) -> dict:
    return {
        "today": str(result.today),
        "skipped": result.skipped,
        "checked": result.checked,
        "alerts": len(result.alerts),
        "escalations": len(result.oversight_orders),
        "notifications": result.notifications,
        "errors": [list(e) for e in result.errors],
        "summary": str(result.summary()),
    }


@task
def supervise_task(day: str | None = None) -> dict:
    """The daily supervision sweep for `day` (ISO date; default: today in Asia/Shanghai)."""
    today = dt.date.fromisoformat(day) if day else None
    return result_dict(supervision_sweep(today=today))


@task
def daily_jobs_task(day: str) -> dict:
    """The scheduler: queue itself for the next day, then run the daily jobs of `day` (see
    `bianmin.supervision.daily`). Next day first, so that nothing a job does breaks the chain."""
    from .daily import daily_jobs_run, daily_jobs_schedule

    when = dt.date.fromisoformat(day)
    daily_jobs_schedule(day=when + dt.timedelta(days=1))
    return daily_jobs_run(day=when).as_dict()


@task
def dashboard_refresh_task(viewer_id: int, region_code: str, day: str, language: str) -> str:
    """Compute a kept supervision dashboard again (`board_store`) as `viewer` sees it."""
    from django.contrib.auth import get_user_model
    from django.utils import translation

    from .selectors import dashboard

    viewer = get_user_model().objects.get(pk=viewer_id)
    with translation.override(language):
        data = dashboard(
            viewer=viewer, region_code=region_code, today=dt.date.fromisoformat(day), refresh=True
        )
    return data["computed_at"].isoformat()


@task
def boards_warm_task(day: str | None = None) -> dict:
    """Compute the supervisors' dashboards of `day` before anyone opens them (`board_store`):
    at county scale a board takes seconds to compute, and the first reader of the day would
    wait for it. One board per distinct scope (supervisors of one centre share theirs)."""
    from django.utils import translation

    from bianmin.orgs.models import RoleCode, Staff

    from . import board_store
    from .selectors import dashboard

    when = dt.date.fromisoformat(day) if day else timezone.localdate()
    if board_store.fresh_seconds() <= 0:
        return {"day": str(when), "boards": 0}
    done: set[tuple] = set()
    staff = Staff.objects.filter(user__is_active=True).select_related("user", "unit__region")
    for member in staff.order_by("pk"):
        if not member.has_role(RoleCode.SUPERVISOR):
            continue
        scope = scope_for(member.user)
        if scope.signature in done or scope.is_empty:
            continue
        done.add(scope.signature)
        with translation.override(settings.LANGUAGE_CODE):
            dashboard(viewer=member.user, today=when, refresh=True)
    return {"day": str(when), "boards": len(done)}
