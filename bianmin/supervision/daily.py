"""The daily jobs on the task queue, with no cron: one scheduler task runs the jobs of a day and
queues itself for the next day at `BIANMIN_DAILY_JOBS_AT` (01:00 Asia/Shanghai).

Each job is a `django.tasks` task named in `BIANMIN_DAILY_JOBS` (dotted path) that takes the day
as `day="YYYY-MM-DD"`. A `DailyJobRun` row per (job, day) is the claim: a job runs once a day and
a day is scheduled once, however many workers, restarts or commands meet on it. The jobs are
idempotent themselves, so `bianmin daily_jobs --force` may rerun a day.
"""

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from bianmin.workdays import calendar

from .models import DailyJobRun

logger = logging.getLogger(__name__)

SCHEDULER = "bianmin.supervision.tasks.daily_jobs_task"


def daily_jobs() -> list[str]:
    return list(settings.BIANMIN_DAILY_JOBS)


def run_at(day: dt.date) -> dt.datetime:
    """When the worker runs the jobs of `day`: `BIANMIN_DAILY_JOBS_AT` local time that day."""
    hour, minute = map(int, settings.BIANMIN_DAILY_JOBS_AT.split(":"))
    return dt.datetime.combine(
        day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


def _claim(job: str, day: dt.date) -> DailyJobRun | None:
    """The new claim of (job, day), or None when someone holds it already."""
    try:
        with transaction.atomic():
            return DailyJobRun.objects.create(job=job, day=day)
    except IntegrityError:
        return None


@dataclass
class DayResult:
    day: dt.date
    ran: dict[str, dict] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # already run that day
    failed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "day": str(self.day),
            "ran": self.ran,
            "skipped": self.skipped,
            "failed": self.failed,
        }


def daily_jobs_run(*, day: dt.date, force: bool = False) -> DayResult:
    """Run every daily job of `day` in this process, in the order of `BIANMIN_DAILY_JOBS` (deemed
    acceptance before the sweep that reads its result). A job already claimed for the day is
    skipped unless `force`. A failing job is logged and recorded and the others still run."""
    # A long-running worker read the calendar days or months ago; a year entered since counts.
    calendar.invalidate()
    out = DayResult(day=day)
    for path in daily_jobs():
        run = _claim(path, day)
        if run is None:
            if not force:
                out.skipped.append(path)
                continue
            run = DailyJobRun.objects.get(job=path, day=day)
        job: Task = import_string(path)
        try:
            result = job.call(day=day.isoformat())
        except Exception as exc:  # noqa: BLE001 - isolation: one job's failure stops no other
            logger.exception("daily job %s failed for %s", path, day)
            run.error, run.result = f"{type(exc).__name__}: {exc}", None
            out.failed[path] = run.error
        else:
            run.error, run.result = "", result
            out.ran[path] = result
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "result", "finished_at"])
    return out


def daily_jobs_schedule(*, day: dt.date, now: bool = False) -> str | None:
    """Queue the scheduler task for `day` (at `run_at(day)`, or at once with `now`) unless that day
    is already scheduled. The claim and the queued task commit together. Returns the task id."""
    from .tasks import daily_jobs_task

    with transaction.atomic():
        run = _claim(SCHEDULER, day)
        if run is None:
            return None
        task = daily_jobs_task if now else daily_jobs_task.using(run_after=run_at(day))
        result = task.enqueue(day=day.isoformat())
        run.task_id = str(result.id)
        run.save(update_fields=["task_id"])
    return run.task_id


def daily_jobs_ensure(*, today: dt.date | None = None) -> dict[str, str | None]:
    """At worker start: today's jobs queued now unless today is scheduled already, and
    tomorrow's queued for its hour, so the chain stands even if it was broken."""
    today = today or timezone.localdate()
    return {
        str(today): daily_jobs_schedule(day=today, now=True),
        str(today + dt.timedelta(days=1)): daily_jobs_schedule(day=today + dt.timedelta(days=1)),
    }
