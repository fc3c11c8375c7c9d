"""The sweep on a frozen clock across 2025 National Day (10-01..10-08 off; Sun 09-28 and Sat
10-11 are adjusted working days)."""

import datetime as dt

import pytest

from bianmin.cases.services import case_transition
from bianmin.supervision import clocks
from bianmin.supervision.models import (
    Alert,
    Clock,
    Notification,
    OversightAction,
    OversightOrder,
    OversightRule,
    WarningThreshold,
)
from bianmin.supervision.selectors import supervisor_queue
from bianmin.supervision.services import supervision_sweep, sweep_hits

from .conftest import accepted_case, proxy_case

D = dt.date
pytestmark = pytest.mark.django_db


def case_alerts(case, clock=Clock.CASE):
    return list(
        Alert.objects.filter(case=case, clock=clock)
        .order_by("raised_on")
        .values_list("level", "raised_on")
    )


def test_deadline_is_counted_across_national_day(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    # 09-28 (Sun, worked), 09-29, 09-30, [10-01..10-08 off], 10-09, 10-10.
    assert case.promised_due == D(2025, 10, 10)


def test_yellow_then_red_each_once_and_nothing_on_holidays(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    day = D(2025, 9, 29)
    seen = {}
    while day <= D(2025, 10, 14):
        result = supervision_sweep(today=day)
        seen[day] = result
        day += dt.timedelta(days=1)
    for holiday in [D(2025, 10, d) for d in range(1, 9)] + [D(2025, 10, 12)]:
        assert seen[holiday].skipped, holiday
        assert seen[holiday].alerts == [] and seen[holiday].notifications == 0
    # Yellow on 10-09 (1 working day left), not before: on 09-30 two are left (10-09, 10-10),
    # the eight holidays in between do not count. Red on Saturday 10-11, an adjusted working day.
    assert case_alerts(case) == [("yellow", D(2025, 10, 9)), ("red", D(2025, 10, 11))]
    assert {a.level for a in seen[D(2025, 10, 10)].alerts if a.clock == Clock.CASE} == set()
    # Running again on any day records nothing new and sends nothing.
    before = Notification.objects.count()
    for again in (D(2025, 10, 9), D(2025, 10, 11), D(2025, 10, 13)):
        assert supervision_sweep(today=again).alerts == []
    assert Notification.objects.count() == before
    assert Alert.objects.filter(case=case, clock=Clock.CASE).count() == 2


def test_twenty_percent_rule_comes_first_for_longer_limits(county, items, clock):
    case = accepted_case(county, items.ten, on=D(2025, 9, 26), clock=clock)
    # 28, 29, 30, 10-09, 10, 11, 13, 14, 15, 16 -> due 10-16; 20% of 10 = 2 days left on 10-14.
    assert case.promised_due == D(2025, 10, 16)
    for day in (D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11), D(2025, 10, 13)):
        supervision_sweep(today=day)
    assert case_alerts(case) == []
    supervision_sweep(today=D(2025, 10, 14))
    assert case_alerts(case) == [("yellow", D(2025, 10, 14))]


def test_per_item_threshold_override(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    WarningThreshold.objects.create(item=items.five.item, days_before=3, percent_left=0)
    supervision_sweep(today=D(2025, 9, 28))  # 4 working days left: green
    assert case_alerts(case) == []
    supervision_sweep(today=D(2025, 9, 29))  # 09-30, 10-09, 10-10: 3 left
    assert case_alerts(case) == [("yellow", D(2025, 9, 29))]


def test_notifies_owner_and_unit_head_once(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    supervision_sweep(today=D(2025, 10, 9))
    alert = Alert.objects.get(case=case, clock=Clock.CASE, level="yellow")
    notified = set(alert.notified.values_list("username", flat=True))
    assert notified == {"t01-staff", "t01-head"}  # first responder and the centre's head
    texts = Notification.objects.filter(alert=alert).values_list("text", flat=True)
    assert all(case.number in t and "预警" in t for t in texts)
    assert Notification.objects.filter(alert=alert).first().link == f"/cases/{case.number}/"


def test_step_clock_has_its_own_alerts(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    step = case.steps.get(name="审核")
    assert step.due_on == D(2025, 9, 29)  # 2 working days: 09-28 (Sun, worked), 09-29
    supervision_sweep(today=D(2025, 9, 28))
    supervision_sweep(today=D(2025, 9, 30))
    assert case_alerts(case, Clock.STEP) == [("yellow", D(2025, 9, 28)), ("red", D(2025, 9, 30))]
    assert case_alerts(case, Clock.CASE) == []


def test_proxy_and_deferred_material_clocks(county, items, clock):
    version = items.deferrable
    ids = {m.name: m.pk for m in version.materials.all()}
    case = proxy_case(
        county,
        version,
        on=D(2025, 9, 26),
        clock=clock,
        materials={
            ids["居民身份证"]: "provided",
            ids["户口簿"]: {"status": "deferred", "due_days": 3, "commitment": "十日内补交"},
        },
    )
    material = case.materials.get(name="户口簿")
    assert material.due_on == D(2025, 9, 30)  # 09-28, 09-29, 09-30
    # promised 8: 28, 29, 30, 10-09, 10, 11, 13, 14; proxy +5: 15, 16, 17, 20, 21.
    assert case.promised_due == D(2025, 10, 14)
    assert case.proxy_due == D(2025, 10, 21)
    for day in (D(2025, 9, 29), D(2025, 10, 9), D(2025, 10, 20), D(2025, 10, 22)):
        supervision_sweep(today=day)
    assert case_alerts(case, Clock.DEFERRED_MATERIAL) == [
        ("yellow", D(2025, 9, 29)),
        ("red", D(2025, 10, 9)),
    ]
    # 13 working days: yellow at 2 left (20%) on 10-17 was not swept; 10-20 has 1 left.
    assert case_alerts(case, Clock.PROXY) == [("yellow", D(2025, 10, 20)), ("red", D(2025, 10, 22))]
    proxy_red = Alert.objects.get(case=case, clock=Clock.PROXY, level="red")
    # The proxy agent is the first responder: told about its own village's case.
    assert "v0101-agent" in set(proxy_red.notified.values_list("username", flat=True))


def test_suspension_stops_the_clock(county, items, clock):
    case = accepted_case(county, items.ten, on=D(2025, 9, 26), clock=clock)
    clock.set(D(2025, 9, 29))
    case_transition(
        case=case, action="suspend", actor=county.t1_head.user, reason="expert_review", told_days=10
    )
    supervision_sweep(today=D(2025, 10, 20))  # well past 10-16, but the clock stands at 09-29
    assert case_alerts(case) == []


def test_supplied_material_and_concluded_case_stop_alerting(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    clock.set(D(2025, 9, 29))
    case = case_transition(case=case, action="review", actor=county.t1_head.user)
    case = case_transition(case=case, action="decide", actor=county.t1_head.user, approved=True)
    case = case_transition(case=case, action="conclude", actor=county.t1_head.user)
    supervision_sweep(today=D(2025, 10, 13))
    assert case_alerts(case) == []
    # The delivery limit (10 working days from the decision on 09-29) runs instead: due 10-20,
    # yellow at 20% (2 working days) left.
    assert case.delivery_due == D(2025, 10, 20)
    supervision_sweep(today=D(2025, 10, 16))
    assert case_alerts(case, Clock.DELIVERY) == [("yellow", D(2025, 10, 16))]


def test_oversight_order_after_n_working_days_over(county, items, clock):
    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    higher = OversightRule.objects.create(
        item=items.five.item, clock=Clock.CASE, days_over=2, action=OversightAction.NOTIFY_HIGHER
    )
    queue = OversightRule.objects.create(
        case_state="accepted",
        clock=Clock.CASE,
        days_over=3,
        action=OversightAction.SUPERVISOR_QUEUE,
    )
    supervision_sweep(today=D(2025, 10, 11))  # red, 1 over
    assert not OversightOrder.objects.exists()
    supervision_sweep(today=D(2025, 10, 13))  # 2 over (10-11, 10-13): notify the county centre
    esc = OversightOrder.objects.get(rule=higher)
    assert esc.target_unit == county.centre
    assert esc.alert.oversight_ordered and esc.alert.clock == Clock.CASE
    assert Notification.objects.filter(
        recipient=county.supervisor.user, text__contains="升级"
    ).exists()
    assert not OversightOrder.objects.filter(rule=queue).exists()
    supervision_sweep(today=D(2025, 10, 14))  # 3 over: into the supervisor's queue
    queued = supervisor_queue(viewer=county.supervisor.user)
    assert [(e.alert.case, e.alert.clock) for e in queued] == [(case, Clock.CASE)]
    assert supervisor_queue(viewer=county.a11.user) == []
    supervision_sweep(today=D(2025, 10, 15))
    assert OversightOrder.objects.filter(rule=higher).count() == 1
    assert OversightOrder.objects.filter(rule=queue).count() == 1


def test_one_broken_case_does_not_stop_the_sweep(county, items, clock, monkeypatch, caplog):
    broken = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    fine = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    real = sweep_hits.case_clocks_of

    def flaky(case, **kw):
        if case.pk == broken.pk:
            raise RuntimeError("corrupt deadline")
        return real(case, **kw)

    monkeypatch.setattr(sweep_hits, "case_clocks_of", flaky)
    result = supervision_sweep(today=D(2025, 10, 9))
    assert result.errors == [(broken.number, "RuntimeError: corrupt deadline")]
    assert case_alerts(fine) == [("yellow", D(2025, 10, 9))]
    assert case_alerts(broken) == []
    assert "corrupt deadline" in caplog.text or broken.number in caplog.text


def test_colour_of_counts_working_days_only():
    threshold = clocks.Threshold(1, 20)
    # Seen on Tuesday 09-30, due Thursday 10-09: only 10-09 counts between them after 09-30? No:
    # 10-09 is the first working day after 09-30, so one day is left -> yellow.
    colour, left, _p = clocks.colour_of(
        ref=D(2025, 9, 30), due=D(2025, 10, 9), limit=10, threshold=threshold
    )
    assert (colour, left) == ("yellow", 1)
    colour, left, _p = clocks.colour_of(
        ref=D(2025, 10, 10), due=D(2025, 10, 9), limit=10, threshold=threshold
    )
    assert (colour, left) == ("red", -1)


def test_task_and_command(county, items, clock, capsys):
    from django.core.management import call_command

    from bianmin.supervision.tasks import supervise_task

    case = accepted_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    out = supervise_task.call("2025-10-09")
    assert out["alerts"] >= 1 and not out["skipped"]
    call_command("supervise", "--date", "2025-10-03")
    assert "不是工作日" in capsys.readouterr().out
    call_command("supervise", "--date", "2025-10-11", "--json")
    assert '"skipped": false' in capsys.readouterr().out
    assert case_alerts(case) == [("yellow", D(2025, 10, 9)), ("red", D(2025, 10, 11))]
    call_command("supervise", "--date", "2025-10-13", "--enqueue")
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path__endswith="supervise_task").exists()
