"""The citizen's loops that close through the pages, in Chromium: a complaint and a bad rating.

(a) A citizen files a complaint on the portal from a 390 px phone and keeps the receipt's number;
    the township head hears of it in the app, calls the complainant back (the phone is revealed
    through a logged view), decides it with a verified outcome and replies; the citizen follows
    the receipt's link to the public lookup and reads the decision, the outcome and the reply.
(b) An applicant gives a bad rating on the case's public status page; the head is told, the
    township calls back and fixes it through the rectification page; the applicant sees the
    rectification on the status page, follows its link to the follow-up rating (its number filled
    in) and rates again, which closes the rectification.

The database is read to check what the pages say, never written to move anything, except the
case itself, which reaches "concluded" through the real services before (b) starts.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from bianmin.portal.tests.conftest import axe_check  # noqa: F401  (the portal's axe-core fixture)
from bianmin.ratings.models import Rating, Rectification, RectState
from bianmin.supervision.models import Complaint, ComplaintContactView, ComplaintStatus
from bianmin.tests_browser.fixtures import DB_LOCK, PHONE
from bianmin.tests_browser.journey_helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _holidays(transactional_db):
    """The holiday calendar (a transactional test's flush empties the seeded one)."""
    from bianmin.workdays.services import calendar_seed_from_package

    calendar_seed_from_package()


def _fits(page) -> None:
    """No horizontal scrolling at the page's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _open_notification(page, text: str) -> None:
    page.goto("/supervision/notifications/")
    link = page.locator("main li a", has_text=text).first
    expect(link).to_be_visible()
    with page.expect_navigation():
        link.click()


def test_a_complaint_filed_decided_replied_and_read_back(
    county,
    page,
    new_page,
    screenshot,
    axe_check,  # noqa: F811 (the fixture imported above)
):
    citizen = new_page(**PHONE)
    citizen.goto("/")
    with citizen.expect_navigation():
        citizen.locator("main a", has_text="投诉与建议").click()
    citizen.check("input[name=kind][value=complaint]")
    citizen.select_option("#unit", label=county.tc1.name)
    citizen.fill("#content", "窗口人员上班时间玩手机，让我等了一个小时")
    citizen.fill("#name", "李四")
    citizen.fill("#phone", CITIZEN_PHONE)
    with citizen.expect_navigation():
        citizen.locator("main button[type=submit]").click()
    number = citizen.locator("#tracking").inner_text().strip()
    expect(citizen.locator("main")).to_contain_text("以便查询")
    _fits(citizen)
    axe_check(citizen)
    screenshot(citizen, "receipt")

    # The township head is told in the app and opens the complaint from the notification.
    log_in(page, "t01-head")
    _open_notification(page, number)
    assert page.url.endswith(f"/supervision/complaints/{number}/")
    expect(page.locator("#complaint-phone")).to_contain_text("139****5678")
    with page.expect_navigation():
        page.get_by_role("button", name="查看完整号码以回电").click()
    expect(page.locator("#complaint-phone a")).to_have_text(CITIZEN_PHONE)
    axe_check(page)
    with DB_LOCK:
        assert ComplaintContactView.objects.filter(complaint__number=number).count() == 1
    # Deciding: the outcome is asked for with the note.
    decide = page.locator("form[action$='/decide/']")
    decide.locator("input[name=outcome][value=upheld]").check()
    decide.locator("textarea[name=note]").fill("经查属实，已对当事窗口人员批评教育")
    with page.expect_navigation():
        decide.locator("button[type=submit]").click()
    expect(page.locator("#complaint-outcome")).to_have_text("属实")
    reply = page.locator("form[action$='/reply/']")
    expect(reply.locator("input[name=outcome]")).to_have_count(0)  # already decided
    reply.locator("textarea[name=reply]").fill("您反映的情况属实，已批评教育并调整窗口值守安排。")
    with page.expect_navigation():
        reply.locator("button[type=submit]").click()
    expect(page.locator("#complaint-status")).to_have_text("已答复")
    screenshot(page, "staff-replied")
    with DB_LOCK:
        c = Complaint.objects.get(number=number)
        assert (c.status, c.outcome) == (ComplaintStatus.REPLIED, "upheld")

    # The citizen comes back to the receipt's link and reads it all.
    with citizen.expect_navigation():
        citizen.locator("#lookup-link").click()
    expect(citizen.locator("#number")).to_have_value(number)
    citizen.fill("#phone_tail", CITIZEN_PHONE[-4:])
    with citizen.expect_navigation():
        citizen.locator("main button[type=submit]").click()
    expect(citizen.locator("#complaint-status")).to_have_text("已答复")
    expect(citizen.locator("#complaint-decision")).to_contain_text("作出处理")
    expect(citizen.locator("#complaint-outcome")).to_have_text("属实")
    expect(citizen.locator("#complaint-reply")).to_contain_text("已批评教育并调整窗口值守安排")
    _fits(citizen)
    axe_check(citizen)
    screenshot(citizen, "lookup")


def test_a_bad_rating_rectified_and_followed_up_from_the_status_page(
    county,
    page,
    new_page,
    screenshot,
    axe_check,  # noqa: F811 (the fixture imported above)
):
    from bianmin.ratings.tests.helpers import PHONE as CASE_PHONE
    from bianmin.ratings.tests.helpers import concluded_case

    case = concluded_case(county, day=dt.date.today() - dt.timedelta(days=1))
    tail = CASE_PHONE[-4:]

    # The applicant looks the case up and rates it 非常不满意.
    applicant = new_page(**PHONE)
    applicant.goto("/status/")
    applicant.fill("#number", case.number)
    applicant.fill("#phone_tail", tail)
    with applicant.expect_navigation():
        applicant.locator("main button[type=submit]").click()
    rate = applicant.locator("#rate form")
    rate.locator("input[name=level][value='1']").check()
    rate.locator("textarea[name=comment]").fill("材料退回了三次")
    with applicant.expect_navigation():
        rate.locator("button[type=submit]").click()
    with DB_LOCK:
        rect = Rectification.objects.get(case=case)
    number = rect.number
    expect(applicant.locator(".rect-number")).to_have_text(number)
    expect(applicant.locator(".follow-up-link")).to_have_count(0)

    # The head is told and opens the rectification; the township calls back and fixes it.
    log_in(page, "t01-head")
    _open_notification(page, case.number)
    assert page.url.endswith(f"/ratings/{rect.pk}/")
    call_back = page.locator("form", has=page.locator("input[name=action][value=call_back]"))
    call_back.locator("textarea[name=findings]").fill("已电话联系申请人，材料清单告知不清属实")
    with page.expect_navigation():
        call_back.locator("button[type=submit]").click()
    fix = page.locator("form", has=page.locator("input[name=action][value=fix_now]"))
    fix.locator("textarea[name=measures]").fill("已重印材料清单并对窗口人员培训")
    with page.expect_navigation():
        fix.locator("button[type=submit]").click()
    expect(page.locator("#rect-state")).to_contain_text("已整改")
    screenshot(page, "rectified")

    # The applicant sees the rectification on the status page and follows it up from there.
    applicant.goto(f"/status/{case.number}/")
    section = applicant.locator("section", has=applicant.locator(".rect-number"))
    expect(section.locator(".rect-outcome")).to_have_text("立即整改")
    expect(section.locator(".rect-measures")).to_contain_text("已重印材料清单")
    _fits(applicant)
    axe_check(applicant)
    screenshot(applicant, "status-rectified")
    with applicant.expect_navigation():
        section.locator(".follow-up-link").click()
    expect(applicant.locator("#fu-rect-number")).to_have_text(number)
    expect(applicant.locator("#fu-number")).to_have_value(number)
    axe_check(applicant)
    applicant.fill("#fu-phone", tail)
    applicant.select_option("#fu-level", "4")
    applicant.fill("#fu-comment", "整改及时")
    with applicant.expect_navigation():
        applicant.locator("main button[type=submit]").click()
    expect(applicant.locator("#fu-done")).to_contain_text("感谢您的追评")
    _fits(applicant)
    with DB_LOCK:
        rect.refresh_from_db()
        assert rect.state == RectState.CLOSED
        assert Rating.objects.get(follows=rect.rating).level == 4
    applicant.goto(f"/status/{case.number}/")
    expect(applicant.locator(".follow-up-link")).to_have_count(0)
