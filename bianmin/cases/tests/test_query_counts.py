"""No N+1: the main selectors and pages run the same number of queries for 40 cases as for 160.

The cases come from the bulk history generator (`bianmin.orgs.demo.scale`), which writes what the
services write, so every state, custody hop, pause and event a page may touch is there.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases import selectors
from bianmin.cases.models import Case
from bianmin.orgs.demo.scale import build_cases

UNTIL = dt.date(2026, 11, 20)


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def grow(n: int) -> None:
    build_cases(seed=n, cases=n, until=UNTIL, years=1)


@pytest.fixture
def two_sizes(items):
    """Query counts of `fn` with a few cases and with four times as many."""

    def measure(fn) -> tuple[int, int]:
        grow(40)
        small = count(fn)
        grow(120)
        return small, count(fn)

    return measure


def test_case_list_and_queues_do_not_grow_with_rows(county, two_sizes):
    def run():
        selectors.case_list(viewer=county.t1_staff.user, limit=50)
        selectors.work_queues(viewer=county.t1_staff.user)
        selectors.case_list(viewer=county.supervisor.user, queue="overdue", limit=50)

    small, large = two_sizes(run)
    assert Case.objects.count() >= 150
    # A prefetch only runs when its queryset has rows, so a queue empty at 40 cases and filled at
    # 160 adds a query or two; an N+1 would add one per row (4x the rows here).
    assert small <= large <= small + 4
    assert large <= 40


def test_case_list_page_and_queue_page(county, client, two_sizes):
    client.force_login(county.t1_staff.user)

    def run():
        assert client.get("/cases/").status_code == 200
        assert client.get("/cases/queues/").status_code == 200

    small, large = two_sizes(run)
    assert large <= small + 4


def test_case_page_does_not_grow_with_other_cases(county, client, items):
    client.force_login(county.supervisor.user)
    grow(40)
    number = Case.objects.filter(state="closed").order_by("pk").values_list("number", flat=True)[0]
    small = count(lambda: client.get(f"/cases/{number}/"))
    grow(120)
    large = count(lambda: client.get(f"/cases/{number}/"))
    assert small == large
    assert large <= 60


def test_item_list_does_not_grow_with_items(items, client):
    from bianmin.catalog.selectors import item_list_published

    small = count(lambda: list(item_list_published()))
    assert small <= 10


def test_supervision_dashboard_does_not_grow_with_rows(county, two_sizes):
    from bianmin.supervision.selectors import dashboard

    viewer = county.supervisor.user
    small, large = two_sizes(lambda: dashboard(viewer=viewer, today=UNTIL))
    assert small <= large <= small + 4
