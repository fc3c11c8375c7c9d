"""API tokens end with the password, and their owner lists and revokes them (issue 15)."""

from io import StringIO
from unittest import mock

from django.core.management import call_command

from bianmin.api.models import ApiToken


def test_token_stops_working_after_any_password_change(client, county, token_for):
    user = county.t1_staff.user
    by_save = token_for("t01-staff")
    assert client.get("/api/v1/cases", **by_save).status_code == 200
    user.set_password("Another-pass-456")
    user.save()
    assert client.get("/api/v1/cases", **by_save).status_code == 401

    # Django's own command, which knows nothing of our tokens.
    user.set_password("test-pass-123")
    user.save()
    by_command = token_for("t01-staff")
    with mock.patch("getpass.getpass", return_value="Yet-another-789"):
        call_command("changepassword", "t01-staff", stdout=StringIO())
    assert client.get("/api/v1/cases", **by_command).status_code == 401
    states = {t.state for t in ApiToken.objects.filter(user=user)}
    assert states == {"password_changed"}


def test_owner_lists_and_revokes_only_their_own_tokens(client, county, token_for):
    mine = token_for("t01-staff")
    token_for("t01-staff")
    theirs = token_for("t02-staff")
    listed = client.get("/api/v1/auth/tokens", **mine).json()
    own_ids = set(ApiToken.objects.filter(user=county.t1_staff.user).values_list("pk", flat=True))
    assert {t["id"] for t in listed} == own_ids and len(own_ids) == 2
    assert {t["state"] for t in listed} == {"active"}

    other = ApiToken.objects.get(user=county.t2_staff.user)
    r = client.delete(f"/api/v1/auth/tokens/{other.pk}", **mine)
    assert r.status_code == 404
    other.refresh_from_db()
    assert not other.revoked
    assert client.get("/api/v1/cases", **theirs).status_code == 200

    spare = max(own_ids)  # not the one this client calls with
    r = client.delete(f"/api/v1/auth/tokens/{spare}", **mine)
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    r = client.delete("/api/v1/auth/tokens", **mine)
    assert r.json() == {"revoked": 1}
    # The token used for the call was among them.
    assert client.get("/api/v1/auth/tokens", **mine).status_code == 401
    assert client.get("/api/v1/cases", **theirs).status_code == 200
