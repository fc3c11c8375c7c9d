"""Behind nginx the lockout and the lookup throttle must see the citizen's address, not nginx's."""

from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from bianmin.ops.proxy import TrustedProxyMiddleware, client_address


def seen_by_app(remote, forwarded=None, trusted="127.0.0.1,10.0.0.0/8"):
    rf = RequestFactory()
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    request = rf.get("/", **extra)
    with override_settings(BIANMIN_TRUSTED_PROXIES=trusted):
        TrustedProxyMiddleware(lambda r: HttpResponse(r.META["REMOTE_ADDR"]))(request)
    return request.META["REMOTE_ADDR"]


def test_address_from_the_trusted_proxy_header():
    assert seen_by_app("127.0.0.1", "203.0.113.7") == "203.0.113.7"
    # Two proxies of ours (nginx on 10.0.0.5 in front of the app host's own nginx).
    assert seen_by_app("127.0.0.1", "203.0.113.7, 10.0.0.5") == "203.0.113.7"


def test_a_client_cannot_choose_its_address():
    # Straight to the app (no proxy of ours): the header is the client's own words.
    assert seen_by_app("198.51.100.9", "203.0.113.7") == "198.51.100.9"
    # Through nginx, a forged first hop is skipped: nginx appended the real peer last.
    assert seen_by_app("127.0.0.1", "1.2.3.4, 198.51.100.9") == "198.51.100.9"
    assert seen_by_app("127.0.0.1", "not-an-ip") == "127.0.0.1"


def test_nothing_rewritten_without_trusted_proxies():
    assert seen_by_app("127.0.0.1", "203.0.113.7", trusted="") == "127.0.0.1"
    assert client_address("127.0.0.1", "203.0.113.7", []) == "127.0.0.1"
