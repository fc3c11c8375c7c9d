"""A village agent, on a 390 px phone, revokes an API token and changes their password (issue 15)."""

import pytest
from django.test import Client

from bianmin.api.models import ApiToken
from bianmin.conftest import PASSWORD

from .fixtures import DB_LOCK
from .journey_helpers import log_in

NEW_PASSWORD = "Quiet-River-2026"


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agent_revokes_a_token_and_changes_password_on_a_phone(county, phone, screenshot):
    api = Client()
    for _ in range(2):
        api.post("/api/v1/auth/token", {"username": "v0101-agent", "password": PASSWORD}, content_type="application/json")  # fmt: skip
    first, second = ApiToken.objects.filter(user=county.a11.user).order_by("pk")

    log_in(phone, "v0101-agent")
    phone.get_by_role("link", name="账号安全").click()
    phone.get_by_role("link", name="我的令牌").click()
    assert first.prefix in phone.locator("main").inner_text()
    assert _fits(phone)
    with phone.expect_navigation():
        phone.get_by_role("button", name=f"撤销 {first.prefix}…").click()
    assert f"令牌 {first.prefix}… 已撤销" in phone.locator(".messages").inner_text()
    with DB_LOCK:
        first.refresh_from_db()
        second.refresh_from_db()
        assert first.revoked and not second.revoked

    phone.get_by_role("link", name="修改密码").click()
    phone.fill("#id_old_password", PASSWORD)
    phone.fill("#id_new_password1", "v0101-agent-2026")
    phone.fill("#id_new_password2", "v0101-agent-2026")
    with phone.expect_navigation():
        phone.get_by_role("button", name="修改密码").click()
    assert "密码与用户名过于相似" in phone.locator("main").inner_text()
    assert _fits(phone)
    phone.fill("#id_old_password", PASSWORD)
    phone.fill("#id_new_password1", NEW_PASSWORD)
    phone.fill("#id_new_password2", NEW_PASSWORD)
    with phone.expect_navigation():
        phone.get_by_role("button", name="修改密码").click()
    assert "密码已修改" in phone.locator(".messages").inner_text()
    screenshot(phone, "password-changed")
    with DB_LOCK:
        county.a11.user.refresh_from_db()
        assert county.a11.user.check_password(NEW_PASSWORD)
        second.refresh_from_db()
        assert second.state == "password_changed"
