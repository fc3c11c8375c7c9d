"""The bulk case history (`seed-demo --scale/--cases`) is what the services would have produced.

On the small county of the case tests (two townships, three departments, a county window): the
history verifies, every event is a row of the workflow table, dates, deadlines and custody
follow the route, and generated cases replayed through the services come out the same. The demo
county's own route (forward acceptance, the county window, clocks recomputed from custody) is
tested in `test_demo_route`.
"""

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from bianmin.cases import workflow
from bianmin.cases.chain import chains_verify
from bianmin.cases.deadlines import deadlines_compute
from bianmin.cases.models import (
    DELIVERY_STATES,
    FINAL_STATES,
    Case,
    CaseEvent,
    Custody,
    Delivery,
    State,
)
from bianmin.cases.routing import route_for
from bianmin.cases.tests.conftest import items  # noqa: F401 - the fixture
from bianmin.demo.scale import build_cases

from .engine_replay import differences, engine_replay

UNTIL = dt.date(2026, 11, 20)
PRE_ACCEPTANCE = {State.SUBMITTED, State.FORWARDED, State.AWAITING_MATERIALS}


@pytest.fixture
def history(items):  # noqa: F811
    trace: dict = {}
    result = build_cases(seed=7, cases=600, until=UNTIL, years=1, batch=250, trace=trace)
    result.trace = trace
    return result


def test_history_is_consistent_with_the_services(history):
    """One generated history (built once, it is the slow part), checked from every side."""
    check_counts_and_a_realistic_mix(history)
    check_every_timeline_verifies_with_audit_verify()
    check_every_event_is_a_row_of_the_workflow_table()
    check_dates_follow_the_state_and_deadlines_match_the_calendar()
    check_custody_follows_the_case()
    check_the_route_is_the_engines()
    check_replayed_through_the_engine_the_cases_are_the_same(history)


def check_counts_and_a_realistic_mix(history):
    assert history.cases == Case.objects.count() >= 590
    states = Counter(Case.objects.values_list("state", flat=True))
    assert states[State.CLOSED] > 0.7 * history.cases
    assert states[State.WITHDRAWN] and states[State.DECLINED]
    open_ = sum(n for s, n in states.items() if s not in FINAL_STATES)
    assert 0 < open_ < 0.2 * history.cases
    channels = Counter(Case.objects.values_list("channel", flat=True))
    assert channels["proxy"] > 0.3 * history.cases
    classes = set(Case.objects.values_list("case_class", flat=True))
    assert classes == {"immediate", "promised", "joint", "escalated", "reply"}
    assert Case.objects.filter(pauses__kind="suspension").exists()
    assert Case.objects.filter(pauses__kind="notice_wait").exists()
    assert not Case.objects.filter(pauses__reason="survey").exists()  # a site check is an action
    assert CaseEvent.objects.filter(action="site_check").exists()
    assert Case.objects.filter(custodies__from_unit__isnull=False).exists()
    assert history.states == dict(states)


def check_every_timeline_verifies_with_audit_verify():
    assert chains_verify() == []
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "OK" in out.getvalue()


def check_every_event_is_a_row_of_the_workflow_table():
    """Replaying each timeline through the transition table lands on the stored state."""
    state_of = dict(Case.objects.values_list("pk", "state"))
    class_of = dict(Case.objects.values_list("pk", "case_class"))
    last: dict[int, str] = {}
    paused_from: dict[int, str] = {}
    for e in CaseEvent.objects.order_by("case_id", "seq").iterator():
        if e.seq == 1:
            assert e.action in ("register", "entrust") and e.to_state == State.SUBMITTED
            last[e.case_id] = e.to_state
            continue
        assert e.from_state == last[e.case_id], (e.case_id, e.seq)
        row = workflow.find(e.action, state=e.from_state, case_class=class_of[e.case_id])
        assert row is not None, (e.action, e.from_state)
        if row.target == workflow.SAME:
            assert e.to_state == e.from_state
        elif row.target == workflow.PREVIOUS:
            assert e.to_state == paused_from.pop(e.case_id)
        elif row.target == workflow.PREVIOUS_WHEN_COMPLETE:
            # A partial supplement keeps the case waiting; the last one sends it back.
            if e.data.get("still_missing"):
                assert e.to_state == e.from_state
            else:
                assert e.to_state == paused_from.pop(e.case_id)
        else:
            assert e.to_state == row.target
            if row.target in workflow.PAUSING:
                paused_from[e.case_id] = e.from_state
        last[e.case_id] = e.to_state
    assert last == state_of


def check_dates_follow_the_state_and_deadlines_match_the_calendar():
    cases = Case.objects.select_related("item_version").prefetch_related("pauses")
    for case in cases:
        assert case.submitted_on <= UNTIL
        accepted = case.state not in PRE_ACCEPTANCE | {State.DECLINED, State.WITHDRAWN}
        if accepted:
            assert case.accepted_on is not None and case.accepted_on >= case.submitted_on
        if case.state in PRE_ACCEPTANCE | {State.DECLINED}:
            assert case.accepted_on is None
        if case.state in DELIVERY_STATES | {State.CLOSED}:
            assert case.decided_on <= case.concluded_on
            assert case.approved is not None
        if case.state in (FINAL_STATES | DELIVERY_STATES) - {State.TERMINATED}:
            assert case.concluded_on is not None and case.concluded_on <= UNTIL
        else:
            # A false pledge stops the case without concluding it (`effects.clock`).
            assert case.concluded_on is None
        assert case.held_since is not None and case.submitted_on <= case.held_since <= UNTIL
        if case.clock_started_on is not None:
            assert case.accepted_on <= case.clock_started_on
        if case.state == State.CLOSED:
            assert case.closed_on >= case.concluded_on
            assert case.current_unit_id == case.intake_unit_id
        if case.accepted_on is not None:
            stored = (case.promised_due, case.statutory_due, case.proxy_due, case.delivery_due)
            deadlines_compute(case)
            assert stored == (
                case.promised_due,
                case.statutory_due,
                case.proxy_due,
                case.delivery_due,
            ), case.number
    assert Delivery.objects.count() == Case.objects.filter(state=State.CLOSED).count()


def check_custody_follows_the_case():
    cases = Case.objects.select_related("item_version").prefetch_related(
        "custodies", "item_version__materials"
    )
    for case in cases:
        hops = sorted(case.custodies.all(), key=lambda c: (c.sent_at, c.pk))
        assert hops[0].from_unit_id is None and hops[0].to_unit_id == case.intake_unit_id
        assert hops[-1].to_unit_id == case.current_unit_id
        # The unit holding the case got it the day it was sent there.
        assert case.held_since == timezone.localtime(hops[-1].sent_at).date()
        originals = any(m.originals for m in case.item_version.materials.all())
        for a, b in zip(hops, hops[1:], strict=False):
            assert b.from_unit_id == a.to_unit_id
            assert b.originals == originals
        in_transit = case.state in (State.FORWARDED, State.REFERRED, State.RETURNING)
        assert (hops[-1].received_at is None) == in_transit
    assert not Custody.objects.filter(received_at__isnull=True).exclude(
        case__state__in=(State.FORWARDED, State.REFERRED, State.RETURNING)
    )


def check_the_route_is_the_engines():
    """Accepting and deciding units are `routing.route_for`'s; a case above the village taken in
    at a station goes through its township centre first."""
    cases = Case.objects.select_related(
        "item_version", "intake_unit__parent", "intake_unit__region"
    )
    for case in cases.prefetch_related("custodies"):
        route = route_for(item_version=case.item_version, intake_unit=case.intake_unit)
        assert (case.accepting_unit_id, case.deciding_unit_id) == (
            route.accepting.pk,
            route.deciding.pk,
        ), case.number
        hops = sorted(case.custodies.all(), key=lambda c: (c.sent_at, c.pk))
        station = case.intake_unit.kind == "village_station"
        if station and case.deciding_unit_id != case.intake_unit_id and len(hops) > 1:
            assert hops[1].to_unit_id == case.intake_unit.parent_id, case.number


def check_replayed_through_the_engine_the_cases_are_the_same(history):
    """A case of each (route, channel, final state) replayed through the services from the
    generator's trace: the same events, dates, deadlines, hops, steps and records."""
    seen, problems = set(), []
    rows = Case.objects.select_related("item_version", "intake_unit", "accepting_unit")
    for case in rows.order_by("pk"):
        key = (case.intake_unit.kind, case.accepting_unit.kind, case.channel, case.state)
        if key in seen:
            continue
        seen.add(key)
        problems += differences(case, engine_replay(case, history.trace[case.pk]))
    assert len(seen) > 15
    assert problems == [], "\n".join(problems[:40])


def test_same_seed_same_history(items):  # noqa: F811
    def numbers():
        with transaction.atomic():
            build_cases(seed=11, cases=80, until=UNTIL, years=1)
            out = list(Case.objects.order_by("pk").values_list("number", "state"))
            transaction.set_rollback(True)
        return out

    first = numbers()
    assert len(first) >= 75
    assert numbers() == first


def test_seed_demo_adds_cases_to_an_existing_county(items):  # noqa: F811
    out = StringIO()
    call_command("seed_demo", "--cases", "40", "--until", "2026-11-20", stdout=out)
    assert Case.objects.count() >= 38
    assert "cases" in out.getvalue()


def test_part_of_a_year_keeps_the_history_inside_it(items):  # noqa: F811
    """`--years 0.4`: the same cases packed into about five months, as a real county makes them."""
    call_command(
        "seed_demo", "--cases", "60", "--years", "0.4", "--until", "2026-11-20", stdout=StringIO()
    )
    first = UNTIL - dt.timedelta(days=145)
    dates = list(Case.objects.values_list("submitted_on", flat=True))
    assert len(dates) >= 55
    assert min(d for d in dates if d) >= first
    assert max(d for d in dates if d) <= UNTIL


def test_a_history_of_no_length_is_refused(items):  # noqa: F811
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--years"):
        call_command("seed_demo", "--cases", "10", "--years", "0", stdout=StringIO())
    assert Case.objects.count() == 0
