"""Two-factor login: enrolment, the login's second step, recovery codes, the requirement for
administrators and supervisors (BIANMIN_REQUIRE_2FA) and the token endpoint's `otp` field."""

import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.api.models import ApiToken
from bianmin.conftest import PASSWORD
from bianmin.orgs import twofactor

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, ahead: int = 0) -> str:
    """The app's code, `ahead` periods on: a code is accepted once, and the server takes the
    next period's too (tolerance 1), so a second login within 30 s uses `ahead=1`."""
    otp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    otp.time = time.time() + ahead * device.step
    return f"{otp.token():06d}"


def signed_in(username: str) -> Client:
    client = Client()
    r = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content
    return client


def unthrottle(user) -> None:
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=None)


def test_enrol_with_a_code_then_login_needs_it(county):
    user = county.t1_staff.user
    client = signed_in("t01-staff")
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = twofactor.totp_secret(device)
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page.content.decode()

    wrong = client.post("/accounts/two-factor/", {"action": "confirm", "code": "000000"})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not twofactor.twofactor_enabled(user)

    unthrottle(user)
    r = client.post("/accounts/two-factor/", {"action": "confirm", "code": code_for(device)})
    assert r["Location"] == "/accounts/two-factor/codes/"
    codes = re.findall(r"<li><code>(\w+)</code></li>", client.get(r["Location"]).content.decode())
    assert len(codes) == 10
    assert client.get("/accounts/two-factor/codes/").status_code == 302  # shown once
    assert client.get("/staff/").status_code == 200  # this session is verified

    again = signed_in("t01-staff")
    r = again.get("/staff/")
    assert r["Location"] == "/accounts/login/code/?next=%2Fstaff%2F"
    assert again.get("/api/v1/cases/queues").status_code == 401
    wrong = again.post("/accounts/login/code/", {"code": "123456", "next": "/staff/"})
    assert wrong.status_code == 400
    throttled = again.post("/accounts/login/code/", {"code": code_for(device, 1)})
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) >= 1
    unthrottle(user)
    r = again.post("/accounts/login/code/", {"code": code_for(device, 1), "next": "/staff/"})
    assert r["Location"] == "/staff/"
    assert again.get("/staff/").status_code == 200


def test_a_recovery_code_works_once(county):
    user = county.t1_staff.user
    code = twofactor.demo_enrolment(user=user).recovery_codes[0]
    client = signed_in("t01-staff")
    r = client.post("/accounts/login/code/", {"code": code.upper()})
    assert r.status_code == 302 and client.get("/staff/").status_code == 200
    assert twofactor.recovery_codes_left(user) == 9
    client = signed_in("t01-staff")
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 400
    assert client.get("/staff/").status_code == 302


def test_turning_it_off_needs_the_password(county):
    user = county.t1_staff.user
    twofactor.demo_enrolment(user=user)
    client = Client()
    client.force_login(user)
    r = client.post("/accounts/login/code/", {"code": code_for(twofactor.totp_device(user), 1)})
    assert r.status_code == 302
    refused = client.post("/accounts/two-factor/", {"action": "disable", "password": "nope"})
    assert refused.status_code == 400 and twofactor.twofactor_enabled(user)
    client.post("/accounts/two-factor/", {"action": "disable", "password": PASSWORD})
    assert not twofactor.twofactor_enabled(user)


def test_required_for_administrators_and_supervisors_when_the_setting_is_on(county, settings):
    settings.BIANMIN_REQUIRE_2FA = True
    for username in ("supervisor", "admin"):
        client = signed_in(username)
        assert client.get("/cases/")["Location"] == "/accounts/two-factor/?next=%2Fcases%2F"
        assert client.get("/admin/")["Location"].startswith("/accounts/two-factor/")
        assert client.get("/api/v1/cases/queues").status_code == 401
        assert client.get("/accounts/two-factor/").status_code == 200
    assert signed_in("v0101-agent").get("/cases/").status_code == 200

    settings.BIANMIN_REQUIRE_2FA = False
    assert signed_in("supervisor").get("/cases/").status_code == 200


def test_token_endpoint_needs_otp(county, client, settings):
    def token(username, **extra):
        return client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD, **extra},
            content_type="application/json",
        )

    settings.BIANMIN_REQUIRE_2FA = True
    r = token("supervisor")
    assert r.status_code == 403 and r.json()["code"] == "twofactor_enrolment_required"
    assert token("v0101-agent").status_code == 200

    user = county.t1_staff.user
    twofactor.demo_enrolment(user=user)
    device = twofactor.totp_device(user)
    assert token("t01-staff").json()["code"] == "otp_required"
    r = token("t01-staff", otp="000000")
    assert r.status_code == 401 and r.json()["code"] == "otp_invalid"
    assert token("t01-staff", otp=code_for(device)).status_code == 429
    unthrottle(user)
    assert not ApiToken.objects.filter(user__in=[user, county.supervisor.user]).exists()
    r = token("t01-staff", otp=code_for(device, 1))
    assert r.status_code == 200
    headers = {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}
    assert client.get("/api/v1/cases/queues", **headers).status_code == 200


def test_demo_accounts_enrol(county, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_accounts", enrol_2fa=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    rows = (tmp_path / "demo-2fa.txt").read_text().splitlines()[1:]
    supervisor = next(r.split("\t") for r in rows if r.startswith("supervisor\t"))
    device = twofactor.totp_device(county.supervisor.user)
    assert supervisor[1] == twofactor.totp_secret(device)
    assert len(supervisor[2].split()) == 10
