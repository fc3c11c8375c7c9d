"""In Chromium: a township window switches the pages to English with the header's language
button, and the work queues are named in English (the queue table is built at import; its names
were once frozen in Chinese there)."""

import pytest

from bianmin.tests_browser.journey_helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_queue_names_follow_the_language_switch(county, page):
    log_in(page, county.t1_staff.user.username)
    page.goto("/cases/queues/")
    assert "待受理" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("header button[name=language][value=en]").click()
    page.goto("/cases/queues/")
    text = page.locator("main").inner_text()
    assert "Awaiting acceptance" in text and "Overdue" in text
    assert "待受理" not in text and "已超期" not in text
