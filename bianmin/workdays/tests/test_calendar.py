import datetime as dt

import chinese_calendar
import pytest

from bianmin.workdays import calendar
from bianmin.workdays.calendar import CountAnswer, DateAnswer

D = dt.date.fromisoformat


def test_matches_chinesecalendar_on_every_day_it_knows(db):
    day, last = dt.date(2004, 1, 1), dt.date(2026, 12, 31)
    wrong, checked = [], 0
    while day <= last:
        if calendar.is_workday(day) != (chinese_calendar.is_workday(day), False):
            wrong.append(day)
        day += dt.timedelta(days=1)
        checked += 1
    assert checked == 8401
    assert wrong == []


def test_snapshot_covers_exactly_the_package_years(db):
    assert calendar.covered_years() == list(range(2004, 2027))
    assert calendar.uncovered_years([2003, 2004, 2026, 2027]) == [2003, 2027]


def test_add_one_workday_after_national_day_eve(db):
    assert calendar.add_workdays(D("2025-09-30"), 1) == DateAnswer(D("2025-10-09"), False)


def test_adjusted_weekend_workday_counts(db):
    assert calendar.is_workday(D("2025-09-28")) == (True, False)  # a Sunday worked for 国庆
    assert calendar.add_workdays(D("2025-09-26"), 1).date == D("2025-09-28")
    assert calendar.workdays_between(D("2025-09-26"), D("2025-09-28")).workdays == 1
    assert calendar.add_workdays(D("2025-10-09"), 2).date == D("2025-10-11")  # Saturday worked


def test_start_never_counts(db):
    monday = D("2025-03-03")
    assert calendar.add_workdays(monday, 0) == DateAnswer(monday, False)
    assert calendar.add_workdays(monday, 1).date == D("2025-03-04")
    assert calendar.add_workdays(D("2025-02-28"), 1).date == monday  # Friday -> Monday
    assert calendar.workdays_between(monday, monday) == CountAnswer(0, False)
    assert calendar.workdays_between(D("2025-02-28"), monday).workdays == 1


def test_workdays_between_includes_end_and_is_negative_when_reversed(db):
    a, b = D("2025-09-30"), D("2025-10-10")
    assert calendar.workdays_between(a, b) == CountAnswer(2, False)  # 10-09 and 10-10
    assert calendar.workdays_between(b, a) == CountAnswer(-2, False)
    assert calendar.workdays_between(D("2025-03-04"), D("2025-03-03")).workdays == -1


@pytest.mark.parametrize("start", ["2025-01-20", "2025-09-25", "2024-12-27", "2016-02-05"])
def test_add_and_count_agree(db, start):
    start = D(start)
    for n in range(0, 40):
        end = calendar.add_workdays(start, n).date
        assert calendar.workdays_between(start, end).workdays == n
        assert calendar.is_workday(end)[0] or n == 0


def test_pause_excludes_days_after_it_began_through_resumption(db):
    pause = (D("2025-03-03"), D("2025-03-05"))  # paused on Monday, resumed on Wednesday
    start = D("2025-02-28")
    assert calendar.add_workdays(start, 3).date == D("2025-03-05")
    # Monday (the day it was paused) still counts; Tuesday and Wednesday (resume day) do not.
    assert calendar.add_workdays(start, 1, [pause]).date == D("2025-03-03")
    assert calendar.add_workdays(start, 2, [pause]).date == D("2025-03-06")
    assert calendar.workdays_between(start, D("2025-03-03"), [pause]).workdays == 1
    assert calendar.add_workdays(start, 3, [pause]).date == D("2025-03-07")
    assert calendar.workdays_between(start, D("2025-03-07"), [pause]).workdays == 3
    assert calendar.workdays_between(start, D("2025-03-05"), [pause]).workdays == 1


def test_several_pauses_and_open_pause(db):
    start = D("2025-03-07")  # Friday
    pauses = [(D("2025-03-10"), D("2025-03-11")), (D("2025-03-12"), D("2025-03-13"))]
    # 10 counts, 11 paused, 12 counts (first pause ended; second began on 12), 13 paused.
    assert calendar.workdays_between(start, D("2025-03-14"), pauses).workdays == 3
    open_pause = [(D("2025-03-11"), None)]
    assert calendar.workdays_between(start, D("2025-03-31"), open_pause).workdays == 2
    with pytest.raises(ValueError):
        calendar.add_workdays(start, 5, open_pause)


def test_negative_n_is_refused(db):
    with pytest.raises(ValueError):
        calendar.add_workdays(D("2025-03-03"), -1)


def test_uncovered_year_uses_weekday_rule_and_is_provisional(db):
    assert calendar.is_workday(D("2027-01-01")) == (True, True)  # 元旦 unknown: a plain Friday
    assert calendar.is_workday(D("2027-01-02")) == (False, True)  # Saturday
    assert calendar.add_workdays(D("2026-12-30"), 1) == DateAnswer(D("2026-12-31"), False)
    assert calendar.add_workdays(D("2026-12-31"), 1) == DateAnswer(D("2027-01-01"), True)
    assert calendar.add_workdays(D("2027-03-05"), 5) == DateAnswer(D("2027-03-12"), True)
    # Dec 28-31 (Mon-Thu), Jan 1 (Fri), Jan 4 (Mon).
    assert calendar.workdays_between(D("2026-12-25"), D("2027-01-04")) == CountAnswer(6, True)
    assert calendar.workdays_between(D("2027-01-04"), D("2026-12-25")) == CountAnswer(-6, True)
    # Years before the package's first year are just as provisional, and nothing crashes.
    assert calendar.add_workdays(D("2003-12-30"), 1) == DateAnswer(D("2003-12-31"), True)


def test_start_year_alone_does_not_make_answer_provisional(db):
    assert calendar.add_workdays(D("2003-12-31"), 1) == DateAnswer(D("2004-01-02"), False)
    assert calendar.add_workdays(D("2027-01-01"), 0) == DateAnswer(D("2027-01-01"), False)


def test_years_to_watch():
    assert calendar.years_to_watch(D("2027-09-30")) == [2027]
    assert calendar.years_to_watch(D("2027-10-01")) == [2027, 2028]


def test_snapshot_is_cached_until_invalidated(db, django_assert_num_queries):
    calendar.snapshot()
    with django_assert_num_queries(0):
        calendar.add_workdays(D("2025-01-01"), 100)
        calendar.workdays_between(D("2024-01-01"), D("2026-01-01"))
    calendar.invalidate()
    with django_assert_num_queries(2):
        calendar.snapshot()


def test_snapshot_read_during_an_invalidation_is_not_kept(db, monkeypatch):
    from bianmin.workdays.models import CalendarYear

    real = CalendarYear.objects.values_list

    def racing(*args, **kwargs):
        calendar.invalidate()  # a write commits while this reader is loading
        return real(*args, **kwargs)

    monkeypatch.setattr(CalendarYear.objects, "values_list", racing)
    first = calendar.snapshot()
    monkeypatch.undo()
    assert calendar.snapshot() is not first


def test_explicit_snapshot_is_pure(db):
    snap = calendar.Snapshot(exceptions={D("2031-01-01"): False}, years=frozenset({2031}))
    assert calendar.add_workdays(D("2030-12-31"), 1, snap=snap) == DateAnswer(
        D("2031-01-02"), False
    )
    assert calendar.is_workday(D("2031-01-01"), snap=snap) == (False, False)


def _walked(start, end, pauses, snap):
    """The day-by-day count the closed form replaced: kept here as the reference."""
    count, provisional, day = 0, False, start
    while day < end:
        day += dt.timedelta(days=1)
        provisional |= not snap.covers(day)
        paused = any(a < day and (b is None or day <= b) for a, b in pauses)
        count += snap.is_workday(day) and not paused
    return count, provisional


def test_closed_form_count_equals_walking_every_day(db):
    import random

    snap = calendar.snapshot()
    rnd = random.Random(15)
    base = dt.date(2019, 12, 20)
    for _ in range(400):
        start = base + dt.timedelta(days=rnd.randrange(0, 3000))
        end = start + dt.timedelta(days=rnd.randrange(0, 900))
        pauses = []
        for _ in range(rnd.randrange(0, 3)):
            on = start + dt.timedelta(days=rnd.randrange(-30, 900))
            pauses.append((on, rnd.choice([None, on + dt.timedelta(days=rnd.randrange(0, 60))])))
        got = calendar.workdays_between(start, end, pauses, snap=snap)
        assert (got.workdays, got.provisional) == _walked(start, end, pauses, snap), (
            start,
            end,
            pauses,
        )


def test_add_by_lookup_equals_walking_every_day(db):
    """`add_workdays` finds the day in the snapshot's index, grown by paused days; walking day
    by day gives the same day and provisional flag, across pauses and years the calendar lacks."""
    import random

    snap = calendar.snapshot()
    rnd = random.Random(16)
    base = dt.date(2002, 6, 1)
    for _ in range(400):
        start = base + dt.timedelta(days=rnd.randrange(0, 27 * 365))
        n = rnd.randrange(0, 70)
        pauses = []
        for _ in range(rnd.randrange(0, 4)):
            on = start + dt.timedelta(days=rnd.randrange(-30, 90))
            pauses.append((on, on + dt.timedelta(days=rnd.randrange(0, 40))))
        day, left, provisional = start, n, False
        while left > 0:
            day += dt.timedelta(days=1)
            provisional |= not snap.covers(day)
            left -= snap.is_workday(day) and not any(a < day <= b for a, b in pauses)
        got = calendar.add_workdays(start, n, pauses, snap=snap)
        assert got == DateAnswer(day, provisional), (start, n, pauses)


def test_a_far_date_costs_no_more_than_a_near_one(db):
    """9999-12-31 once walked three million days per clock; the answer is now arithmetic."""
    far = calendar.workdays_between(dt.date(2026, 1, 1), dt.date(9999, 12, 31))
    assert far.provisional and far.workdays > 2_000_000
