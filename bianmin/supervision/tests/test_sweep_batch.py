"""The batched sweep records exactly what the former one-case-at-a-time sweep recorded, in a number
of queries that does not grow with the open cases, and still isolates a failing case.

The oracle, `reference_sweep` below, is the former sweep (one transaction, a lookup per alert and
a query per notification per case). Both run on a history from the bulk generator
(`bianmin.demo.scale`, which writes what the services write), with escalation rules and
complaints, on two successive working days (the second one finds the first day's alerts).
"""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.cases.models import Case, Step
from bianmin.demo.scale import build_cases
from bianmin.supervision import clocks
from bianmin.supervision.clocks import RED, YELLOW
from bianmin.supervision.models import (
    Alert,
    Clock,
    Complaint,
    ComplaintStatus,
    Level,
    Notification,
    OversightAction,
    OversightOrder,
    OversightRule,
)
from bianmin.supervision.services import complaint_file, supervision_sweep
from bianmin.supervision.services import sweep as sweep_module
from bianmin.supervision.services.notify import (
    heads_of,
    heads_or_above,
    higher_unit,
    notify,
    supervisors_over,
    users_with_roles,
)
from bianmin.supervision.services.sweep_hits import alert_text, rule_matches
from bianmin.workdays import calendar

from .conftest import accepted_case, proxy_case

D = dt.date
UNTIL = D(2026, 11, 20)  # a Friday: the generated history ends here
# The sweeps run a week later, when the last cases' clocks have turned yellow and red, and again
# on a later day, which finds the first day's alerts recorded and escalates further.
FIRST, SECOND = D(2026, 11, 27), D(2026, 12, 2)
pytestmark = pytest.mark.django_db


# --- the former sweep --------------------------------------------------------------------------


def _ref_record(*, state, today, unit, text, case=None, complaint=None):
    level = Level.RED if state.colour == RED else Level.YELLOW
    key = {"subject": state.subject, "clock": state.clock, "level": level, "due_on": state.due}
    existing = Alert.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    with transaction.atomic():
        alert = Alert.objects.create(
            **key,
            case=case,
            complaint=complaint,
            unit=unit,
            limit_days=state.limit,
            days_left=state.left,
            detail=text[:300],
            raised_on=today,
        )
    return alert, True


def _ref_order_oversight(
    *, alert, state, rules, item_id, case_state, region_code, link, what, today, out
):
    for rule in rules:
        if not rule_matches(rule, state=state, item_id=item_id, case_state=case_state):
            continue
        if OversightOrder.objects.filter(alert=alert, rule=rule).exists():
            continue
        target = higher_unit(alert.unit) if rule.action == OversightAction.NOTIFY_HIGHER else None
        row = OversightOrder.objects.create(
            alert=alert, rule=rule, action=rule.action, target_unit=target, ordered_on=today
        )
        if not alert.oversight_ordered:
            alert.oversight_ordered = True
            alert.save(update_fields=["oversight_ordered"])
        if rule.action == OversightAction.NOTIFY_HIGHER:
            users = users_with_roles([target], "head", "supervisor") if target else []
            text = _("【升级】%(w)s超时 %(n)s 个工作日，请%(u)s督促办理") % {
                "w": what,
                "n": state.over,
                "u": target.name if target else "",
            }
        else:
            users = supervisors_over(region_code)
            text = _("【督办】%(w)s超时 %(n)s 个工作日，已移交监察督办") % {
                "w": what,
                "n": state.over,
            }
        out.notifications += len(notify(users=users, text=text, link=link))
        out.oversight_orders.append(row)


def reference_sweep(*, today):
    """The sweep as it was before batching (services/sweep.py at 5019ade)."""
    out = sweep_module.SweepResult(today=today)
    snap = calendar.snapshot()
    if not snap.is_workday(today):
        out.skipped = True
        return out
    thresholds = clocks.thresholds_by_item()
    rules = list(OversightRule.objects.filter(is_active=True))
    cases = (
        Case.objects.filter(state__in=clocks.UNFINISHED_STATES)
        .select_related(
            "item_version", "current_unit__parent", "region", "first_responder", "assigned_to"
        )
        .prefetch_related(
            "pauses", "materials", Prefetch("steps", queryset=Step.objects.order_by("position"))
        )
        .order_by("pk")
    )
    for case in cases:
        out.checked += 1
        link = f"/cases/{case.number}/"
        what = _("办件 %(n)s（%(i)s）") % {"n": case.number, "i": case.item_version.name}
        threshold = thresholds.get(case.item_version.item_id) or clocks.default_threshold()
        for state in clocks.case_clocks(case, today=today, threshold=threshold, snap=snap):
            if state.colour not in (YELLOW, RED):
                continue
            text = alert_text(what=what, state=state)
            alert, created = _ref_record(
                state=state, today=today, unit=case.current_unit, text=text, case=case
            )
            if created:
                owners = [case.assigned_to, case.first_responder, *heads_of(case.current_unit)]
                out.notifications += len(notify(users=owners, text=text, link=link, alert=alert))
                out.alerts.append(alert)
            if state.colour == RED and rules:
                _ref_order_oversight(
                    alert=alert,
                    state=state,
                    rules=rules,
                    item_id=case.item_version.item_id,
                    case_state=case.state,
                    region_code=case.region.code,
                    link=link,
                    what=what,
                    today=today,
                    out=out,
                )
    complaints = (
        Complaint.objects.exclude(status=ComplaintStatus.REPLIED)
        .select_related("unit__region", "unit__parent")
        .order_by("pk")
    )
    for complaint in complaints:
        out.checked += 1
        link = reverse("supervision:complaint_detail", args=[complaint.number])
        what = _("投诉 %(n)s") % {"n": complaint.number}
        for state in clocks.complaint_clocks(complaint, today=today, snap=snap):
            if state.colour not in (YELLOW, RED):
                continue
            text = alert_text(what=what, state=state)
            alert, created = _ref_record(
                state=state, today=today, unit=complaint.unit, text=text, complaint=complaint
            )
            if created:
                users = heads_or_above(complaint.unit)
                out.notifications += len(notify(users=users, text=text, link=link, alert=alert))
                out.alerts.append(alert)
            if state.colour == RED and rules:
                _ref_order_oversight(
                    alert=alert,
                    state=state,
                    rules=[r for r in rules if not r.case_state],
                    item_id=complaint.item_id,
                    case_state="",
                    region_code=complaint.unit.region.code,
                    link=link,
                    what=what,
                    today=today,
                    out=out,
                )
    return out


# --- what a sweep leaves behind ----------------------------------------------------------------


def recorded() -> dict:
    """Every alert, notification and escalation, by content (not by primary key)."""

    def key(alert_id):
        a = Alert.objects.get(pk=alert_id)
        return (a.subject, a.clock, a.level, a.due_on)

    alerts = sorted(
        (
            a.subject,
            a.clock,
            a.level,
            a.due_on,
            a.case_id,
            a.complaint_id,
            a.unit_id,
            a.limit_days,
            a.days_left,
            a.detail,
            a.raised_on,
            a.oversight_ordered,
            tuple(sorted(a.notified.values_list("pk", flat=True))),
        )
        for a in Alert.objects.all()
    )
    notifications = sorted(
        (n.recipient_id, n.text, n.link, n.read, key(n.alert_id) if n.alert_id else None)
        for n in Notification.objects.all()
    )
    escalations = sorted(
        (key(e.alert_id), e.rule_id, e.action, e.target_unit_id, e.ordered_on)
        for e in OversightOrder.objects.all()
    )
    return {"alerts": alerts, "notifications": notifications, "escalations": escalations}


class _Rollback(Exception):
    pass


def run_and_undo(fn) -> tuple[list[str], dict]:
    """What `fn` reports and records on FIRST then SECOND, rolled back afterwards."""
    seen: dict = {}
    try:
        with transaction.atomic():
            seen["summaries"] = [str(fn(today=FIRST).summary()), str(fn(today=SECOND).summary())]
            seen["recorded"] = recorded()
            raise _Rollback
    except _Rollback:
        pass
    return seen["summaries"], seen["recorded"]


@pytest.fixture
def history(county, items, clock):
    build_cases(seed=8, cases=480, until=UNTIL, years=1)
    # A step clock (review due 2 working days after acceptance) and a deferred material.
    accepted_case(county, items.five, on=D(2026, 11, 25), clock=clock)
    ids = {m.name: m.pk for m in items.deferrable.materials.all()}
    deferred = {"status": "deferred", "due_days": 3, "commitment": "补交"}
    proxy_case(
        county,
        items.deferrable,
        on=D(2026, 11, 24),
        clock=clock,
        materials={ids["居民身份证"]: "provided", ids["户口簿"]: deferred},
    )
    # Complaints at a centre, at a village station (told to its township's head) and at a window.
    for n, unit in enumerate((county.tc1, county.s11, county.window)):
        complaint_file(
            kind="complaint",
            unit=unit,
            content=f"窗口办理太慢 {n}",
            item=items.five.item,
            today=D(2026, 11, 10),
        )
    complaint_file(kind="suggestion", unit=county.tc2, content="建议延时服务", today=UNTIL)
    OversightRule.objects.create(clock="", days_over=1, action=OversightAction.NOTIFY_HIGHER)
    OversightRule.objects.create(
        case_state="accepted", days_over=3, action=OversightAction.SUPERVISOR_QUEUE
    )
    OversightRule.objects.create(days_over=5, action=OversightAction.SUPERVISOR_QUEUE)


def test_batched_sweep_records_what_the_former_sweep_recorded(history):
    open_cases = Case.objects.filter(state__in=clocks.UNFINISHED_STATES).count()
    assert open_cases >= 20
    want_summaries, want = run_and_undo(reference_sweep)
    assert not Alert.objects.exists()
    got_summaries, got = run_and_undo(supervision_sweep)
    # The history is rich enough to exercise every path: both levels, several clocks, repeated
    # alerts on the second day, both escalation actions, complaints.
    assert {a[2] for a in want["alerts"]} == {"yellow", "red"}
    assert {a[1] for a in want["alerts"]} == set(Clock.values)
    assert any(a[5] is not None for a in want["alerts"])
    assert {e[2] for e in want["escalations"]} == set(OversightAction.values)
    assert len(want["notifications"]) > len(want["alerts"])
    assert got_summaries == want_summaries
    assert got == want


def test_query_count_does_not_grow_with_open_cases(county, items, clock):
    """A field the clocks read and the sweep does not load, or a lookup per alert or per
    notification, would cost queries per open case."""
    from bianmin.cases.services import case_transition

    OversightRule.objects.create(days_over=1, action=OversightAction.NOTIFY_HIGHER)
    OversightRule.objects.create(days_over=2, action=OversightAction.SUPERVISOR_QUEUE)
    ids = {m.name: m.pk for m in items.deferrable.materials.all()}
    deferred = {"status": "deferred", "due_days": 2, "commitment": "补交"}

    def add_open(day: dt.date) -> None:
        """Open cases of each kind: accepted, proxy with a deferred material, decided."""
        accepted_case(county, items.five, on=day, clock=clock)
        proxy_case(
            county,
            items.deferrable,
            on=day,
            clock=clock,
            materials={ids["居民身份证"]: "provided", ids["户口簿"]: deferred},
        )
        decided = accepted_case(county, items.five, on=day, clock=clock)
        for action, kw in (("review", {}), ("decide", {"approved": True})):
            decided = case_transition(case=decided, action=action, actor=county.t1_head.user, **kw)

    def count(day) -> tuple[int, int, int]:
        with CaptureQueriesContext(connection) as ctx:
            result = supervision_sweep(today=day)
        assert result.alerts and result.oversight_orders and not result.errors
        open_cases = Case.objects.filter(state__in=clocks.UNFINISHED_STATES).count()
        return len(ctx.captured_queries), len(result.alerts), open_cases

    build_cases(seed=40, cases=80, until=UNTIL, years=1)
    add_open(D(2026, 11, 17))
    small, small_alerts, small_open = count(FIRST)
    build_cases(seed=160, cases=320, until=D(2026, 11, 25), years=1)
    for day in (D(2026, 11, 18), D(2026, 11, 19), D(2026, 11, 24)):
        add_open(day)
    large, large_alerts, large_open = count(SECOND)
    assert large_open >= 2 * small_open and large_alerts > small_alerts
    assert large == small
    assert large <= 30


def test_a_batch_that_collides_with_another_sweep_is_written_case_by_case(
    history, monkeypatch, caplog
):
    """A concurrent sweep recorded some alerts after this one read what was recorded: the batch
    fails on the unique constraint, and case by case nothing is recorded or sent twice."""
    first = supervision_sweep(today=FIRST)
    assert first.alerts and not first.errors
    alerts, notifications = Alert.objects.count(), Notification.objects.count()
    # What this sweep read of the recorded alerts predates the other sweep's: nothing.
    monkeypatch.setattr(sweep_module._Known, "of_open", classmethod(lambda cls, **kw: cls()))
    again = supervision_sweep(today=FIRST)
    assert "case by case" in caplog.text  # the batch hit the unique constraint
    assert again.alerts == [] and again.notifications == 0 and again.errors == []
    assert (Alert.objects.count(), Notification.objects.count()) == (alerts, notifications)


def test_a_case_whose_writes_fail_is_reported_and_the_others_are_recorded(
    history, monkeypatch, caplog
):
    real = sweep_module._write
    broken: dict = {}

    def failing(subjects, **kw):
        if any(s.number == broken["number"] for s in subjects):
            raise IntegrityError("broken row")
        return real(subjects, **kw)

    with transaction.atomic():
        want = supervision_sweep(today=FIRST)
        transaction.set_rollback(True)
    numbers = sorted({a.case.number for a in want.alerts if a.case_id})
    broken["number"] = numbers[len(numbers) // 2]
    monkeypatch.setattr(sweep_module, "_write", failing)
    got = supervision_sweep(today=FIRST)
    assert got.errors == [(broken["number"], "IntegrityError: broken row")]
    assert not Alert.objects.filter(case__number=broken["number"]).exists()
    lost = [a for a in want.alerts if a.case_id and a.case.number == broken["number"]]
    assert lost and len(got.alerts) == len(want.alerts) - len(lost)
    assert Alert.objects.count() == len(got.alerts)
    assert broken["number"] in caplog.text
