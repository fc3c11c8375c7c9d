def test_login_page_is_chinese_and_has_csrf(client, db):
    r = client.get("/accounts/login/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "工作人员登录" in body and "csrfmiddlewaretoken" in body


def test_staff_home_shows_unit_and_scope(client, county):
    client.force_login(county.a11.user)
    body = client.get("/staff/").content.decode()
    assert "汉王村便民服务站" in body
    assert "本村(社区)" in body
    assert "谢村便民服务站" not in body  # another village's station is not listed


def test_township_home_lists_its_villages(client, county):
    client.force_login(county.t1_staff.user)
    body = client.get("/staff/").content.decode()
    assert "武乡镇便民服务中心" in body and "谢村便民服务站" in body
    assert "花园村便民服务站" not in body


def test_staff_home_needs_login(client, db):
    r = client.get("/staff/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def test_english_locale(client, county):
    client.force_login(county.a11.user)
    r = client.get("/staff/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert 'lang="en"' in r.content.decode()


def test_admin_is_chinese_and_closed_to_agents(client, county):
    client.force_login(county.admin.user)
    r = client.get("/admin/")
    assert r.status_code == 200 and "管理后台" in r.content.decode()
    client.logout()
    client.force_login(county.a11.user)
    r = client.get("/admin/")
    assert r.status_code == 302  # not staff: sent to the admin login


def test_security_headers(client, db):
    r = client.get("/accounts/login/")
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"


def test_login_form_logs_in_and_keeps_username_on_error(client, county):
    r = client.post("/accounts/login/", {"username": "t01-staff", "password": "wrong"})
    assert r.status_code == 200
    assert 'value="t01-staff"' in r.content.decode()
    r = client.post("/accounts/login/", {"username": "t01-staff", "password": "test-pass-123"})
    assert r.status_code == 302 and r["Location"] == "/staff/"


def test_menu_follows_roles_and_every_link_opens(client, county):
    client.force_login(county.a11.user)
    body = client.get("/staff/").content.decode()
    assert "/staff/prereview/" in body and f"/affairs/{county.v11.code}/mediation/" in body
    # 三资 is kept by the township (affairs.access.require_trustee): no link the agent cannot follow.
    assert f"/affairs/{county.v11.code}/custody/" not in body
    client.force_login(county.supervisor.user)
    body = client.get("/staff/").content.decode()
    assert "/supervision/alerts/" in body and "/staffing/assessment/" in body
    import re

    for href in sorted(
        set(re.findall(r'href="(/(?:cases|supervision|ratings|reports|staffing)/[^"?]*)"', body))
    ):
        assert client.get(href).status_code == 200, href
