"""Queues kept between requests (cases/queue_cache.py): kept for the same viewer and day,
read again at once when a case at one of the viewer's units changes, never shared across scopes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases.selectors import work_queues
from bianmin.cases.tests.helpers import do, register


@pytest.fixture
def kept(settings, own_cache_dirs):
    settings.BIANMIN_QUEUE_CACHE_SECONDS = 30


def reads(viewer) -> tuple[dict, int]:
    with CaptureQueriesContext(connection) as ctx:
        queues = work_queues(viewer=viewer)
    return queues, len(ctx)


def test_rows_are_kept_for_the_same_viewer(kept, county, items):
    register(county, items.promised)
    viewer = county.t1_staff.user
    first, cold = reads(viewer)
    again, warm = reads(viewer)
    assert first["to_accept"]["count"] == again["to_accept"]["count"] == 1
    assert [c.pk for c in again["to_accept"]["items"]] == [
        c.pk for c in first["to_accept"]["items"]
    ]
    # The open cases, their pauses and joint reviews are not read again; the listed rows are.
    assert warm < cold
    other, _ = reads(county.t2_staff.user)
    assert other["to_accept"]["count"] == 0


def test_turned_off_reads_every_time(settings, county, items):
    settings.BIANMIN_QUEUE_CACHE_SECONDS = 0
    register(county, items.promised)
    _, cold = reads(county.t1_staff.user)
    _, again = reads(county.t1_staff.user)
    assert again == cold


def test_a_change_at_the_viewers_unit_shows_at_once(
    kept, county, items, django_capture_on_commit_callbacks
):
    c = county
    case = register(c, items.promised)
    township, county_unit = c.t1_staff.user, c.civil.user
    assert reads(township)[0]["to_accept"]["count"] == 1
    assert reads(county_unit)[0]["to_receive"]["count"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        case = do(case, "accept", c.t1_staff)
    queues = reads(township)[0]
    assert queues["to_accept"]["count"] == 0
    assert [x.pk for x in queues["to_forward"]["items"]] == [case.pk]
    # Forwarded up: the receiving unit's kept rows end too, not only the actor's.
    with django_capture_on_commit_callbacks(execute=True):
        do(case, "forward", c.t1_staff)
    assert reads(county_unit)[0]["to_receive"]["count"] == 1
    assert reads(township)[0]["to_forward"]["count"] == 0


def test_an_uncommitted_change_leaves_kept_rows(kept, county, items):
    """Without a commit the stamps stay: what was kept is what is read (the bound is the
    expiry), which is why the other tests commit."""
    c = county
    case = register(c, items.promised)
    assert reads(c.t1_staff.user)[0]["to_accept"]["count"] == 1
    do(case, "accept", c.t1_staff)  # inside the test's transaction: never committed
    assert reads(c.t1_staff.user)[0]["to_accept"]["count"] == 1
