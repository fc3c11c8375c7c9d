"""The 503 answer for a database that cannot write, in-process (the gunicorn tests do it live)."""

import sqlite3

from django.db import DatabaseError, IntegrityError, OperationalError
from django.http import HttpResponse
from django.test import RequestFactory

from bianmin.ops.middleware import (
    DISK_FULL,
    READONLY,
    UNAVAILABLE,
    DatabaseFaultMiddleware,
    classify,
)


def test_classify_knows_sqlite_and_postgresql_wording():
    assert classify(OperationalError("attempt to write a readonly database")) == READONLY
    assert classify(OperationalError("database or disk is full")) == DISK_FULL
    assert classify(DatabaseError("cannot execute INSERT in a read-only transaction")) == READONLY
    assert (
        classify(
            OperationalError('could not extend file "base/16384/2619": No space left on device')
        )
        == DISK_FULL
    )
    # Django wraps the driver's error; the cause is looked at too.
    try:
        try:
            raise sqlite3.OperationalError("database or disk is full")
        except sqlite3.OperationalError as inner:
            raise RuntimeError("save failed") from inner
    except RuntimeError as outer:
        assert classify(outer) == DISK_FULL
    # A failover: the old primary's connections drop, PgBouncer cannot reach a server for a moment.
    lost = "consuming input failed: server closed the connection unexpectedly"
    assert classify(OperationalError(lost)) == UNAVAILABLE
    refused = 'connection to server at "127.0.0.1", port 26432 failed: Connection refused'
    assert classify(OperationalError(refused)) == UNAVAILABLE
    assert classify(OperationalError("pgbouncer cannot connect to server")) == UNAVAILABLE
    assert classify(OperationalError("database is locked")) is None
    assert classify(IntegrityError("UNIQUE constraint failed")) is None
    assert classify(ValueError("readonly database")) is None  # not a database error


def test_view_error_becomes_503_json_for_the_api_and_a_page_for_people():
    mw = DatabaseFaultMiddleware(lambda r: HttpResponse("ok"))
    rf = RequestFactory()
    api = mw.process_exception(
        rf.post("/api/v1/cases"), OperationalError("attempt to write a readonly database")
    )
    assert api.status_code == 503 and api["Retry-After"] == "60"
    assert api["Content-Type"] == "application/json"
    assert b"db_readonly" in api.content
    page = mw.process_exception(
        rf.post("/cases/new/"), OperationalError("database or disk is full")
    )
    assert page.status_code == 503 and page["Content-Type"].startswith("text/html")
    assert "存储空间已满" in page.content.decode()
    assert mw.process_exception(rf.get("/"), OperationalError("database is locked")) is None
    switching = mw.process_exception(
        rf.post("/cases/HT-1/accept/"), OperationalError("the database system is shutting down")
    )
    assert switching.status_code == 503 and switching["Retry-After"] == "10"
    assert "正在切换" in switching.content.decode()


def test_error_in_an_inner_middleware_is_caught_on_the_way_out(settings):
    """A session saved on a read-only database fails outside the view: the outer layer answers."""
    from django.core.handlers.exception import response_for_exception

    rf = RequestFactory()
    request = rf.post("/accounts/login/")

    def inner(req):
        try:
            raise OperationalError("attempt to write a readonly database")
        except OperationalError as exc:
            return response_for_exception(req, exc)  # what Django does around every layer

    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    response = DatabaseFaultMiddleware(inner)(request)
    assert response.status_code == 503
    assert "只读" in response.content.decode()
