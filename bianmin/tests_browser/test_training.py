"""Training through the pages, in Chromium (RULES.md "Training (汉台 2023)").

The head of 区民政局, a department that delegates an item to the townships, records a session it
held for township and village staff at 1280 px: a mistyped form comes back with what was typed and
ticked, the corrected one records the session with its attendees. The shortfall page, which listed
区民政局 at 0 of its 4 sessions, now lists it at 1 of 4 with who attended. The village agent who
attended finds the session among theirs on a 390 px phone.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bianmin.staffing.models import TrainingSession
from bianmin.tests_browser.fixtures import DB_LOCK
from bianmin.tests_browser.journey_helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOPIC = "最低生活保障审核确认业务培训"


def delegated_item(c):
    """区民政局 decides an item the township accepts (受理关口前移): it delegates items."""
    from bianmin.catalog.models import PowerSource
    from bianmin.tests_factories import ItemFactory

    return ItemFactory(
        county=c,
        local_code="MZ-TR-01",
        name="城乡居民最低生活保障审批",
        power_source=PowerSource.DELEGATED,
        promised_limit=10,
        statutory_limit=20,
        plain=True,
    )


def fits(page, width: int) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{page.url} is {scroll} px wide on a {width} px screen"


def duty_of(page, unit: str):
    return page.locator("article.training-duty", has=page.locator("h2", has_text=unit))


def test_a_department_records_a_session_and_its_shortfall_changes(county, page, phone, screenshot):
    c = county
    delegated_item(c)
    today = timezone.localdate().isoformat()

    log_in(page, "d-mz-head")
    page.goto("/staff/")
    page.get_by_role("link", name="培训", exact=True).first.click()
    page.get_by_role("link", name="组织单位培训任务完成情况").click()
    civil = duty_of(page, "区民政局")
    expect(civil.locator(".held")).to_have_text("0 / 4")
    expect(civil).to_contain_text("本年度尚未举办培训")
    expect(duty_of(page, "汉台区政务服务中心").locator(".held")).to_have_text("0 / 2")
    fits(page, 1280)

    page.get_by_role("link", name="全部培训").click()
    form = page.locator("#training-form")
    expect(form.locator("#t-organiser")).to_have_text("区民政局")
    form.locator("#t-topic").fill(TOPIC)
    form.locator("#t-date").fill(today)
    form.locator("#t-hours").fill("三小时")  # not a number
    form.locator("#t-audience").select_option(label="乡镇(街道)和村(社区)工作人员")
    form.locator("summary", has_text="武乡镇便民服务中心").click()
    form.get_by_label("汉王代办员 · 汉王村便民服务站").check()
    form.get_by_label("武乡窗口 · 武乡镇便民服务中心").check()
    form.get_by_role("button", name="登记培训").click()

    expect(page.locator(".messages")).to_contain_text("学时应为数字")
    form = page.locator("#training-form")
    expect(form.locator("#t-topic")).to_have_value(TOPIC)
    expect(form.get_by_label("汉王代办员 · 汉王村便民服务站")).to_be_checked()
    expect(form.get_by_label("武乡窗口 · 武乡镇便民服务中心")).to_be_checked()
    expect(form.get_by_label("谢村代办员 · 谢村便民服务站")).not_to_be_checked()
    with DB_LOCK:
        assert not TrainingSession.objects.exists()
    form.locator("#t-hours").fill("3")
    form.get_by_role("button", name="登记培训").click()

    expect(page.locator(".messages")).to_contain_text("培训已登记，参训 2 人")
    attendees = page.locator("#training-attendees tbody")
    expect(attendees).to_contain_text("汉王代办员")
    expect(attendees).to_contain_text("汉王村便民服务站")
    expect(attendees).to_contain_text("武乡窗口")
    screenshot(page, "session")

    page.get_by_role("link", name="培训任务完成情况").first.click()
    civil = duty_of(page, "区民政局")
    expect(civil.locator(".held")).to_have_text("1 / 4")
    civil.locator("summary", has_text=TOPIC).click()
    expect(civil).to_contain_text("汉王代办员 · 汉王村便民服务站")
    expect(civil).to_contain_text("武乡窗口 · 武乡镇便民服务中心")
    screenshot(page, "shortfall")
    with DB_LOCK:
        s = TrainingSession.objects.get()
        assert (s.organiser, s.topic, str(s.hours)) == (c.dept_civil, TOPIC, "3.0")
        assert {r.staff.full_name for r in s.rows.all()} == {"汉王代办员", "武乡窗口"}

    # The agent who attended sees it on the phone; the page fits 390 px.
    log_in(phone, "v0101-agent")
    phone.goto("/staff/")
    phone.get_by_role("link", name="培训", exact=True).first.click()
    phone.get_by_role("link", name="我参加的培训").first.click()
    expect(phone.locator("h1")).to_contain_text("我参加的培训")
    expect(phone.locator("#training-record")).to_contain_text(TOPIC)
    expect(phone.locator("#training-form")).to_have_count(0)  # agents record nothing
    fits(phone, 390)
    phone.get_by_role("link", name=TOPIC).click()
    expect(phone.locator("#training-attendees")).to_contain_text("汉王代办员")
    fits(phone, 390)
    phone.goto("/staffing/training/shortfall/")
    expect(duty_of(phone, "区民政局").locator(".held")).to_have_text("1 / 4")
    fits(phone, 390)
    screenshot(phone, "mine")
