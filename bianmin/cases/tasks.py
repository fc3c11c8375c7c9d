"""Background jobs of the case engine on the task queue (`bianmin db_worker` runs them)."""

import datetime as dt

from django.tasks import task

from bianmin.workdays import calendar

from .services import deadlines_recompute, flags_sweep


def flags_sweep_result(flags) -> dict:
    kinds: dict[str, int] = {}
    for flag in flags:
        kinds[flag.kind] = kinds.get(flag.kind, 0) + 1
    return {"flags": len(flags), "by_kind": kinds}


@task
def flags_sweep_task(day: str | None = None) -> dict:
    """Daily: art. 32 deemed acceptance and the case flags (`flags_sweep`) for `day` (ISO date;
    default today in Asia/Shanghai)."""
    return flags_sweep_result(flags_sweep(today=dt.date.fromisoformat(day) if day else None))


@task
def deadlines_recompute_task(years: list[int] | None = None) -> dict:
    """Provisional deadlines after the calendar learnt `years`; queued by a calendar save so the
    administrator's request does not wait for every open case."""
    # The worker is another process: the calendar it cached may predate the save.
    calendar.invalidate()
    return {"changed": deadlines_recompute(years=set(years) if years else None)}
