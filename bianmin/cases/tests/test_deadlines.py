"""Deadlines on the working-day calendar: pauses, suspension, extension, provisional years."""

import datetime as dt

import pytest
from django_tasks_db.models import DBTaskResult

from bianmin.cases.deadlines import clock as case_clock
from bianmin.cases.models import State
from bianmin.cases.tests.conftest import material_id
from bianmin.cases.tests.helpers import do, promised_at, register
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed
from bianmin.conftest import run_task_worker
from bianmin.workdays import calendar
from bianmin.workdays.services import calendar_year_enter


def test_acceptance_sets_promised_statutory_and_proxy_due(county, items, clock):
    c, v = county, items.promised
    case = register(c, v, staff=c.a11, channel="proxy", entrustment_signed=True)
    case = do(do(case, "forward", c.a11), "receive", c.t1_staff)
    case = do(case, "accept", c.t1_staff)
    start = dt.date(2026, 11, 23)
    assert case.accepted_on == start
    assert case.proxy_due == dt.date(2026, 12, 14)  # promised + 5 working days from take-in
    # Accepted at the township for the county: the department's clock has not started.
    assert case.clock_started_on is None and case.promised_due is None
    clock.advance(2)
    case = do(do(case, "forward", c.t1_staff), "receive", c.civil)
    received = dt.date(2026, 11, 25)
    assert case.clock_started_on == received
    assert case.promised_due == calendar.add_workdays(received, 10).date == dt.date(2026, 12, 9)
    assert case.statutory_due == dt.date(2026, 12, 23)
    assert case.proxy_due == dt.date(2026, 12, 14)  # the relay days count against it
    window = do(register(c, v), "accept", c.t1_staff)
    assert window.proxy_due is None


def test_waiting_for_materials_does_not_count(county, items, clock):
    c = county
    plain = promised_at(c, items, "reviewed")
    waited = promised_at(c, items, "reviewed")
    clock.advance(1)
    waited = do(
        waited, "notify_missing", c.civil, materials=[material_id(items.promised, "申请表")]
    )
    clock.advance(4)
    waited = do(waited, "supplement", c.t1_staff)
    assert waited.state == State.REVIEWED
    assert plain.promised_due == dt.date(2026, 12, 7)
    assert waited.promised_due == calendar.add_workdays(plain.promised_due, 4).date
    assert waited.statutory_due == calendar.add_workdays(plain.statutory_due, 4).date


def test_suspension_pauses_the_clock(county, items, clock):
    c = county
    case = promised_at(c, items, "reviewed")
    due = case.promised_due
    clock.advance(2)
    with pytest.raises(ValidationFailed):
        do(case, "suspend", c.civil, reason="party", told_days=5)
    case = do(case, "suspend", c.civil, reason="expert_review", told_days=5)
    before = case_clock(case)
    clock.advance(5)
    assert case_clock(case) == before  # standing still
    case = do(case, "resume", c.civil)
    assert case.state == State.REVIEWED
    assert case.promised_due == calendar.add_workdays(due, 5).date
    assert case_clock(case).days_left == before.days_left


def test_extension_once_by_the_head_with_a_reason(county, items, clock):
    c = county
    case = promised_at(c, items, "reviewed")
    due = case.statutory_due
    with pytest.raises(PermissionDenied):
        do(case, "extend", c.civil, reason="情况复杂")
    with pytest.raises(ValidationFailed):
        do(case, "extend", c.civil_head)
    case = do(case, "extend", c.civil_head, reason="需实地核查")
    assert case.extended_days == 10
    assert case.statutory_due == calendar.add_workdays(due, 10).date
    with pytest.raises(Conflict) as e:
        do(case, "extend", c.civil_head, reason="再延")
    assert e.value.code == "not_now"


def test_delivery_due_ten_working_days_after_decision(county, items, clock):
    case = promised_at(county, items, "decided")
    assert case.delivery_due == calendar.add_workdays(case.decided_on, 10).date


def test_days_used_and_left(county, items, clock):
    case = promised_at(county, items, "reviewed")
    clock.advance(3)
    shown = case_clock(case)
    assert (shown.days_used, shown.days_left, shown.overdue) == (3, 7, False)
    clock.advance(9)
    assert case_clock(case).overdue and case_clock(case).days_left == -2


def test_provisional_deadline_recomputed_when_the_year_is_entered(
    client, county, items, clock, django_capture_on_commit_callbacks
):
    clock.set(dt.date(2026, 12, 21))
    case = promised_at(county, items, "reviewed")
    assert case.deadlines_provisional  # the statutory date lies in 2027
    old = case.statutory_due
    client.force_login(county.t1_staff.user)
    html = client.get(f"/cases/{case.number}/").content.decode()
    mark = '<span class="tag yellow">暂定</span>'
    assert f"{old:%Y-%m-%d} {mark}" in html and "期限为暂定" in html
    worker_calendar = calendar.snapshot()  # what the worker process read before the save
    with django_capture_on_commit_callbacks(execute=True):
        calendar_year_enter(
            actor=county.admin.user,
            year=2027,
            holidays=[(dt.date(2027, 1, 1), "元旦"), (dt.date(2027, 1, 4), "元旦")],
            workdays=[],
            confirmed=True,
        )
    case.refresh_from_db()
    assert case.deadlines_provisional  # the save only queued the recompute
    queued = DBTaskResult.objects.get(task_path="bianmin.cases.tasks.deadlines_recompute_task")
    assert queued.args_kwargs == {"args": [[2027]], "kwargs": {}}
    calendar._snapshot = worker_calendar  # the save invalidated only its own process's copy
    run_task_worker()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL" and queued.return_value == {"changed": 1}
    case.refresh_from_db()
    assert not case.deadlines_provisional
    assert case.statutory_due == calendar.add_workdays(old, 2).date  # two holidays entered
    html = client.get(f"/cases/{case.number}/").content.decode()
    assert f"{case.statutory_due:%Y-%m-%d}</td>" in html and "暂定" not in html
    assert case.events.last().action == "recompute"
