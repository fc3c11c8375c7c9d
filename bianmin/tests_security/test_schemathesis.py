"""Schemathesis against the OpenAPI schema, through the WSGI application: no operation answers 5xx.

The caller is a township window staff member with a bearer token, in the small world of world.py
(published items, cases in two townships), so generated requests reach real data and scope checks.
Examples are few per operation and derandomized so the run is short and repeatable; raise
BIANMIN_FUZZ_EXAMPLES for a longer hunt.
"""

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

EXAMPLES = int(os.environ.get("BIANMIN_FUZZ_EXAMPLES", "12"))


@pytest.fixture
def wsgi_app():
    """The real WSGI application on the test database, with Django's per-request connection
    cleanup held off around each call, as the test client does it.

    `close_old_connections` runs on request_started/finished and closes a connection whose
    autocommit differs from its settings, which is what the test's open transaction looks like.
    On SQLite the in-memory test database ignores close(); on PostgreSQL it really closes, and the
    next query fails with "the connection is closed". Disconnecting the handler once in a fixture
    is not enough: every Django test-client request (the token below) connects it again when it
    ends. So it is disconnected per WSGI call.
    """
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()

    def call(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = app(environ, start_response)
            try:
                body = b"".join(response)
            finally:
                response.close()  # fires request_finished while the handler is off
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]

    return call


@pytest.mark.slow
@pytest.mark.django_db
def test_no_server_error_on_any_operation(wsgi_app, client, settings_tmp_media):
    from bianmin.conftest import api_token

    from .world import build_world

    build_world()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    failures: list[str] = []
    operations = 0
    auth: dict[str, str] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        # A fresh token per operation: DELETE /auth/tokens revokes the caller's own.
        auth["Authorization"] = api_token(client, "t01-staff")["HTTP_AUTHORIZATION"]

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            response = case.call(headers=auth)
            if response.status_code >= 500:
                failures.append(
                    f"{case.operation.label} -> {response.status_code}: path={case.formatted_path!r} "
                    f"query={case.query!r} body={case.body!r}"
                )

        call()
    assert operations > 40  # the whole schema was walked
    assert not failures, "\n".join(dict.fromkeys(failures))


@pytest.fixture
def settings_tmp_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
