"""Two-factor login on a phone: a supervisor who must enrol is sent to enrolment after the
password, turns it on with a first code, keeps the recovery codes, and next time signs in with
a code from the app (the test computes it from the device's key, as the app would)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.conftest import PASSWORD
from bianmin.portal.tests.test_twofactor import code_for

from .fixtures import DB_LOCK


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_supervisor_enrols_then_signs_in_with_a_code(county, phone, settings):
    settings.BIANMIN_REQUIRE_2FA = True
    sign_in(phone, "supervisor")
    assert "/accounts/two-factor/?next=" in phone.url
    phone.goto("/cases/")  # nothing else opens until enrolled
    assert "/accounts/two-factor/" in phone.url
    assert phone.locator(".qr svg").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    with DB_LOCK:
        device = TOTPDevice.objects.get(user=county.supervisor.user, confirmed=False)
    phone.fill("#id_code", code_for(device))
    with phone.expect_navigation():
        phone.get_by_role("button", name="确认开启").click()
    assert phone.locator("ol.codes li").count() == 10
    with phone.expect_navigation():
        phone.get_by_role("link", name="我已保存，继续").click()
    assert phone.url.endswith("/cases/")

    phone.locator("header form[action$='/logout/'] button").click()
    phone.wait_for_url("**/accounts/login/")
    sign_in(phone, "supervisor")
    assert "/accounts/login/code/" in phone.url
    phone.fill("#id_code", code_for(device, 1))
    with phone.expect_navigation():
        phone.get_by_role("button", name="验证").click()
    assert phone.url.endswith("/supervision/")
