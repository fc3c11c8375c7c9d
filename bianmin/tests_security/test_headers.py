"""Security headers on pages and API answers: CSP, frame denial, no-sniff, referrer, HSTS behind TLS."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

from . import csp

SAME_ORIGIN_ONLY = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}


def _assert_common(r):
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    assert r["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = csp.directives(r["Content-Security-Policy"])
    for directive, values in SAME_ORIGIN_ONLY.items():
        assert policy[directive] == values, directive
    for directive in ("script-src", "style-src"):
        assert policy[directive][0] == "'self'"
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        # Nothing from another host: every other source is a hash, a nonce or a keyword.
        assert all(v.startswith("'") for v in policy[directive]), policy[directive]
    return policy


@pytest.mark.django_db
def test_public_page_headers(client, county):
    r = client.get("/")
    assert r.status_code == 200
    _assert_common(r)
    assert "Strict-Transport-Security" not in r  # plain HTTP: HSTS would be meaningless


@pytest.mark.django_db
def test_staff_page_headers_and_its_inline_code_is_allowed(client, county):
    client.force_login(county.a11.user)
    r = client.get("/cases/new/")
    assert r.status_code == 200
    _assert_common(r)
    body = r.content.decode()
    assert "onchange=" not in body and "onclick=" not in body  # scripts are files or nonced
    assert csp.violations(body, r["Content-Security-Policy"]) == []


@pytest.mark.django_db
def test_api_answer_headers(client, county):
    r = client.get("/api/v1/items")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    _assert_common(r)
    r = client.get("/api/v1/cases")
    assert r.status_code == 401
    _assert_common(r)


def test_scanner_finds_injected_code():
    header = "script-src 'self' 'unsafe-hashes' 'nonce-abc'; style-src 'self'"
    html = (
        "<p onclick=\"alert(1)\">x</p><script>alert(2)</script><script nonce='abc'>ok()</script>"
        "<script src='/static/x.js'></script><div style='color:red'></div><style>p{}</style>"
    )
    found = csp.violations(html, header)
    assert found == [
        "event handler 'alert(1)'",
        "style attribute 'color:red'",
        "<script> block 'alert(2)'",
        "<style> block 'p{}'",
    ]


@pytest.mark.django_db
@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_hsts_on_requests_that_came_over_tls(client, county):
    r = client.get("/", HTTP_X_FORWARDED_PROTO="https")
    assert r["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/")


def _settings_under(env: dict) -> dict:
    code = (
        "import json, bianmin.settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "['SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SECURE_PROXY_SSL_HEADER', 'DEBUG']}))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_tls_switch_turns_on_hsts_and_secure_cookies(tmp_path):
    on = _settings_under({"BIANMIN_TLS": "1", "BIANMIN_VAR_DIR": str(tmp_path)})
    assert on["SECURE_HSTS_SECONDS"] == 31536000
    assert on["SESSION_COOKIE_SECURE"] is True and on["CSRF_COOKIE_SECURE"] is True
    assert on["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    off = _settings_under({"BIANMIN_TLS": "0", "BIANMIN_VAR_DIR": str(tmp_path)})
    assert off["SECURE_HSTS_SECONDS"] is None and off["SESSION_COOKIE_SECURE"] is None
    assert off["DEBUG"] is False  # production is the default; debugging is opted into
