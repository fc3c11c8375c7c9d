"""Login lockout on the page form (the API token endpoint has its own test in orgs/tests/test_api.py)."""

import pytest
from django.conf import settings

from bianmin.conftest import PASSWORD


@pytest.mark.django_db
def test_login_page_locks_the_username_after_repeated_failures(client, county):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        r = client.post("/accounts/login/", {"username": "t01-staff", "password": "wrong-guess"})
        assert "_auth_user_id" not in client.session
        # The form answers again until the limit; the failure that reaches it locks.
        assert r.status_code == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)
    # The right password no longer helps until the cool-off has passed.
    r = client.post("/accounts/login/", {"username": "t01-staff", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert r.status_code == 429
    # Another user from the same address is not locked out by it.
    client.post("/accounts/login/", {"username": "t02-staff", "password": PASSWORD})
    assert client.session.get("_auth_user_id") == str(county.t2_staff.user.pk)


@pytest.mark.django_db
def test_one_address_is_limited_across_usernames(client, county, settings):
    """Password spraying: one password tried on many accounts from one address, on the login page
    and the token endpoint alike, locks the address (here after 8; 30 by default) although no
    single username reached its own limit; another address is not affected."""
    settings.BIANMIN_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    spray = {"REMOTE_ADDR": "10.0.0.7"}
    users = ["admin", "supervisor", "c-window", "d-mz", "d-zr", "d-rs", "t01-head", "t02-staff"]
    for n, username in enumerate(users, start=1):
        if n % 2:
            r = client.post("/accounts/login/", {"username": username, "password": "Spring2026!"}, **spray)  # fmt: skip
        else:
            r = client.post("/api/v1/auth/token", {"username": username, "password": "Spring2026!"}, content_type="application/json", **spray)  # fmt: skip
        expected = 429 if n == len(users) else 200 if n % 2 else 401
        assert r.status_code == expected, (n, r.status_code)
    # The right password of an untried account from that address waits for the cool-off too.
    r = client.post("/accounts/login/", {"username": "v0101-agent", "password": PASSWORD}, **spray)
    assert r.status_code == 429 and "_auth_user_id" not in client.session
    r = client.post(
        "/accounts/login/",
        {"username": "v0101-agent", "password": PASSWORD},
        REMOTE_ADDR="10.0.0.8",
    )
    assert client.session.get("_auth_user_id") == str(county.a11.user.pk)
