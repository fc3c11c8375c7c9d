"""Shared fixtures: a small real county built through the orgs services, and a clock."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from bianmin.orgs import services as org
from bianmin.orgs.models import RoleCode, UnitKind, WindowType
from bianmin.tests_browser.fixtures import (  # noqa: F401
    browser,
    login,
    new_page,
    page,
    phone,
    screenshot,
)

PASSWORD = "test-pass-123"  # noqa: S105


def build_county() -> SimpleNamespace:
    """汉台区 with two townships of two villages each, the county centre and three departments."""
    c = SimpleNamespace()
    c.county = org.region_create(code="610702000000", name="汉台区")
    c.t1 = org.region_create(code="610702100000", name="武乡镇", parent=c.county)
    c.t2 = org.region_create(code="610702101000", name="河东店镇", parent=c.county)
    c.v11 = org.region_create(code="610702100201", name="汉王村", parent=c.t1)
    c.v12 = org.region_create(code="610702100202", name="谢村", parent=c.t1)
    c.v21 = org.region_create(code="610702101201", name="花园村", parent=c.t2)
    c.v22 = org.region_create(code="610702101202", name="店子村", parent=c.t2)
    c.centre = org.unit_create(
        name="汉台区政务服务中心", kind=UnitKind.COUNTY_CENTRE, region=c.county, code="C610702"
    )
    c.dept_civil = org.unit_create(
        name="区民政局", kind=UnitKind.DEPARTMENT, region=c.county, code="D-MZ", parent=c.centre
    )
    c.dept_land = org.unit_create(
        name="区自然资源局", kind=UnitKind.DEPARTMENT, region=c.county, code="D-ZR", parent=c.centre
    )
    c.dept_social = org.unit_create(
        name="区人社局", kind=UnitKind.DEPARTMENT, region=c.county, code="D-RS", parent=c.centre
    )
    c.window = org.unit_create(
        name="综合受理窗口",
        kind=UnitKind.WINDOW,
        window_type=WindowType.GENERAL,
        region=c.county,
        code="W-C-1",
        parent=c.centre,
    )
    c.tc1 = org.unit_create(
        name="武乡镇便民服务中心",
        kind=UnitKind.TOWNSHIP_CENTRE,
        region=c.t1,
        code="T1",
        parent=c.centre,
    )
    c.tc2 = org.unit_create(
        name="河东店镇便民服务中心",
        kind=UnitKind.TOWNSHIP_CENTRE,
        region=c.t2,
        code="T2",
        parent=c.centre,
    )
    c.s11 = org.unit_create(
        name="汉王村便民服务站",
        kind=UnitKind.VILLAGE_STATION,
        region=c.v11,
        code="S11",
        parent=c.tc1,
    )
    c.s12 = org.unit_create(
        name="谢村便民服务站", kind=UnitKind.VILLAGE_STATION, region=c.v12, code="S12", parent=c.tc1
    )
    c.s21 = org.unit_create(
        name="花园村便民服务站",
        kind=UnitKind.VILLAGE_STATION,
        region=c.v21,
        code="S21",
        parent=c.tc2,
    )
    c.s22 = org.unit_create(
        name="店子村便民服务站",
        kind=UnitKind.VILLAGE_STATION,
        region=c.v22,
        code="S22",
        parent=c.tc2,
    )

    def person(username, unit, roles, name, **kw):
        return org.staff_create(
            username=username,
            password=PASSWORD,
            full_name=name,
            unit=unit,
            roles=roles,
            phone="13900000000",
            **kw,
        )

    c.admin = person("admin", c.centre, [RoleCode.ADMINISTRATOR], "管理员", is_staff=True)
    c.supervisor = person("supervisor", c.centre, [RoleCode.SUPERVISOR], "监察员")
    c.centre_staff = person("c-window", c.window, [RoleCode.WINDOW_STAFF], "县窗口")
    c.civil = person(
        "d-mz", c.dept_civil, [RoleCode.APPROVER, RoleCode.CHIEF_REPRESENTATIVE], "民政审批"
    )
    c.civil_head = person("d-mz-head", c.dept_civil, [RoleCode.APPROVER, RoleCode.HEAD], "民政局长")
    c.land = person("d-zr", c.dept_land, [RoleCode.APPROVER], "自然资源审批")
    c.social = person("d-rs", c.dept_social, [RoleCode.APPROVER], "人社审批")
    c.t1_staff = person("t01-staff", c.tc1, [RoleCode.WINDOW_STAFF, RoleCode.APPROVER], "武乡窗口")
    c.t1_head = person("t01-head", c.tc1, [RoleCode.HEAD, RoleCode.APPROVER], "武乡主任")
    c.t2_staff = person(
        "t02-staff", c.tc2, [RoleCode.WINDOW_STAFF, RoleCode.APPROVER], "河东店窗口"
    )
    c.a11 = person("v0101-agent", c.s11, [RoleCode.AGENT], "汉王代办员")
    c.a12 = person("v0102-agent", c.s12, [RoleCode.AGENT], "谢村代办员")
    c.a21 = person("v0201-agent", c.s21, [RoleCode.AGENT], "花园代办员")
    c.a22 = person("v0202-agent", c.s22, [RoleCode.AGENT], "店子代办员")
    return c


@pytest.fixture
def county(db) -> SimpleNamespace:
    return build_county()


def api_token(client: Client, username: str) -> dict:
    """Headers carrying a fresh bearer token for `username`."""
    r = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}


@pytest.fixture
def token_for(client):
    return lambda username: api_token(client, username)


SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """Now, held still at a chosen hour of a chosen day (Shanghai time) by time-machine: Django's
    `timezone.now()`, `datetime.now()`, `date.today()` and `time.time()` all read it. Until `set`
    is first called the real time runs.

    In a browser test only `django.utils.timezone.now` moves (`monkeypatch` given): Chromium keeps
    the real time, and a server whose `time.time()` lay in the past would send it session and
    CSRF cookies that have already expired."""

    def __init__(self, monkeypatch=None):
        self._monkeypatch = monkeypatch
        self._travel: time_machine.travel | None = None
        self._traveller = None

    def set(self, day: dt.date, hour: int = 10) -> dt.date:
        moment = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
        if self._monkeypatch is not None:
            self._monkeypatch.setattr(timezone, "now", lambda: moment)
        elif self._travel is None:
            # In UTC, so time-machine leaves the process's TZ (Django's TIME_ZONE) alone.
            self._travel = time_machine.travel(moment.astimezone(dt.UTC), tick=False)
            self._traveller = self._travel.start()
        else:
            self._traveller.move_to(moment.astimezone(dt.UTC))
        return day

    def advance(self, workdays: int) -> dt.date:
        """Move on by `workdays` working days (the calendar's count), to the same hour."""
        from bianmin.workdays.calendar import add_workdays

        now = timezone.localtime()
        return self.set(add_workdays(now.date(), workdays).date, now.hour)

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = self._traveller = None


@pytest.fixture
def clock(request, monkeypatch):
    """The one way tests move time; a package whose tests share a day sets it in an override
    (`def clock(clock): clock.set(day); return clock`)."""
    in_browser = request.node.get_closest_marker("browser") is not None
    c = Clock(monkeypatch if in_browser else None)
    yield c
    c.stop()


def pytest_configure(config):
    from django.conf import settings

    # Hashing dozens of demo passwords with PBKDF2 per test would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests sign in as administrators and supervisors with a password only; the two-factor
    # tests turn the requirement on themselves.
    settings.BIANMIN_REQUIRE_2FA = False


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    """The calendar snapshot is process-wide; a test that entered a year must not leak it."""
    from bianmin.workdays import calendar

    calendar.invalidate()
    yield
    calendar.invalidate()


def run_task_worker() -> None:
    """Run the real task worker (`bianmin db_worker --batch`) in this process until the queue is
    empty. Between tasks the worker closes connections not in autocommit mode, which on
    PostgreSQL would close the test's own transaction (SQLite's in-memory test database ignores
    the close); inside a test transaction that check is skipped, the tasks run as in production."""
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection

    if connection.in_atomic_block:
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    else:
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


@pytest.fixture(autouse=True)
def _public_cache_cleared(settings):
    """Each test starts with an empty public cache: ids (the publication stamp) restart per test.
    It is kept in this process's memory: parallel test workers share the var directory, and
    their in-memory SQLite databases one name, so a shared file cache would mix their pages.
    (test_public_cache.py runs the file cache as deployed.)"""
    from bianmin.common import public_cache

    settings.CACHES = {
        **settings.CACHES,
        public_cache.ALIAS: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    public_cache.clear()


@pytest.fixture(autouse=True)
def _queue_cache_off(settings):
    """Queues are read fresh in tests: a test's writes never commit (so the stamps that end
    kept rows never move) and ids restart with every test database. The cache's own tests
    (cases/tests/test_queue_cache.py) turn it on; the live-server journeys run it as deployed."""
    from django.core.cache import caches

    from bianmin.cases import queue_cache

    settings.BIANMIN_QUEUE_CACHE_SECONDS = 0
    caches[queue_cache.ALIAS].clear()


@pytest.fixture
def own_cache_dirs(settings, tmp_path):
    """The shared file caches (kept queues, kept boards) in this test's own directories: parallel
    test workers share the var directory and their in-memory SQLite databases one name, so one
    worker's stamps and boards would otherwise reach the other's tests."""
    from bianmin import settings as deployed

    settings.CACHES = {
        **settings.CACHES,
        **{
            alias: {**deployed.CACHES[alias], "LOCATION": str(tmp_path / alias)}
            for alias in ("queues", "boards")
        },
    }


@pytest.fixture(autouse=True)
def _boards_computed(settings):
    """Dashboards are computed on every read in tests, as the queues are read fresh (above); the
    store's own tests (supervision/tests/test_board_store.py) turn it on. The cache is kept in
    this process's memory, as the public cache: in the shared var directory one test worker's
    clearing removed the other's mark that the day's check of the live cases was done (its next
    board ran the check again, two queries more in a query-count test), and could have shown it
    the other's mark."""
    from django.core.cache import caches

    from bianmin.supervision import board_store

    settings.BIANMIN_DASHBOARD_FRESH_SECONDS = 0
    settings.CACHES = {
        **settings.CACHES,
        board_store.ALIAS: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    caches[board_store.ALIAS].clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves its language active in the thread (LocaleMiddleware does not
    put it back), and the next test's commands and services would answer in English."""
    yield
    from django.utils import translation

    translation.deactivate()
