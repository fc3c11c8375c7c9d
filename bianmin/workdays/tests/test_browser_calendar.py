"""In Chromium: an administrator enters next year's schedule; a doubtful one asks for a second
step, and the save queues the deadline recompute instead of running it in the request."""

import pytest

from bianmin.tests_browser.fixtures import DB_LOCK
from bianmin.workdays.models import CalendarYear


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_administrator_confirms_a_doubtful_year(county, page, login, screenshot):
    from django_tasks_db.models import DBTaskResult

    login("admin")
    page.goto("/admin/workdays/calendaryear/enter/")
    assert page.locator("input[name=confirm][type=checkbox]").count() == 0
    page.fill("#id_year", "2027")
    page.fill("#id_holidays", "2027-01-01~2027-01-03 元旦")  # what issue 14 saw accepted
    page.fill("#id_workdays", "")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    main = page.locator("#content-main").inner_text()
    assert "未保存任何内容" in main and "周一至周五共 1 天" in main and "没有填写调休上班日" in main
    assert page.input_value("#id_holidays") == "2027-01-01~2027-01-03 元旦"  # kept as typed
    with DB_LOCK:
        assert not CalendarYear.objects.filter(year=2027).exists()
    screenshot(page, "calendar-confirm")
    page.check("input[name=confirm]")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith("/admin/workdays/calendaryear/")
    assert "暂定期限已安排在后台重新计算" in page.locator("body").inner_text()
    with DB_LOCK:
        assert CalendarYear.objects.filter(year=2027, source="manual").exists()
        queued = DBTaskResult.objects.get()
        assert queued.task_path == "bianmin.cases.tasks.deadlines_recompute_task"
