import datetime as dt

import pytest

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.workdays import calendar, services
from bianmin.workdays.calendar import DateAnswer
from bianmin.workdays.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat

SCHEDULE_2027 = {
    "year": 2027,
    "holidays": [(D("2027-01-01"), "元旦"), (D("2027-01-02"), "元旦"), (D("2027-01-03"), "元旦")],
    "workdays": [(D("2027-01-09"), "元旦调休")],
    "note": "国办发明电〔2026〕1号",
    "confirmed": True,  # three days: far fewer than a real year
}


def calendar_state(year: int):
    return (
        list(CalendarYear.objects.filter(year=year).values_list("source", "note")),
        list(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday", "name")),
    )


def test_entering_2027_makes_it_known_and_signals_after_commit(
    county, changed_years, django_capture_on_commit_callbacks
):
    assert calendar.add_workdays(D("2026-12-31"), 1) == DateAnswer(D("2027-01-01"), True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        entry = services.calendar_year_enter(actor=county.admin.user, **SCHEDULE_2027)
        assert changed_years == []  # nothing is announced before the commit
    assert len(callbacks) == 1
    assert changed_years == [{2027}]
    assert entry.source == CalendarYear.Source.MANUAL and entry.entered_by == county.admin.user
    assert calendar.is_workday(D("2027-01-01")) == (False, False)
    assert calendar.is_workday(D("2027-01-09")) == (True, False)  # Saturday worked
    assert calendar.add_workdays(D("2026-12-31"), 1) == DateAnswer(D("2027-01-04"), False)
    assert calendar.workdays_between(D("2027-01-04"), D("2027-01-11")).workdays == 6
    assert 2027 in calendar.covered_years()


def test_reentering_a_year_replaces_it(county, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(actor=county.admin.user, **SCHEDULE_2027)
        services.calendar_year_enter(
            actor=county.admin.user,
            year=2027,
            holidays=[(D("2027-01-01"), "元旦")],
            workdays=[],
            confirmed=True,
        )
    assert calendar_state(2027)[1] == [(D("2027-01-01"), False, "元旦")]
    assert calendar.is_workday(D("2027-01-09")) == (False, False)


def test_system_may_enter_without_actor(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        entry = services.calendar_year_enter(actor=None, **SCHEDULE_2027)
    assert entry.entered_by is None and calendar.is_workday(D("2027-01-01")) == (False, False)


def bad(**changes):
    return {**SCHEDULE_2027, **changes}


@pytest.mark.parametrize(
    ("schedule", "field", "words"),
    [
        (bad(holidays=[(D("2028-01-01"), "元旦")]), "holidays", "不属于 2027 年"),
        (bad(workdays=[(D("2026-12-26"), "调休")]), "workdays", "不属于 2027 年"),
        (bad(workdays=[(D("2027-01-02"), "调休")]), "workdays", "既是假日又是调休工作日"),
        (bad(workdays=[(D("2027-01-08"), "调休")]), "workdays", "不是调休上班日"),
        (bad(holidays=[(D("2027-01-01"), "元旦")] * 2), "holidays", "重复"),
        (bad(holidays=[]), "holidays", "至少"),
        (bad(holidays=[(D("2027-01-01"), "节" * 51)]), "holidays", "过长"),
        (bad(year=1999, holidays=[(D("1999-01-01"), "元旦")], workdays=[]), "year", "年份"),
        (bad(note="x" * 201), "note", "依据"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    county, changed_years, django_capture_on_commit_callbacks, schedule, field, words
):
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=None,
            year=2027,
            holidays=[(D("2027-10-01"), "国庆节")],
            workdays=[],
            confirmed=True,
        )
    before = calendar_state(2027)
    changed_years.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationFailed) as exc,
    ):
        services.calendar_year_enter(actor=county.admin.user, **schedule)
    assert exc.value.field == field and words in exc.value.message
    assert callbacks == [] and changed_years == []
    assert calendar_state(2027) == before


def test_bad_input_for_an_unknown_year_leaves_it_unknown(county):
    with pytest.raises(ValidationFailed):
        services.calendar_year_enter(
            actor=county.admin.user, **bad(workdays=[(D("2027-01-01"), "")])
        )
    assert calendar_state(2027) == ([], [])
    assert calendar.is_workday(D("2027-01-01")) == (True, True)


@pytest.mark.parametrize("who", ["a11", "t1_staff", "supervisor"])
def test_only_administrators_enter(county, who):
    with pytest.raises(PermissionDenied):
        services.calendar_year_enter(actor=getattr(county, who).user, **SCHEDULE_2027)
    assert calendar_state(2027) == ([], [])


def test_superuser_may_enter(db, django_user_model):
    root = django_user_model.objects.create_superuser("root", "", "x")
    assert services.can_manage_calendar(root)
    services.calendar_year_enter(actor=root, **SCHEDULE_2027)
    assert calendar_state(2027)[0] == [("manual", "国办发明电〔2026〕1号")]


def test_package_names_are_chinese(db):
    names = dict(CalendarDay.objects.filter(date__year=2025).values_list("date", "name"))
    assert names[D("2025-10-01")] == "国庆节"
    assert names[D("2025-01-28")] == "春节"
    assert names[D("2025-09-28")] == "国庆节"  # the adjusted working day, named for its holiday


def test_seed_is_idempotent_and_silent_when_nothing_changed(
    db, changed_years, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.calendar_seed_from_package()
    assert result.unchanged == list(range(2004, 2027))
    assert result.loaded == result.changed == result.skipped_manual == []
    assert changed_years == []


def test_seed_repairs_package_years_and_announces_them(
    db, changed_years, django_capture_on_commit_callbacks
):
    CalendarDay.objects.filter(date=D("2025-10-08")).delete()
    CalendarDay.objects.filter(date__year=2024).update(name="x")  # names only: no recompute
    calendar.invalidate()
    assert calendar.is_workday(D("2025-10-08")) == (True, False)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.calendar_seed_from_package()
    assert result.loaded == [2024, 2025] and result.changed == [2025]
    assert changed_years == [{2025}]
    assert calendar.is_workday(D("2025-10-08")) == (False, False)


def test_seed_keeps_manual_years_unless_asked(
    county, changed_years, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=county.admin.user,
            year=2026,
            holidays=[(D("2026-03-02"), "测试假日")],
            workdays=[],
            confirmed=True,
        )
        kept = services.calendar_seed_from_package()
    assert kept.skipped_manual == [2026]
    assert calendar.is_workday(D("2026-03-02")) == (False, False)
    changed_years.clear()
    with django_capture_on_commit_callbacks(execute=True):
        replaced = services.calendar_seed_from_package([2026], include_manual=True)
    assert replaced.loaded == replaced.changed == [2026]
    assert changed_years == [{2026}]
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.Source.PACKAGE
    assert calendar.is_workday(D("2026-03-02")) == (True, False)


def test_seed_refuses_years_the_package_lacks(db):
    with pytest.raises(ValidationFailed):
        services.calendar_seed_from_package([2027])
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_published_years_raise_no_doubt():
    for year in range(2012, 2027):
        days = services.package_exceptions(year)
        holidays = [(d, n) for d, w, n in days if not w]
        workdays = [(d, n) for d, w, n in days if w]
        assert services.calendar_year_doubts(holidays=holidays, workdays=workdays) == [], year


def test_doubtful_year_is_saved_only_when_confirmed(county, django_capture_on_commit_callbacks):
    three = {"year": 2027, "holidays": SCHEDULE_2027["holidays"], "workdays": []}
    with pytest.raises(ValidationFailed) as e:
        services.calendar_year_enter(actor=county.admin.user, **three)
    assert e.value.code == "unconfirmed" and e.value.field == "confirm"
    assert len(e.value.extra["doubts"]) == 2  # one weekday rest day, no adjusted working day
    assert calendar_state(2027) == ([], [])
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(actor=county.admin.user, confirmed=True, **three)
    assert calendar_state(2027)[0] == [("manual", "")]
