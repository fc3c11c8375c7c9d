"""The daily jobs on the task queue: each once per day, the scheduler once per day, catching up."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from bianmin.conftest import run_task_worker
from bianmin.supervision import daily
from bianmin.supervision.models import DailyJobRun

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")
HERE = "bianmin.supervision.tests.test_daily"
CALLS: list[tuple[str, str]] = []


@task
def record_task(day: str) -> dict:
    CALLS.append(("record", day))
    return {"day": day}


@task
def boom_task(day: str) -> dict:
    CALLS.append(("boom", day))
    raise RuntimeError("disk full")


@pytest.fixture
def jobs(settings):
    CALLS.clear()
    settings.BIANMIN_DAILY_JOBS = [f"{HERE}.boom_task", f"{HERE}.record_task"]
    yield
    CALLS.clear()


def worker() -> None:
    run_task_worker()


def test_every_configured_job_runs_for_the_day(county):
    """The real list: each job is a task taking `day`, and none fails on a plain county."""
    result = daily.daily_jobs_run(day=D(2026, 11, 23))
    assert result.failed == {}
    assert list(result.ran) == daily.daily_jobs()
    assert "bianmin.cases.tasks.flags_sweep_task" in result.ran  # art. 32 has a daily job now
    assert result.ran["bianmin.supervision.tasks.supervise_task"]["today"] == "2026-11-23"


def test_a_job_runs_once_a_day_and_a_failure_stops_no_other(db, jobs):
    first = daily.daily_jobs_run(day=D(2026, 11, 23))
    assert first.failed == {f"{HERE}.boom_task": "RuntimeError: disk full"}
    assert first.ran == {f"{HERE}.record_task": {"day": "2026-11-23"}}
    again = daily.daily_jobs_run(day=D(2026, 11, 23))
    assert again.ran == {} and len(again.skipped) == 2
    assert CALLS == [("boom", "2026-11-23"), ("record", "2026-11-23")]
    forced = daily.daily_jobs_run(day=D(2026, 11, 23), force=True)
    assert list(forced.ran) == [f"{HERE}.record_task"]
    row = DailyJobRun.objects.get(job=f"{HERE}.boom_task")
    assert row.error == "RuntimeError: disk full" and row.finished_at is not None
    assert DailyJobRun.objects.filter(day=D(2026, 11, 23)).count() == 2


def test_a_day_is_scheduled_once_at_one_in_the_morning(db, jobs):
    task_id = daily.daily_jobs_schedule(day=D(2026, 11, 24))
    assert task_id is not None
    assert daily.daily_jobs_schedule(day=D(2026, 11, 24)) is None  # another worker, a restart
    queued = DBTaskResult.objects.get()
    assert str(queued.id) == task_id
    assert queued.task_path == daily.SCHEDULER
    assert queued.args_kwargs == {"args": [], "kwargs": {"day": "2026-11-24"}}
    assert queued.run_after == dt.datetime(2026, 11, 24, 1, tzinfo=SHANGHAI)


def test_worker_runs_the_day_and_catches_up_to_today(db, jobs, clock):
    """Started after two days down, the worker runs each missed day once, in order, and leaves
    tomorrow queued for 01:00."""
    clock.set(D(2026, 11, 25), hour=9)
    daily.daily_jobs_schedule(day=D(2026, 11, 23))
    worker()
    assert [day for name, day in CALLS if name == "record"] == [
        "2026-11-23",
        "2026-11-24",
        "2026-11-25",
    ]
    waiting = DBTaskResult.objects.exclude(status="SUCCESSFUL").get()
    assert waiting.args_kwargs["kwargs"] == {"day": "2026-11-26"} and waiting.status == "READY"
    done = DBTaskResult.objects.filter(status="SUCCESSFUL").order_by("enqueued_at")
    assert [r.return_value["day"] for r in done] == ["2026-11-23", "2026-11-24", "2026-11-25"]


def test_schedule_command_is_idempotent_and_run_command_prints_the_day(db, jobs, capsys):
    call_command("daily_jobs", "--schedule", "--date", "2026-11-23")
    out = capsys.readouterr().out
    assert "2026-11-23: queued" in out and "2026-11-24: queued" in out
    call_command("daily_jobs", "--schedule", "--date", "2026-11-23")
    out = capsys.readouterr().out
    assert out.count("already scheduled") == 2
    assert DBTaskResult.objects.count() == 2
    with pytest.raises(SystemExit) as e:
        call_command("daily_jobs", "--date", "2026-11-23")
    assert e.value.code == 2  # a failed job is an exit status for the timer's monitoring
    printed = json.loads(capsys.readouterr().out)
    assert printed["ran"] == {f"{HERE}.record_task": {"day": "2026-11-23"}}


def test_flags_sweep_command(county, capsys):
    call_command("flags_sweep", "--date", "2026-11-23")
    assert json.loads(capsys.readouterr().out) == {"flags": 0, "by_kind": {}}


def test_a_crashing_day_still_leaves_the_next_day_queued(db, jobs, clock, monkeypatch):
    clock.set(D(2026, 11, 23), hour=9)

    def crash(*, day, force=False):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(daily, "daily_jobs_run", crash)
    daily.daily_jobs_schedule(day=D(2026, 11, 23), now=True)
    worker()
    assert DBTaskResult.objects.get(args_kwargs__kwargs__day="2026-11-23").status == "FAILED"
    waiting = DBTaskResult.objects.get(args_kwargs__kwargs__day="2026-11-24")
    assert waiting.status == "READY"
