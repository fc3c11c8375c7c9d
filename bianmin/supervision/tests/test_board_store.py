"""Kept dashboards (supervision/board_store.py): served while fresh, shown stale while one refresh
is queued for the worker, kept per scope and language, computed every time when turned off."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from bianmin.cases.services import case_register
from bianmin.supervision import board_store
from bianmin.supervision.selectors import dashboard
from bianmin.supervision.tasks import dashboard_refresh_task

from .conftest import PERSON

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 10, 13)


@pytest.fixture
def kept(settings, own_cache_dirs):
    settings.BIANMIN_DASHBOARD_FRESH_SECONDS = 300


def read(viewer, **kw) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as ctx:
        d = dashboard(viewer=viewer, today=TODAY, **kw)
    return d, len(ctx)


def register(county, items):
    return case_register(
        actor=county.t1_staff.user,
        item_version=items.ten,
        channel="window",
        materials={},
        **PERSON,
    )


def test_a_fresh_board_is_served_without_reading_the_cases(kept, county, items):
    register(county, items)
    first, cold = read(county.supervisor.user)
    again, warm = read(county.supervisor.user)
    assert again["totals"] == first["totals"] and again["totals"]["total"] == 1
    assert again["computed_at"] == first["computed_at"]
    assert cold > 10 and warm <= 3  # the viewer's scope, nothing of the board
    # Another scope gets its own board.
    own, _ = read(county.t1_staff.user)
    assert (
        own["region"]["code"] != first["region"]["code"]
        or own["computed_at"] != first["computed_at"]
    )


def test_a_stale_board_is_shown_and_one_refresh_is_queued(kept, county, items, monkeypatch):
    register(county, items)
    first, _ = read(county.supervisor.user)
    register(county, items)  # a second case the kept board does not count yet
    later = timezone.now() + dt.timedelta(seconds=301)
    monkeypatch.setattr(board_store.timezone, "now", lambda: later)
    stale, _ = read(county.supervisor.user)
    assert stale["totals"]["total"] == 1 and stale["computed_at"] == first["computed_at"]
    read(county.supervisor.user)  # a second reader meanwhile queues nothing more
    queued = DBTaskResult.objects.filter(task_path__endswith="dashboard_refresh_task")
    assert queued.count() == 1
    job = queued.get()
    dashboard_refresh_task.call(*job.args_kwargs["args"], **job.args_kwargs["kwargs"])
    fresh, _ = read(county.supervisor.user)
    assert fresh["totals"]["total"] == 2 and fresh["computed_at"] == later


def test_boards_are_kept_per_language(kept, county, items):
    register(county, items)
    zh, _ = read(county.supervisor.user)
    with translation.override("en"):
        en, cold = read(county.supervisor.user)
    assert cold > 10
    assert zh["totals"] == en["totals"]


def test_turned_off_computes_every_time(settings, county, items):
    settings.BIANMIN_DASHBOARD_FRESH_SECONDS = 0
    register(county, items)
    _, first = read(county.supervisor.user)
    _, again = read(county.supervisor.user)
    assert first > 10 and again > 10  # read again (a per-process cache saves a couple)


def test_the_page_says_when_the_figures_were_computed(kept, client, county, items):
    register(county, items)
    client.force_login(county.supervisor.user)
    page = client.get("/supervision/").content.decode()
    at = timezone.localtime(dashboard(viewer=county.supervisor.user)["computed_at"])
    assert f"数据更新于 {at:%H:%M}" in page


def test_the_daily_warm_up_computes_each_supervisor_scope_once(kept, county, items):
    from bianmin.supervision.tasks import boards_warm_task

    register(county, items)
    assert boards_warm_task.call(day=TODAY.isoformat()) == {"day": str(TODAY), "boards": 1}
    board, warm = read(county.supervisor.user)
    assert board["totals"]["total"] == 1 and warm <= 3
