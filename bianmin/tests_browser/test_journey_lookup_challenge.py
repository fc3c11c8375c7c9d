"""After strangers guessed phone tails for a case number from many addresses, its owner still
reads the case: the status page shows a picture challenge (drawn by this server, allowed by the
CSP), the owner asks for another picture, types what it shows with the right tail, and sees the
case. Nothing locks the owner out."""

import pytest
from captcha.models import CaptchaStore
from django.test import override_settings
from playwright.sync_api import expect

from bianmin.portal import services
from bianmin.portal.models import Application
from bianmin.portal.tests.conftest import build_portal_catalog
from bianmin.tests_browser.fixtures import DB_LOCK
from bianmin.tests_browser.journey_helpers import expect_image_shown

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _answer(page) -> str:
    key = page.locator("input[name=captcha_key]").get_attribute("value")
    with DB_LOCK:
        return CaptchaStore.objects.get(hashkey=key).response


@override_settings(BIANMIN_STATUS_MAX_FAILURES=5, BIANMIN_STATUS_WINDOW_SECONDS=600)
def test_the_owner_solves_the_picture_and_sees_the_case_after_an_attack(county, phone, client):
    data = build_portal_catalog(county)
    client.post(
        "/apply/ZR-001/",
        {
            "applicant_kind": "person",
            "applicant_name": "张建国",
            "id_number": "11010519491231002X",
            "phone": "13812345678",
            "region": "610702100201",
        },
    )
    app = services.application_notice(
        application=Application.objects.get(), actor=data.t1_staff.user
    )
    number = app.case.number
    url = f"/api/v1/public/cases/{number}"
    codes = {
        client.get(url, {"phone_tail": f"{1000 + i}"}, REMOTE_ADDR=f"203.0.113.{i}").status_code
        for i in range(1, 9)
    }
    assert codes == {404, 403}  # five wrong tails, then the guessers meet the picture

    page = phone
    page.goto("/status/")
    page.fill("#number", number)
    page.fill("#phone_tail", "5678")
    page.click("button:has-text('查询')")
    expect(page.get_by_role("alert")).to_contain_text("请先输入图片中的字符")
    expect_image_shown(page.locator("img.challenge-image"))  # served, not blocked
    first = page.locator("input[name=captcha_key]").get_attribute("value")
    page.click("button:has-text('看不清，换一张')")
    expect(page.locator("input[name=captcha_key]")).not_to_have_attribute("value", first)
    assert page.input_value("#phone_tail") == "5678"  # what was typed is kept
    page.fill("#captcha_value", _answer(page).upper())
    page.click("button:has-text('查询')")
    expect(page.locator("#case-state")).to_have_text("待补正")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
