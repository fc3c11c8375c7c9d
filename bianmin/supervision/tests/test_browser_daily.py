"""In Chromium: after the daily jobs ran once with the demo's escalation rules, the supervisor's
first page shows warnings and overdue cases, the 督办 queue holds the long-overdue case, and the
notifications say so (issue 14: a fresh demo showed an empty supervision)."""

import datetime as dt

import pytest
from django.core.management import call_command

from bianmin.demo.builder import build_oversight_rules
from bianmin.tests_browser.fixtures import DB_LOCK
from bianmin.workdays import calendar

from .conftest import accepted_case

TODAY = dt.date(2025, 11, 20)  # a Thursday


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supervisor_sees_the_first_daily_run(county, items, clock, page, login, capsys):
    from bianmin.workdays.services import calendar_seed_from_package

    calendar_seed_from_package()  # a transactional test's flush emptied the seeded calendar
    build_oversight_rules()
    late = accepted_case(county, items.five, on=dt.date(2025, 10, 20), clock=clock)
    on = TODAY  # the 10-day item accepted so that one working day is left today: yellow
    while calendar.add_workdays(on, 9).date != TODAY:
        on -= dt.timedelta(days=1)
    near = accepted_case(county, items.ten, on=on, clock=clock)
    clock.set(TODAY)
    call_command("daily_jobs")
    assert '"alerts": ' in capsys.readouterr().out

    login("supervisor")
    page.goto("/supervision/")
    main = page.locator("main").inner_text()
    assert "在办\n2：正常 0 · 预警 1 · 超时 1" in main
    page.goto("/supervision/queue/")
    assert late.number in page.locator("main").inner_text()
    assert near.number not in page.locator("main").inner_text()
    page.goto("/supervision/notifications/")
    assert f"办件 {late.number}" in page.locator("main").inner_text()
    with DB_LOCK:
        from bianmin.supervision.models import OversightOrder

        assert {e.action for e in OversightOrder.objects.all()} == {
            "notify_higher",
            "supervisor_queue",
        }
