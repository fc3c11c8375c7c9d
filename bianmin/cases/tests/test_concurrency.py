"""Concurrent edits: exactly one of two acceptances wins; the work lock keeps others out."""

import threading

import pytest
from django.db import connections

from bianmin.cases.models import Case, CaseEvent, State
from bianmin.cases.services import case_transition
from bianmin.cases.tests.helpers import do, register
from bianmin.common.errors import Conflict, PermissionDenied


def test_stale_expected_version_loses_with_409_and_nothing_is_lost(county, items):
    c = county
    case = register(c, items.promised)
    version = case.lock_version
    do(case, "accept", c.t1_staff, expected_version=version)
    with pytest.raises(Conflict) as e:
        do(case, "accept", c.t1_head, expected_version=version)
    assert e.value.code == "stale"
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.lock_version == version + 1
    assert case.events.filter(action="accept").count() == 1


# serialized_rollback restores the calendar rows seeded by migration, which a flush would lose.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_threads_accepting_at_once_exactly_one_succeeds(county, items):
    c = county
    case = register(c, items.promised)
    barrier = threading.Barrier(2)
    results = []

    def accept(staff):
        try:
            barrier.wait()
            case_transition(case=Case(pk=case.pk), action="accept", actor=staff.user)
            results.append("ok")
        except Conflict as e:
            results.append(e.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(s,)) for s in (c.t1_staff, c.t1_head)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == ["illegal_transition", "ok"]
    assert CaseEvent.objects.filter(case_id=case.pk, action="accept").count() == 1


def test_assign_locks_the_case_for_others_until_released(county, items):
    c = county
    case = do(register(c, items.promised), "assign", c.t1_staff)
    assert case.assigned_to == c.t1_staff.user
    with pytest.raises(Conflict) as e:
        do(case, "accept", c.t1_head)
    assert e.value.code == "locked"
    with pytest.raises(Conflict):
        do(case, "assign", c.t1_head)
    with pytest.raises(PermissionDenied):
        do(case, "release", c.a11)  # an agent of the township's village may not break the lock
    case = do(case, "accept", c.t1_staff)  # the holder goes on working
    case = do(case, "release", c.supervisor)  # a supervisor may release another's lock
    assert case.assigned_to is None
    case = do(case, "forward", c.t1_head)
    assert case.state == State.REFERRED


def test_holder_releases_own_lock_and_forward_drops_it(county, items):
    c = county
    case = do(do(register(c, items.promised), "assign", c.t1_staff), "release", c.t1_staff)
    assert case.assigned_to is None
    case = do(do(case, "assign", c.t1_staff), "accept", c.t1_staff)
    case = do(case, "forward", c.t1_staff)
    assert case.assigned_to is None  # the department is not locked out by the township


def test_calendar_seed_survives_the_threaded_test(db):
    from bianmin.workdays.models import CalendarYear

    # Runs after the transactional test above in file order: the seeded years must still be there.
    assert CalendarYear.objects.filter(year=2026).exists()
