"""The demo county follows the route of RULES.md "The route of a proxied case".

One demo county with a year of generated history (built once for the module, rolled back after):
its catalog never lets a village accept what is decided above it; in its history no deciding
unit's clock contains relay days (recomputed here from the custody records and the events), every
proxied case's deadline runs from take-in, every case above the village passes the township
centre both ways; and generated cases replayed through the real services come out the same.
"""

import datetime as dt
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.utils import timezone

from bianmin.cases import workflow
from bianmin.cases.chain import chains_verify
from bianmin.cases.models import (
    ERRAND_STATES,
    Case,
    CaseEvent,
    CaseMaterial,
    Custody,
    State,
    SupervisionFlag,
)
from bianmin.catalog.models import TIER_ORDER, ItemVersion, Tier
from bianmin.demo.builder import build_demo
from bianmin.demo.departments import GENERAL_INTAKE
from bianmin.demo.scale import build_cases
from bianmin.orgs.models import UnitKind
from bianmin.ratings.models import Rating
from bianmin.workdays.calendar import add_workdays

from .engine_replay import differences, engine_replay

UNTIL = dt.date(2026, 11, 20)
CASES = 3000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    """The demo county with 3,000 cases over a year, and the trace of every generated case."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            demo = build_demo(seed=2026)
            trace: dict = {}
            history = build_cases(
                seed=2026, cases=CASES, until=UNTIL, years=1, batch=1000, trace=trace
            )
            yield demo, history, trace
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _closed_pauses(case) -> list:
    return [(p.started_on, p.ended_on) for p in case.pauses.all() if p.ended_on is not None]


def _cases():
    return Case.objects.select_related(
        "item_version", "intake_unit", "deciding_unit", "accepting_unit"
    ).prefetch_related("pauses", "custodies")


# --- the catalog -------------------------------------------------------------------------------


def test_every_item_has_valid_tiers(county, db):
    """(a) No village accepts above the village; forward acceptance only for 人社 and 医保 proxy
    items; the county window only where a township would otherwise send to the department."""
    demo, _history, _trace = county
    window = demo.general_windows[0]
    versions = ItemVersion.objects.filter(status="published").select_related(
        "implementing_unit", "county_window"
    )
    kinds = Counter()
    for v in versions:
        v.full_clean(exclude=["item", "number"])
        assert TIER_ORDER[v.accept_tier] <= TIER_ORDER[v.decide_tier], v
        if v.accept_tier == Tier.VILLAGE:
            assert v.decide_tier == Tier.VILLAGE, v
        key = v.implementing_unit.code.rsplit("-", 1)[-1]
        if v.village_proxy and v.forward_acceptance:
            assert key in ("RS", "YB"), v
        if v.village_proxy and v.decide_tier == Tier.COUNTY and key in ("RS", "YB"):
            assert v.accept_tier == Tier.TOWNSHIP, v
        if v.county_window_id:
            assert v.county_window == window and key in GENERAL_INTAKE, v
            assert v.accept_tier == v.decide_tier == Tier.COUNTY, v
        elif key in GENERAL_INTAKE and v.accept_tier == v.decide_tier == Tier.COUNTY:
            pytest.fail(f"{v} goes to the department, not the general window")
        kinds[(v.village_proxy, v.accept_tier, v.decide_tier, bool(v.county_window_id))] += 1
    # The route kinds the demo is meant to show all exist among the proxy items.
    assert kinds[(True, "village", "village", False)] >= 5
    assert kinds[(True, "township", "township", False)] >= 20
    assert kinds[(True, "township", "county", False)] >= 10  # forward acceptance
    assert kinds[(True, "county", "county", False)] >= 20  # township relays to the department
    assert kinds[(True, "county", "county", True)] >= 5  # township relays to the county window


# --- the history -------------------------------------------------------------------------------


def test_history_verifies(county, db):
    _demo, history, _trace = county
    assert history.cases == Case.objects.count() >= CASES * 0.98
    assert chains_verify() == []


def test_no_deciding_unit_clock_contains_relay_days(county, db):
    """(b) Recomputed from the custody records and the events: the deciding unit's clock starts
    on the day of its own acceptance, or the day it received the case accepted below it, and the
    due dates count from there (closed pauses excluded)."""
    accepts = dict(
        CaseEvent.objects.filter(action="accept").values_list("case_id", "at")
    )  # one acceptance per case
    checked = relayed = 0
    for case in _cases():
        version = case.item_version
        if case.deciding_unit_id == case.intake_unit_id:
            continue  # nothing above the intake: no relay at all
        hops = sorted(case.custodies.all(), key=lambda c: (c.sent_at, c.pk))
        arrival = next((h for h in hops if h.to_unit_id == case.deciding_unit_id), None)
        accepted_at = accepts.get(case.pk)
        if accepted_at is None:
            expected = None  # not accepted anywhere yet
        elif arrival is None or arrival.sent_at > accepted_at:
            # Accepted below: the clock starts on the day the deciding unit received the case
            # (not yet while it is still below or on its way up).
            assert case.accepting_unit_id != case.deciding_unit_id, case.number
            received = arrival and arrival.received_at
            expected = received and _local(received)
            relayed += 1
        else:
            # Accepted by the deciding unit itself, after the case reached it.
            assert case.accepting_unit_id == case.deciding_unit_id, case.number
            expected = _local(accepted_at)
        assert case.clock_started_on == expected, case.number
        if expected is None:
            assert case.promised_due is None and case.statutory_due is None, case.number
            continue
        extra = case.extended_days
        pauses = _closed_pauses(case)
        assert case.promised_due == (
            add_workdays(expected, version.promised_limit + extra, pauses).date
        ), case.number
        assert case.statutory_due == (
            add_workdays(expected, version.statutory_limit + extra, pauses).date
        ), case.number
        checked += 1
    assert checked > CASES * 0.5 and relayed > CASES * 0.1


def test_proxy_deadline_runs_from_take_in(county, db):
    """Every proxied case: limit + extension + 5 working days from take-in, relay days and
    all, without the days it waited for materials. A withdrawal ends the wait without
    recomputing (the engine's `e_withdraw`), so withdrawn cases keep the deadline they had."""
    proxied = 0
    for case in _cases().filter(channel="proxy").exclude(state=State.WITHDRAWN):
        extra = case.item_version.promised_limit + case.extended_days + 5
        due = add_workdays(case.submitted_on, extra, _closed_pauses(case)).date
        assert case.proxy_due == due, case.number
        proxied += 1
    assert proxied > CASES * 0.35
    assert not Case.objects.exclude(channel="proxy").exclude(proxy_due=None).exists()


def test_above_the_village_every_case_passes_the_township_centre_both_ways(county, db):
    """Taken in at a station and decided above it: up through the station's township centre
    before any county unit; back through it before the station."""
    hops_of = defaultdict(list)
    for hop in Custody.objects.select_related("to_unit", "from_unit").order_by("sent_at", "pk"):
        hops_of[hop.case_id].append(hop)
    checked = back = 0
    cases = _cases().filter(intake_unit__kind=UnitKind.VILLAGE_STATION)
    for case in cases.exclude(item_version__decide_tier=Tier.VILLAGE):
        centre = case.intake_unit.parent_id
        hops = hops_of[case.pk]
        assert hops[0].from_unit_id is None and hops[0].to_unit_id == case.intake_unit_id
        seen_centre = False
        for hop in hops[1:]:
            if hop.to_unit_id == centre:
                seen_centre = True
            if hop.to_unit.tier == Tier.COUNTY:
                assert seen_centre, case.number
            if hop.to_unit_id == case.intake_unit_id:
                assert hop.from_unit_id == centre, case.number
                back += 1
        if len(hops) > 1:
            assert hops[1].from_unit_id == case.intake_unit_id and hops[1].to_unit_id == centre
        checked += 1
    assert checked > CASES * 0.3 and back > CASES * 0.2


def test_every_state_and_every_route_kind_occurs(county, db):
    """(c) The history has every state of the workflow table, hall-opened proxy cases, forward
    acceptance, the county window route, relay hops and the other case events."""
    states = set(Case.objects.values_list("state", flat=True))
    table = {r.target for r in workflow.TABLE} | {State.SUBMITTED}
    table -= {workflow.SAME, workflow.PREVIOUS, workflow.PREVIOUS_WHEN_COMPLETE}
    table -= ERRAND_STATES
    assert table - states == set()
    proxy = Case.objects.filter(channel="proxy")
    at_township = proxy.filter(intake_unit__kind=UnitKind.TOWNSHIP_CENTRE)
    at_county = proxy.filter(intake_unit__kind=UnitKind.WINDOW)
    assert 0.02 * proxy.count() < at_township.count() < 0.1 * proxy.count()
    assert at_county.exists()
    for case in at_township[:20]:
        assert case.agent.unit_id == case.intake_unit_id
    # Forward acceptance: accepted at the township, referred to the department.
    forward = Case.objects.filter(
        accepting_unit__kind=UnitKind.TOWNSHIP_CENTRE, deciding_unit__kind=UnitKind.DEPARTMENT
    )
    assert forward.filter(events__action="forward", events__to_state=State.REFERRED).exists()
    # The county window: a township relays to it, it accepts and refers to the department.
    window = Case.objects.filter(accepting_unit__kind=UnitKind.WINDOW).exclude(
        intake_unit__kind=UnitKind.WINDOW
    )
    assert window.filter(state=State.CLOSED).exists()
    assert Custody.objects.filter(
        from_unit__kind=UnitKind.TOWNSHIP_CENTRE, to_unit__kind=UnitKind.WINDOW
    ).exists()
    actions = Counter(CaseEvent.objects.values_list("action", flat=True))
    for action in ("site_check", "supplement", "suspend", "extend", "pledge_false", "opine"):
        assert actions[action], action
    assert not Case.objects.filter(pauses__reason="survey").exists()
    partial = CaseEvent.objects.filter(
        action="supplement", from_state=State.AWAITING_MATERIALS, to_state=State.AWAITING_MATERIALS
    )
    assert partial.exists()
    # 容缺 and 告知承诺 chosen at acceptance, deferred ones at the township among others.
    at_acceptance = Counter(
        (kind, line.rsplit(": ", 1)[1])
        for kind, data in CaseEvent.objects.filter(action="accept").values_list(
            "unit__kind", "data"
        )
        for line in data.get("materials", [])
    )
    assert at_acceptance[(UnitKind.TOWNSHIP_CENTRE, "deferred")] > 10
    assert sum(n for (_kind, status), n in at_acceptance.items() if status == "pledged") > 10
    flags = set(SupervisionFlag.objects.values_list("kind", flat=True))
    assert flags == {"false_pledge", "late_forward"}
    assert Custody.objects.filter(originals=True).exists()
    assert Custody.objects.filter(originals=False, from_unit__isnull=False).exists()
    onsite = Rating.objects.filter(channel="onsite")
    assert onsite.exists() and not onsite.filter(named=False).exists()


# --- the engine writes the same ----------------------------------------------------------------


def _sample() -> list[Case]:
    """Cases enough to see every kind of history once: each route (intake, accepting and
    deciding unit kinds, online or not), each final state, each transition of the table
    (action, from state, to state) twice, and each kind of flag, rating, material status and
    hop (with paper originals or without)."""
    moves = defaultdict(set)
    for case_id, action, frm, to in CaseEvent.objects.values_list(
        "case_id", "action", "from_state", "to_state"
    ):
        moves[case_id].add((action, frm, to))
    for case_id, kind in SupervisionFlag.objects.values_list("case_id", "kind"):
        moves[case_id].add(("flag", kind))
    for case_id, channel in Rating.objects.values_list("case_id", "channel"):
        moves[case_id].add(("rating", channel))
    for case_id, status in CaseMaterial.objects.values_list("case_id", "status"):
        moves[case_id].add(("material", status))
    for case_id, originals in Custody.objects.exclude(from_unit=None).values_list(
        "case_id", "originals"
    ):
        moves[case_id].add(("originals", originals))
    wanted: Counter = Counter()
    picked = []
    rows = Case.objects.select_related("intake_unit", "accepting_unit", "deciding_unit")
    for case in rows.order_by("pk"):
        route = (
            case.intake_unit.kind,
            case.accepting_unit.kind,
            case.deciding_unit.kind,
            case.channel == "online",
        )
        keys = [("route", route), ("state", case.state)]
        keys += [(m, n) for m in moves[case.pk] for n in (1, 2)]
        if any(wanted[k] == 0 for k in keys):
            wanted.update(keys)
            picked.append(case)
    return picked


def test_generated_cases_are_what_the_engine_writes(county, db):
    """Replayed through `case_register` and `case_transition` at the same moments, with the
    same actors and parameters, the generated cases come out field for field the same."""
    _demo, _history, trace = county
    sample = _sample()
    assert len(sample) > 30
    problems = []
    for case in sample:
        twin = engine_replay(case, trace[case.pk])
        problems += differences(case, twin)
    assert problems == [], "\n".join(problems[:40])
