"""Closed months' figures stored once (`selectors/settled.py`) and the live cases' kept between
boards (`selectors/live_cases.py`): a board that reads them shows the same figures as one that
counts every case, after a change to a case of a stored month, an event on an unfinished case,
days passing and a new warning threshold too; a case's colour schedule gives the colours its
clocks give day by day."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction

from bianmin.cases.models import Case, State
from bianmin.cases.services.events import event_record
from bianmin.demo.builder import build_demo
from bianmin.demo.scale import build_cases
from bianmin.supervision import clocks, schedules
from bianmin.supervision.case_rows import open_cases
from bianmin.supervision.clocks import UNFINISHED_STATES
from bianmin.supervision.models import (
    LiveCase,
    SettledCount,
    SettledIrregular,
    SettledMonth,
    SettledTier,
)
from bianmin.supervision.selectors import dashboard, live_cases
from bianmin.supervision.selectors.settled import live, month_start
from bianmin.workdays import calendar

UNTIL = dt.date(2026, 11, 20)
PANELS = (
    *("totals", "states", "children", "units", "tiers", "tier_period", "overdue"),
    *("repeated_notices", "late_materials", "no_reasons", "unaccepted", "fees_off"),
)


@pytest.fixture(scope="module")
def year_of_cases(django_db_setup, django_db_blocker):
    """The demo county with a year of cases, built once and rolled back after."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            build_demo(seed=2026)
            build_cases(seed=2026, cases=600, until=UNTIL, years=1, batch=200)
            plant_irregularities()
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def plant_irregularities() -> None:
    """Each irregularity found on a case itself, on two settled cases of closed months and on one
    unfinished case: the generated history has hardly any."""
    from bianmin.cases.models import OneTimeNotice

    settled = list(
        Case.objects.filter(state=State.CLOSED, closed_on__lt=month_start(UNTIL)).order_by("pk")
    )
    unfinished = list(Case.objects.filter(state__in=UNFINISHED_STATES).order_by("pk"))
    assert len(settled) >= 8 and len(unfinished) >= 4
    for case in (settled[0], settled[1], unfinished[0]):
        Case.objects.filter(pk=case.pk).update(approved=False, reasons="")
    for case in (settled[2], settled[3], unfinished[1]):
        Case.objects.filter(pk=case.pk).update(deemed_accepted=True)
    for case in (settled[4], settled[5], unfinished[2]):
        Case.objects.filter(pk=case.pk).update(fee_total=case.fee_total + 7)
    for case in (settled[6], settled[7], unfinished[3]):
        notice = case.notices.first() or OneTimeNotice(
            case=case,
            issued_on=case.submitted_on,
            issued_by=get_user_model().objects.get(username="t01-staff"),
            unit=case.current_unit,
            item_version=case.item_version,
        )
        for n in (1, 2):
            notice.pk, notice.number = None, f"GZ-PLANT-{case.pk}-{n}"
            notice.save()


@pytest.fixture
def on_until(year_of_cases, db):
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC), tick=False):
        yield


def board(username: str, settings, *, stored: bool) -> dict:
    settings.BIANMIN_DASHBOARD_SETTLED_MONTHS = stored
    viewer = get_user_model().objects.get(username=username)
    return {k: v for k, v in dashboard(viewer=viewer).items() if k in PANELS}


@pytest.mark.parametrize("username", ["supervisor", "t01-staff"])
def test_stored_months_give_the_figures_of_counting_every_case(on_until, settings, username):
    counted = board(username, settings, stored=False)
    assert not SettledMonth.objects.exists()
    kept = board(username, settings, stored=True)
    months = list(SettledMonth.objects.values_list("month", flat=True))
    # Every closed month with a settled case, none of this month.
    assert months and max(months) == dt.date(2026, 10, 1)
    assert SettledCount.objects.exists() and SettledTier.objects.exists()
    if username == "supervisor":  # the county sees every planted case, stored and live
        assert SettledIrregular.objects.count() == 8
        for panel in ("repeated_notices", "no_reasons", "fees_off"):
            assert len(kept[panel]) >= 3, panel
        assert sum(r["deemed"] for r in kept["unaccepted"]) >= 3
    assert kept == counted
    # Read again from the store alone: the same.
    assert board(username, settings, stored=True) == counted


def test_a_change_to_a_case_of_a_stored_month_shows(on_until, settings, monkeypatch):
    from bianmin.supervision.selectors import settled

    # The new events' cases are looked up in batches (SQLite's parameter limit): small ones here,
    # so the revoked case is found in one of many.
    monkeypatch.setattr(settled, "ID_BATCH", 2)
    board("supervisor", settings, stored=True)
    case = (
        Case.objects.filter(state=State.CLOSED, closed_on__lt=month_start(UNTIL))
        .order_by("closed_on")
        .first()
    )
    month = month_start(case.closed_on)
    assert SettledMonth.objects.filter(month=month).exists()
    before = board("supervisor", settings, stored=True)["totals"]["by_state"]
    # What the engine does when a false pledge revokes a delivered case (the state and an event).
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(state=State.REVOKED)
        event_record(
            case=case,
            actor=None,
            action="pledge_false",
            from_state=State.CLOSED,
            to_state=State.REVOKED,
        )
    after = board("supervisor", settings, stored=True)
    assert after["totals"]["by_state"][State.CLOSED] == before[State.CLOSED] - 1
    assert after["totals"]["by_state"][State.REVOKED] == before.get(State.REVOKED, 0) + 1
    assert after == board("supervisor", settings, stored=False)


def test_a_case_s_colours_day_by_day_are_those_of_its_schedule(year_of_cases, db):
    """Every unfinished case's clocks read on each of the next 60 days give the colour its
    schedule, computed on the first of them, gives for that day: paused cases, deferred
    materials and cases turning yellow and red on the way among them."""
    from bianmin.cases.models import CaseMaterial, MaterialStatus

    # A deferred material due in 12 days (the generated history has none among these).
    material = CaseMaterial.objects.filter(case__state=State.ACCEPTED).order_by("pk").first()
    CaseMaterial.objects.filter(pk=material.pk).update(
        status=MaterialStatus.DEFERRED, due_on=UNTIL + dt.timedelta(days=12)
    )
    snap = calendar.snapshot()
    thresholds, default = clocks.thresholds_by_item(), clocks.default_threshold()
    memo = clocks.Memo()
    cases = open_cases(Case.objects.filter(state__in=UNFINISHED_STATES))
    turned, paused, deferred = set(), 0, 0
    for case in cases:
        threshold = thresholds.get(case.item_version.item_id) or default
        schedule = schedules.schedule_of(
            clocks.case_deadlines(case, snap=snap),
            since=UNTIL,
            threshold=threshold,
            snap=snap,
            memo=memo,
        )
        first = None
        for n in range(61):
            day = UNTIL + dt.timedelta(days=n)
            colour = clocks.worst(
                clocks.case_clocks(case, today=day, threshold=threshold, snap=snap, memo=memo)
            )
            assert schedules.colour_on(schedule, day) == colour, (case.number, day, schedule)
            if first is not None and colour != first:
                turned.add(colour)
            first = first or colour
        paused += any(p.ended_on is None for p in case.pauses.all())
        deferred += bool(case.materials.all())
    assert turned == {clocks.YELLOW, clocks.RED} and paused and deferred


def _live_count() -> int:
    return live(Case.objects.all(), month_start(dt.date.today())).count()


def test_kept_live_cases_follow_events_days_and_thresholds(on_until, settings, monkeypatch):
    from bianmin.supervision.models import WarningThreshold

    # Computed in small batches, so that several are written and read back.
    monkeypatch.setattr(live_cases, "BATCH", 7)
    assert board("supervisor", settings, stored=True) == board("supervisor", settings, stored=False)
    assert LiveCase.objects.count() == _live_count() > 0
    # An event on an unfinished case: its row alone is computed again, and it shows.
    case = Case.objects.filter(state=State.ACCEPTED, promised_due__gt=UNTIL).order_by("pk").first()
    red = board("supervisor", settings, stored=True)["totals"]["red"]
    with transaction.atomic():
        Case.objects.filter(pk=case.pk).update(promised_due=UNTIL - dt.timedelta(days=7))
        event_record(case=case, actor=None, action="extend")
    kept = board("supervisor", settings, stored=True)
    assert LiveCase.objects.get(case=case).seq == case.last_event_seq
    assert set(LiveCase.objects.values_list("since", flat=True)) == {UNTIL}
    assert kept["totals"]["red"] >= red + 1
    assert case.number in {r["number"] for r in kept["overdue"]}
    assert kept == board("supervisor", settings, stored=False)
    # Eleven working days on, in the next month: the rows are read as they are (their colours
    # turned on the days their schedules say), those of cases settled last month dropped.
    # A row lost without an event (deleted by hand, say): found again by the day's first board.
    lost = LiveCase.objects.filter(state__in=UNFINISHED_STATES).order_by("case_id").first()
    lost_id = lost.case_id
    lost.delete()
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, tzinfo=dt.UTC), tick=False):
        kept = board("supervisor", settings, stored=True)
        assert LiveCase.objects.get(case_id=lost_id).since == dt.date(2026, 12, 4)
        assert set(LiveCase.objects.exclude(case_id=lost_id).values_list("since", flat=True)) == {
            UNTIL
        }
        assert LiveCase.objects.count() == _live_count()
        assert kept == board("supervisor", settings, stored=False)
        # A new warning threshold: every row is computed again.
        item = Case.objects.filter(state__in=UNFINISHED_STATES).first().item_version.item
        WarningThreshold.objects.create(item=item, days_before=15, percent_left=90)
        kept = board("supervisor", settings, stored=True)
        assert set(LiveCase.objects.values_list("since", flat=True)) == {dt.date(2026, 12, 4)}
        assert kept == board("supervisor", settings, stored=False)
