"""Supervision dashboards kept between requests, refreshed by the task worker (issue 17).

At a real county's pace (about 500,000 cases a year) the county dashboard reads a year of custody
hops for the tier figures (10-12 s, as slow in hand-written SQL), groups the whole history by
region, unit and state (2 s) and runs the clocks of 30,000 unfinished cases: far over the second
a person waits for a page. So a computed dashboard is kept in the "boards" cache (files shared by
the workers of a host), under the database, region, day, language and the viewer's scope (two
supervisors of one jurisdiction share it). A request gets the kept one while it is younger than
`BIANMIN_DASHBOARD_FRESH_SECONDS` (default 300; 0 computes every time); an older one is still
shown, with its time, and one refresh is queued for the worker, so the next request gets new
figures without anyone waiting for them. Only the first request of the day for a region and
scope computes while the person waits.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language

from bianmin.common.cache_keys import cache_key

ALIAS = "boards"
# Kept boards outlive their freshness by a day: a stale one is shown while the refresh runs.
KEEP = 86400


def fresh_seconds() -> int:
    return int(getattr(settings, "BIANMIN_DASHBOARD_FRESH_SECONDS", 300))


def _key(*, viewer, scope, region_code: str, today) -> str:
    return cache_key(
        "board",
        region_code,
        today.isoformat(),
        get_language(),
        viewer.is_superuser,
        scope.signature,
    )


def _computed(compute: Callable[[], dict]) -> dict:
    return {**compute(), "computed_at": timezone.now()}


def served(*, viewer, scope, region_code: str, today, compute: Callable[[], dict]) -> dict:
    """The dashboard `compute()` gives, kept (see the module); `computed_at` says when."""
    fresh = fresh_seconds()
    if fresh <= 0:
        return _computed(compute)
    cache = caches[ALIAS]
    key = _key(viewer=viewer, scope=scope, region_code=region_code, today=today)
    found = cache.get(key)
    if found is None:
        return store(key, compute)
    age = (timezone.now() - found["computed_at"]).total_seconds()
    # One refresh per board at a time, whatever the number of readers meanwhile.
    if age > fresh and cache.add(key + ":refreshing", 1, fresh):
        from .tasks import dashboard_refresh_task

        dashboard_refresh_task.enqueue(
            viewer_id=viewer.pk,
            region_code=region_code,
            day=today.isoformat(),
            language=get_language(),
        )
    return found


def store(key: str, compute: Callable[[], dict]) -> dict:
    data = _computed(compute)
    caches[ALIAS].set(key, data, KEEP)
    caches[ALIAS].delete(key + ":refreshing")
    return data


def refresh(*, viewer, scope, region_code: str, today, compute: Callable[[], dict]) -> dict:
    """Compute the board again and keep it (the worker's task)."""
    if fresh_seconds() <= 0:
        return _computed(compute)
    return store(_key(viewer=viewer, scope=scope, region_code=region_code, today=today), compute)
