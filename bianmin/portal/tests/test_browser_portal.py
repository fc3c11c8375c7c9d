"""The public portal in a real Chromium at phone width (360 px), with axe-core on every page."""

import pytest

from bianmin.cases.services import case_transition
from bianmin.conftest import PASSWORD
from bianmin.portal.models import Application

from .conftest import PDF, build_portal_catalog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(county):
    return build_portal_catalog(county)


def pdf_file(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def staff_login(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")


def fits_phone(page):
    """Nothing forces a sideways scroll at 360 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 362, f"{page.url} is {width}px wide"


def test_find_read_apply_notice_supplement_track_rate(
    data, phone, desk, axe_check, shot, live_server
):
    page = phone
    outside = []
    page.on(
        "request",
        lambda req: (
            None
            if req.url.startswith(live_server.url) or req.url.startswith("data:")
            else outside.append(req.url)
        ),
    )
    # Find the item by a Chinese keyword, keyboard only.
    page.goto("/")
    axe_check(page)
    fits_phone(page)
    shot(page, "phone-home")
    page.focus("#home-q")
    page.keyboard.type("宅基地")
    page.keyboard.press("Enter")
    page.wait_for_url("**/guides/?q=*")
    assert "找到 1 个事项" in page.inner_text("main")
    axe_check(page)
    page.click("a.title:has-text('农村宅基地审批')")
    page.wait_for_url("**/guides/ZR-001/")
    main = page.inner_text("main")
    for text in ["受理条件", "申请材料", "到哪里办", "法定办结时限", "免费", "投诉电话"]:
        assert text in main
    axe_check(page)
    fits_phone(page)
    shot(page, "phone-guide")
    assert outside == [], outside  # the guide renders from our server alone

    # Apply online with an upload (only the form; the ID card is missing).
    page.click("text=网上申报 >> nth=-1")
    page.wait_for_url("**/apply/ZR-001/")
    axe_check(page)
    page.fill("#applicant_name", "张建国")
    page.fill("#id_number", "11010519491231002X")
    page.fill("#phone", "13812345678")
    page.select_option("#region", "610702100201")
    page.fill("#subject", "新建住房")
    page.wait_for_selector("#autosave .saved")  # htmx autosave answered
    form, idcard = data.homestead.materials.order_by("position")
    page.set_input_files(f"#material_{form.pk}", files=[pdf_file("申请表.pdf")])
    shot(page, "phone-apply")
    page.click("button:has-text('提交申报')")
    page.wait_for_url("**/applications/*/")
    axe_check(page)
    app = Application.objects.get()
    assert app.files.count() == 1

    # Staff pre-review issues the one-time notice.
    staff_login(desk, "t01-staff")
    desk.goto(f"/staff/prereview/{app.code}/")
    desk.click("button:has-text('出具一次性告知书')")
    assert "待补正" in desk.inner_text("#app-status")

    # The applicant sees the notice and supplies the missing material.
    page.reload()
    page.click("#case-number")
    page.fill("#phone_tail", "5678")
    page.click("button:has-text('查询')")
    page.wait_for_selector("#notice")
    assert "申请人身份证" in page.inner_text("#notice")
    axe_check(page)
    shot(page, "phone-status-notice")
    page.set_input_files(f"#sup_{idcard.pk}", files=[pdf_file("身份证.pdf")])
    page.click("button:has-text('上传补正材料')")
    page.wait_for_selector("text=补正材料已上传")

    desk.reload()
    desk.click("button:has-text('确认补正')")
    app.refresh_from_db()
    case = app.case
    assert case.state == "accepted"
    actor = data.t1_staff.user
    case = case_transition(case=case, action="review", actor=actor)
    case = case_transition(case=case, action="decide", actor=actor, approved=True)
    case_transition(case=case, action="conclude", actor=actor)

    # Track by number and phone digits from a fresh visit, then rate.
    page.context.clear_cookies()
    page.goto("/status/")
    axe_check(page)
    page.fill("#number", case.number)
    page.fill("#phone_tail", "5678")
    page.click("button:has-text('查询')")
    page.wait_for_selector("#case-state")
    assert page.inner_text("#case-state") == "已办结"
    assert "补正材料已收到" in page.inner_text("main")
    page.check("input[name=level][value='5']")
    page.fill("#comment", "不用跑腿，很方便")
    page.click("button:has-text('提交评价')")
    page.wait_for_selector("text=感谢您的评价")
    assert page.inner_text("#my-rating") == "非常满意"
    axe_check(page)
    fits_phone(page)
    shot(page, "phone-status-rated")


def test_book_and_cancel_an_appointment(data, phone, axe_check, shot):
    page = phone
    page.goto("/appointments/?item=ZR-001")
    axe_check(page)
    fits_phone(page)
    page.select_option("#unit", "S11")
    page.check("input[name=half][value=pm]")
    page.fill("#name", "李四")
    page.fill("#phone", "13911112222")
    page.click("button:has-text('提交预约')")
    page.wait_for_selector("#appt-code")
    assert "预约成功" in page.inner_text("main")
    assert page.inner_text("#appt-status") == "已预约"
    axe_check(page)
    shot(page, "phone-appointment")
    page.fill("#phone_tail", "2222")
    page.click("button:has-text('取消预约')")
    page.wait_for_selector("text=预约已取消")
    assert page.inner_text("#appt-status") == "已取消"


def test_public_pages_pass_axe_on_phone_and_desktop(data, phone, desk, axe_check, shot):
    pages = [
        ("home", "/"),
        ("guides", "/guides/?life_event=farming"),
        ("guide-county", "/guides/LY-001/"),
        ("checklist", "/guides/ZR-001/checklist/"),
        ("disclosure", "/disclosure/"),
        ("board-station", "/disclosure/S11/"),
        ("board-township", "/disclosure/T1/"),
        ("cards", "/cards/"),
        ("card", f"/cards/{data.v11.code}/"),
        ("home-visit", "/home-visit/?item=ZR-001"),
        ("complaint", "/complaints/"),
        ("complaint-lookup", "/complaints/lookup/"),
        ("status-lookup", "/status/"),
        ("follow-up", "/ratings/follow-up/?number=ZG-1"),
    ]
    for name, url in pages:
        for label, page in (("phone", phone), ("desktop", desk)):
            page.goto(url)
            axe_check(page)
            if label == "phone":
                fits_phone(page)
            if name in ("home", "guides", "disclosure", "board-station", "card"):
                shot(page, f"{label}-{name}")
