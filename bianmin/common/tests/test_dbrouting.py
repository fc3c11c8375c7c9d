"""Read-only views on the replica, the writer reading its own writes (common/dbrouting.py).

The router and middleware are driven directly here, on the plain settings; bianmin/tests_ha runs
them against a real primary and standby (`make test-ha`).
"""

import datetime as dt
import runpy
from pathlib import Path

import time_machine
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from bianmin.common.dbrouting import (
    PRIMARY_COOKIE,
    PrimaryReplicaRouter,
    ReadYourWritesMiddleware,
    replica_reads,
)

router = PrimaryReplicaRouter()
SETTINGS_FILE = Path(settings.BASE_DIR) / "bianmin" / "settings.py"


@replica_reads
def report_view(request):
    """A read-only page: says where its reads would go."""
    return HttpResponse(router.db_for_read(None))


@replica_reads
def writing_report_view(request):
    """A page marked read-only that writes after all: its later reads stay on the primary."""
    router.db_for_write(None)
    return HttpResponse(router.db_for_read(None))


def form_view(request):
    return HttpResponse(router.db_for_read(None), status=int(request.GET.get("status", 200)))


def _through_middleware(view, request):
    return ReadYourWritesMiddleware(view)(request)


def test_reads_go_to_the_replica_only_inside_replica_reads():
    request = RequestFactory().get("/")
    assert _through_middleware(form_view, request).content == b"default"
    assert _through_middleware(report_view, request).content == b"replica"
    # Outside a request (commands, the task worker) the same rule holds.
    assert router.db_for_read(None) == "default"
    assert report_view(request).content == b"replica"
    assert router.db_for_write(None) == "default"


def test_a_view_that_writes_reads_the_rest_from_the_primary_and_sets_the_cookie():
    response = _through_middleware(writing_report_view, RequestFactory().get("/"))
    assert response.content == b"default"
    assert PRIMARY_COOKIE in response.cookies


def test_a_successful_post_pins_the_browser_to_the_primary_until_the_cookie_expires():
    factory = RequestFactory()
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), tick=False) as clock:
        response = _through_middleware(form_view, factory.post("/"))
        cookie = response.cookies[PRIMARY_COOKIE]
        assert cookie["max-age"] == 10
        assert cookie["httponly"]

        request = factory.get("/")
        request.COOKIES[PRIMARY_COOKIE] = cookie.value
        assert _through_middleware(report_view, request).content == b"default"

        clock.shift(dt.timedelta(seconds=11))
        request = factory.get("/")
        request.COOKIES[PRIMARY_COOKIE] = cookie.value
        assert _through_middleware(report_view, request).content == b"replica"


def test_refused_posts_and_plain_reads_leave_no_cookie():
    factory = RequestFactory()
    assert (
        PRIMARY_COOKIE not in _through_middleware(form_view, factory.post("/?status=400")).cookies
    )
    assert PRIMARY_COOKIE not in _through_middleware(report_view, factory.get("/")).cookies


def test_a_forged_cookie_does_not_pin_reads():
    request = RequestFactory().get("/")
    request.COOKIES[PRIMARY_COOKIE] = "1:forged:signature"
    assert _through_middleware(report_view, request).content == b"replica"


@override_settings(BIANMIN_READ_YOUR_WRITES_SECONDS=0)
def test_zero_seconds_turns_read_your_writes_off():
    factory = RequestFactory()
    assert PRIMARY_COOKIE not in _through_middleware(form_view, factory.post("/")).cookies
    signed = ReadYourWritesMiddleware(form_view)
    with override_settings(BIANMIN_READ_YOUR_WRITES_SECONDS=10):
        value = signed(factory.post("/")).cookies[PRIMARY_COOKIE].value
    request = factory.get("/")
    request.COOKIES[PRIMARY_COOKIE] = value
    assert _through_middleware(report_view, request).content == b"replica"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "cases")
    assert not router.allow_migrate("replica", "cases")
    assert router.allow_relation(object(), object())


def test_settings_add_the_replica_only_when_its_url_is_set(monkeypatch):
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    plain = runpy.run_path(str(SETTINGS_FILE))
    assert set(plain["DATABASES"]) == {"default"}
    assert "DATABASE_ROUTERS" not in plain
    assert "bianmin.common.dbrouting.ReadYourWritesMiddleware" not in plain["MIDDLEWARE"]

    monkeypatch.setenv("DATABASE_URL", "postgres://bianmin:pw@127.0.0.1:26432/bianmin")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://bianmin:pw@127.0.0.1:26433/bianmin")
    routed = runpy.run_path(str(SETTINGS_FILE))
    assert routed["DATABASES"]["replica"]["PORT"] == 26433
    assert routed["DATABASES"]["replica"]["TEST"] == {"MIRROR": "default"}
    assert routed["DATABASE_ROUTERS"] == ["bianmin.common.dbrouting.PrimaryReplicaRouter"]
    # Right after the request id, so that it sees every write of the request, the session's too.
    middleware = routed["MIDDLEWARE"]
    assert middleware.index("bianmin.common.dbrouting.ReadYourWritesMiddleware") == 1
    assert routed["BIANMIN_READ_YOUR_WRITES_SECONDS"] == 10
