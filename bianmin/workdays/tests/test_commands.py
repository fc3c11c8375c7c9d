import datetime as dt
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bianmin import cli
from bianmin.workdays import calendar, services
from bianmin.workdays.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat


def run(*args, **kwargs):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_calendar_seed_reloads_package_years_but_not_manual_ones(
    db, changed_years, django_capture_on_commit_callbacks
):
    CalendarDay.objects.filter(date=D("2025-10-08")).delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=None, year=2026, holidays=[(D("2026-03-02"), "测试")], workdays=[], confirmed=True
        )
    changed_years.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run("calendar_seed")
    assert "已载入：2025" in out and "管理员录入的年度未改动：2026" in out
    assert changed_years == [{2025}]
    assert calendar.is_workday(D("2025-10-08")) == (False, False)
    assert calendar.is_workday(D("2026-03-02")) == (False, False)
    assert CalendarYear.objects.get(year=2026).source == "manual"


def test_calendar_seed_include_manual_and_single_year(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=None, year=2026, holidays=[(D("2026-03-02"), "测试")], workdays=[], confirmed=True
        )
        out, _ = run("calendar_seed", "--year", "2026", "--include-manual")
    assert "已载入：2026" in out
    assert CalendarYear.objects.get(year=2026).source == "package"
    assert calendar.is_workday(D("2026-03-02")) == (True, False)


def test_calendar_seed_refuses_unknown_year(db):
    with pytest.raises(CommandError, match="2027"):
        run("calendar_seed", "--year", "2027")


def test_status_lists_years_and_warns_about_next_year(db, monkeypatch):
    monkeypatch.setattr(
        "bianmin.workdays.management.commands.calendar_status.today", lambda: D("2026-11-20")
    )
    out, err = run("calendar_status")
    assert "2004–2026" in out and "chinesecalendar" in out
    assert "2027 年节假日安排尚未录入" in err
    assert "本年度" not in err


def test_status_warns_about_current_year_and_strict_fails(db, monkeypatch):
    monkeypatch.setattr(
        "bianmin.workdays.management.commands.calendar_status.today", lambda: D("2027-02-01")
    )
    out, err = run("calendar_status")
    assert "本年度（2027）节假日安排尚未录入" in err
    with pytest.raises(CommandError):
        run("calendar_status", "--strict")


def test_status_quiet_when_both_years_known(db, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(
        "bianmin.workdays.management.commands.calendar_status.today", lambda: D("2026-11-20")
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=None,
            year=2027,
            holidays=[(D("2027-01-01"), "元旦")],
            workdays=[],
            note="通知",
            confirmed=True,
        )
    out, err = run("calendar_status", "--strict")
    assert err == ""
    assert "2004–2027" not in out  # package and manual years are listed apart
    assert "2027: 通知" in out and "均已录入" in out


def test_console_script_spelling(db, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["bianmin", "calendar-status"])
    cli.main()
    assert "2004–2026" in capsys.readouterr().out
