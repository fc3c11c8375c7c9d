"""A member of staff's own account pages and the admin action log page (issue 15)."""

from django.test import Client
from django.urls import reverse

from bianmin.api.models import ApiToken
from bianmin.common.models import AdminAction, AdminActionKind
from bianmin.conftest import PASSWORD


def _signed_in(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def test_password_page_refuses_weak_passwords_then_changes_it_and_ends_tokens(
    client, county, token_for
):
    token = token_for("t01-staff")
    me = _signed_in(county.t1_staff)
    url = reverse("portal:password_change")
    page = me.get(url).content.decode()
    assert "至少 3 类" in page and 'autocomplete="current-password"' in page

    r = me.post(
        url,
        {"old_password": PASSWORD, "new_password1": "T01-staff!", "new_password2": "T01-staff!"},
    )
    assert r.status_code == 200 and "密码与用户名过于相似" in r.content.decode()
    county.t1_staff.user.refresh_from_db()
    assert county.t1_staff.user.check_password(PASSWORD)

    new = "Quiet-River-2026"
    r = me.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert r.status_code == 302
    county.t1_staff.user.refresh_from_db()
    assert county.t1_staff.user.check_password(new)
    assert client.get("/api/v1/cases", **token).status_code == 401
    # This session goes on; the change is in the admin action log.
    assert me.get(reverse("portal:tokens")).status_code == 200
    row = AdminAction.objects.get(action=AdminActionKind.PASSWORD)
    assert row.actor == county.t1_staff.user and row.object_id == str(county.t1_staff.user.pk)


def test_tokens_page_lists_and_revokes_the_owners_tokens_only(county, token_for):
    token_for("t01-staff")
    token_for("t02-staff")
    mine = ApiToken.objects.get(user=county.t1_staff.user)
    theirs = ApiToken.objects.get(user=county.t2_staff.user)
    me = _signed_in(county.t1_staff)
    page = me.get(reverse("portal:tokens")).content.decode()
    assert mine.prefix in page and theirs.prefix not in page and "有效" in page

    r = me.post(reverse("portal:token_revoke", args=[theirs.pk]))
    assert r.status_code == 404
    r = me.post(reverse("portal:token_revoke", args=[mine.pk]))
    assert r.status_code == 302
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert mine.revoked and not theirs.revoked
    token_for("t01-staff")
    me.post(reverse("portal:token_revoke_all"))
    assert not ApiToken.objects.filter(user=county.t1_staff.user, revoked=False).exists()
    assert "已撤销" in me.get(reverse("portal:tokens")).content.decode()


def test_admin_log_page_for_administrators_and_supervisors(county):
    url = reverse("portal:admin_log")
    page = _signed_in(county.supervisor).get(url).content.decode()
    # Building the county created its staff through the service: each is a row.
    assert AdminAction.objects.count() >= 13
    assert "汉王代办员" in page and "新增" in page and "工作人员" in page
    assert _signed_in(county.admin).get(url).status_code == 200
    assert _signed_in(county.a11).get(url).status_code == 403
    assert _signed_in(county.t1_staff).get(url).status_code == 403
