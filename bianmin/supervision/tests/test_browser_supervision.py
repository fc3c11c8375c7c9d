"""In Chromium: the supervisor clicks the red count on the dashboard and gets exactly those
cases, then works the case in the supervision queue (notice to the head, close with result)."""

import datetime as dt
import re

import pytest

from bianmin.supervision.models import Notification, OversightAction, OversightRule
from bianmin.supervision.services import supervision_sweep
from bianmin.tests_browser.journey_helpers import log_in

from .conftest import proxy_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _holidays(transactional_db):
    from bianmin.workdays.services import calendar_seed_from_package

    calendar_seed_from_package()


def test_red_count_lists_its_cases_and_the_queue_is_worked(county, items, clock, page):
    case = proxy_case(county, items.five, on=dt.date(2025, 9, 26), clock=clock)
    OversightRule.objects.create(days_over=1, action=OversightAction.SUPERVISOR_QUEUE)
    supervision_sweep(today=dt.date(2025, 11, 3))
    clock.set(dt.date(2025, 11, 3))

    log_in(page, county.supervisor.user.username)
    page.goto("/supervision/")
    # The board says when its figures were computed (they may be a few minutes old, issue 17).
    assert re.search(r"数据更新于 \d\d:\d\d", page.locator("main").inner_text())
    red = page.locator("dl.facts span.red a")
    assert red.inner_text() == "1"
    with page.expect_navigation():
        red.click()
    assert "colour=red" in page.url
    assert page.locator("table.cases tbody tr td.num").all_inner_texts() == [case.number]
    assert "时限：超时" in page.locator(".linked-filter").inner_text()

    page.goto("/supervision/queue/")
    assert page.locator("tr.queue-entry").count() == 1
    page.locator("tr.queue-work summary").click()
    page.fill("textarea[name=text] >> nth=0", "请三日内说明超时原因")
    with page.expect_navigation():
        page.get_by_role("button", name="发送督办通知").click()
    assert "督办通知已发送" in page.locator("ul.messages").inner_text()
    assert Notification.objects.filter(
        recipient=county.t1_head.user, text__contains="请三日内说明超时原因"
    ).exists()
    page.locator("tr.queue-work summary").click()
    page.fill("textarea[name=text] >> nth=2", "已约谈，整改完毕")
    with page.expect_navigation():
        page.get_by_role("button", name="办结督办").click()
    assert "暂无督办事项" in page.locator("main").inner_text()
