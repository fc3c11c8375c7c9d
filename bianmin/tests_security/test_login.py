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
