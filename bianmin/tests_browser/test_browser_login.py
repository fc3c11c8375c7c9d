import pytest


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_logs_in_and_sees_their_unit(county, page, login, screenshot):
    page.goto("/staff/")
    assert page.url.endswith("/accounts/login/?next=/staff/")
    assert page.locator("h1").inner_text() == "工作人员登录"
    login("v0101-agent")
    assert page.url.endswith("/staff/")
    body = page.locator("main").inner_text()
    assert "汉王村便民服务站" in body
    assert "汉王代办员" in body
    assert screenshot(page, "staff-home").stat().st_size > 1000


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_wrong_password_stays_on_login_with_error(county, page, login):
    login("v0101-agent", "not-the-password")
    assert "/accounts/login/" in page.url
    assert page.locator("[role=alert]").count() == 1
