"""Engine follow-ups: AB labels, assignment to a colleague on leave, late forwards, due soon."""

import datetime as dt

import pytest

from bianmin.cases import workflow
from bianmin.cases.deadlines import due_soon
from bianmin.cases.models import FlagKind, SupervisionFlag
from bianmin.cases.selectors import work_queues
from bianmin.cases.services import flags_sweep
from bianmin.cases.tests.helpers import do, promised_at, register
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.workdays.calendar import add_workdays


def test_staffing_events_have_timeline_labels():
    assert workflow.ACTION_LABELS["ab_cover"] == "AB岗接办"
    assert workflow.ACTION_LABELS["ab_return"] == "AB岗交回"


def test_due_soon_rule_one_day_or_twenty_percent_whichever_first():
    assert due_soon(left=1, limit=5, days_before=1, percent_left=20)  # 1 day before
    assert not due_soon(left=2, limit=5, days_before=1, percent_left=20)
    assert due_soon(left=4, limit=20, days_before=1, percent_left=20)  # 20% of 20
    assert not due_soon(left=5, limit=20, days_before=1, percent_left=20)
    assert due_soon(left=0, limit=0)


def test_supervision_uses_the_same_rule(db):
    from bianmin.supervision.clocks import YELLOW, Threshold, colour_of

    day = dt.date(2026, 11, 23)
    th = Threshold(1, 20)
    for limit, left in [(20, 4), (20, 5), (5, 1), (5, 2), (60, 12), (60, 13)]:
        due = add_workdays(day, left).date
        colour, n, _p = colour_of(ref=day, due=due, limit=limit, threshold=th)
        assert n == left
        assert (colour == YELLOW) == due_soon(
            left=left, limit=limit, days_before=1, percent_left=20
        )


def test_due_soon_queue_follows_the_warning_rule(county, items, clock):
    c = county
    start = clock.set(dt.date(2026, 11, 2))
    # Promised limit 10: yellow from 2 working days left (20%).
    case = promised_at(c, items, "reviewed")
    assert case.promised_due == add_workdays(start, 10).date

    def soon(day):
        q = work_queues(viewer=c.civil.user, today=day)["due_soon"]
        return [x.pk for x in q["items"]]

    assert soon(add_workdays(start, 7).date) == []  # 3 left
    assert soon(add_workdays(start, 8).date) == [case.pk]  # 2 left = 20% of 10
    assert soon(case.promised_due) == [case.pk]
    assert soon(add_workdays(start, 11).date) == []  # overdue is its own queue


@pytest.fixture
def backup_on_leave(county, clock):
    from bianmin.orgs import services as org
    from bianmin.orgs.models import RoleCode
    from bianmin.staffing import services as staffing

    c = county
    clock.set(dt.date(2026, 11, 23))
    backup = org.staff_create(
        username="t01-b",
        password="test-pass-123",
        full_name="武乡备岗",
        unit=c.tc1,
        roles=[RoleCode.WINDOW_STAFF],
        phone="13900000009",
    )
    c.t1_staff.backup = backup
    c.t1_staff.save(update_fields=["backup"])
    leave = staffing.leave_request(
        actor=c.t1_staff.user,
        kind="annual",
        start=dt.date(2026, 11, 23),
        end=dt.date(2026, 11, 25),
        reason="年休",
    )
    staffing.leave_decide(leave=leave, approved=True, actor=c.t1_head.user)
    return backup


def test_assigning_to_someone_on_leave_goes_to_their_backup(county, items, backup_on_leave):
    c = county
    case = register(c, items.promised, staff=c.t1_head)
    case = do(case, "assign", c.t1_head, assignee=c.t1_staff.user.pk)
    assert case.assigned_to == backup_on_leave.user
    event = case.events.order_by("-seq").first()
    assert (event.data["on_leave"], event.data["covered_by"]) == ("武乡窗口", "武乡备岗")
    # Assigning to someone present keeps them.
    other = do(register(c, items.promised, staff=c.t1_head), "assign", c.t1_head)
    assert other.assigned_to == c.t1_head.user


def test_only_a_head_assigns_to_others_within_the_unit(county, items):
    c = county
    case = register(c, items.promised)
    with pytest.raises(PermissionDenied):
        do(case, "assign", c.t1_staff, assignee=c.t1_head.user.pk)
    with pytest.raises(ValidationFailed):
        do(case, "assign", c.t1_head, assignee=c.t2_staff.user.pk)  # another township


def test_late_forward_from_the_township_is_flagged(county, items, clock):
    c = county
    start = clock.set(dt.date(2026, 11, 2))
    # No township steps: art. 43's 20 working days apply.
    on_time = do(register(c, items.escalated), "accept", c.t1_staff)
    late = do(register(c, items.escalated), "accept", c.t1_staff)
    clock.set(add_workdays(start, 20).date)
    do(on_time, "forward", c.t1_staff)
    assert not SupervisionFlag.objects.filter(kind=FlagKind.LATE_FORWARD).exists()
    clock.set(add_workdays(start, 21).date)
    do(late, "forward", c.t1_staff)
    flag = SupervisionFlag.objects.get(kind=FlagKind.LATE_FORWARD)
    assert flag.case_id == late.pk and "21" in flag.detail


def test_step_limit_is_the_township_limit_and_the_sweep_flags_a_case_held_too_long(
    county, items, clock
):
    c = county
    start = clock.set(dt.date(2026, 11, 2))
    # The promised item's template gives the township 1 working day (its 受理 step).
    case = do(register(c, items.promised), "accept", c.t1_staff)
    assert flags_sweep(today=add_workdays(start, 1).date) == []
    raised = flags_sweep(today=add_workdays(start, 2).date)
    assert [f.kind for f in raised if f.kind == FlagKind.LATE_FORWARD] == [FlagKind.LATE_FORWARD]
    clock.set(add_workdays(start, 3).date)
    do(case, "forward", c.t1_staff)  # flagged once, not again at the forward
    assert SupervisionFlag.objects.filter(case=case, kind=FlagKind.LATE_FORWARD).count() == 1
