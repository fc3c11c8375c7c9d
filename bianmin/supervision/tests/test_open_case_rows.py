"""The light rows the sweep and the dashboard read unfinished cases as (`case_rows.OpenCase`) give
the same clocks, and the same related values, as full `Case` instances, on a generated history
(`bianmin.demo.scale`, which writes what the services write)."""

import datetime as dt

import pytest

from bianmin.cases.models import Case
from bianmin.cases.routing import can_accept_here
from bianmin.cases.services import case_transition
from bianmin.demo.scale import build_cases
from bianmin.supervision import clocks
from bianmin.supervision.case_rows import open_cases
from bianmin.supervision.models import Clock

from .conftest import accepted_case, proxy_case

D = dt.date
UNTIL = D(2026, 11, 20)  # a Friday: the generated history ends here
pytestmark = pytest.mark.django_db


@pytest.fixture
def history(county, items, clock):
    build_cases(seed=8, cases=480, until=UNTIL, years=1)
    # A step clock and a deferred material, through the services.
    five = accepted_case(county, items.five, on=D(2026, 11, 25), clock=clock)
    ids = {m.name: m.pk for m in items.deferrable.materials.all()}
    deferred = {"status": "deferred", "due_days": 3, "commitment": "补交"}
    proxy = proxy_case(
        county,
        items.deferrable,
        on=D(2026, 11, 24),
        clock=clock,
        materials={ids["居民身份证"]: "provided", ids["户口簿"]: deferred},
    )
    # Locked by a staff member (the dashboard names the holder).
    for case in (five, proxy):
        case_transition(case=case, action="assign", actor=county.t1_head.user)


def _full_cases() -> list[Case]:
    return list(
        Case.objects.filter(state__in=clocks.UNFINISHED_STATES)
        .select_related("item_version", "region", "current_unit__parent", "assigned_to__staff")
        .prefetch_related("pauses", "steps", "materials")
        .order_by("pk")
    )


def test_open_case_rows_give_the_clocks_of_full_cases(history):
    rows = open_cases(Case.objects.filter(state__in=clocks.UNFINISHED_STATES))
    full = _full_cases()
    assert len(rows) >= 20
    assert [r.pk for r in rows] == [c.pk for c in full]
    thresholds = clocks.thresholds_by_item()
    seen: set[tuple[str, str]] = set()
    for today in (UNTIL, D(2026, 11, 27), D(2026, 12, 2), D(2027, 1, 4)):
        for row, case in zip(rows, full, strict=True):
            threshold = thresholds.get(case.item_version.item_id) or clocks.default_threshold()
            want = clocks.case_clocks(case, today=today, threshold=threshold)
            assert clocks.case_clocks(row, today=today, threshold=threshold) == want, case.number
            seen |= {(s.clock, s.colour) for s in want}
    # Every clock of a case, in every colour, was compared.
    case_clocks = {
        Clock.CASE,
        Clock.STEP,
        Clock.PROXY,
        Clock.RELAY,
        Clock.DELIVERY,
        Clock.DEFERRED_MATERIAL,
    }
    assert {c for c, _colour in seen} == case_clocks
    assert {colour for _c, colour in seen} == {clocks.GREEN, clocks.YELLOW, clocks.RED}


def test_open_case_rows_carry_what_the_sweep_and_the_dashboard_read(history):
    rows = open_cases(Case.objects.filter(state__in=clocks.UNFINISHED_STATES))
    full = _full_cases()
    assert any(c.assigned_to_id for c in full) and any(c.is_proxy for c in full)
    assert any(r.assigned_name for r in rows)
    for row, case in zip(rows, full, strict=True):
        holder = case.assigned_to
        assert (
            row.number,
            row.state,
            row.title,
            row.is_proxy,
            row.item_version.item_id if row.item_version else None,
            row.item_version.accept_tier if row.item_version else None,
            row.region.code,
            row.current_unit.pk,
            row.current_unit.name,
            row.current_unit.tier,
            row.assigned_to_id,
            row.first_responder_id,
            row.assigned_name,
            row.fee_total,
            can_accept_here(row),
        ) == (
            case.number,
            case.state,
            case.title,
            case.is_proxy,
            case.item_version.item_id if case.item_version else None,
            case.item_version.accept_tier if case.item_version else None,
            case.region.code,
            case.current_unit_id,
            case.current_unit.name,
            case.current_unit.tier,
            case.assigned_to_id,
            case.first_responder_id,
            (getattr(getattr(holder, "staff", None), "full_name", "") or str(holder))
            if holder
            else "",
            case.fee_total,
            can_accept_here(case),
        )


def test_case_clocks_reads_a_case_without_prefetched_rows(history):
    """The case page and other callers pass a plain `Case`: its related managers are queried."""
    today = D(2026, 12, 2)
    full = {c.pk: c for c in _full_cases()}
    plain = Case.objects.filter(pk__in=list(full)).order_by("pk")
    for case in plain:
        assert clocks.case_clocks(case, today=today) == clocks.case_clocks(
            full[case.pk], today=today
        )
