"""Schemathesis against the OpenAPI schema, through the WSGI application, with all its checks.

Every operation is called with an administrator's and a village agent's bearer token, in the
small world of world.py (published items, cases in two townships), with positive data (which the
schema accepts) and negative data (which it refuses), and every response is checked by all of
schemathesis's checks: no server error, documented status codes, content types, headers and
response schemas, negative data rejected, positive data accepted, authentication enforced,
unsupported methods refused. Examples are few per operation, role and mode, and derandomized,
so the run is short and repeatable; raise BIANMIN_FUZZ_EXAMPLES for a longer hunt.

Positive data may still meet a rule the schema cannot state (an ID number's check digit, a case
that is not in the caller's scope, a date further than ten years out): the positive check
accepts 400 and 422 for those, and `gate_agrees_with_schema` makes sure such a 422 is never one
of the input gate's own codes, which the schema does state.
"""

import os

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

EXAMPLES = int(os.environ.get("BIANMIN_FUZZ_EXAMPLES", "4"))


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


# What the schema states about each field (maxLength, pattern, enum, integer bounds): positive
# data may never be refused for these.
SCHEMA_STATED = {
    "too_long",
    "control_character",
    "invalid_choice",
    "invalid_integer",
    "invalid_type",
    "invalid_date",
    "invalid_month",
    "required",
    "malformed_request",
}


def gate_agrees_with_schema(ctx, response, case):
    """Positive data is never refused by the input gate for what the schema itself states."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code == 422:
        code = response.json().get("code")
        assert code not in SCHEMA_STATED, f"schema-valid data refused: {response.json()}"
    return None


@pytest.mark.slow
@pytest.mark.django_db
def test_all_checks_on_every_operation(wsgi_app, client, settings_tmp_media):
    from hypothesis.errors import Unsatisfiable
    from schemathesis.config import SchemathesisConfig
    from schemathesis.generation import GenerationMode

    from bianmin.conftest import api_token

    from .world import build_world

    build_world()
    users = (("admin", "admin"), ("agent", "v0101-agent"))
    config = SchemathesisConfig.from_dict(
        {
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "422", "429"]
                }
            }
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app, config=config)
    failures: list[str] = []

    def run(operation, role: str, token: str, mode) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            try:
                case.call_and_validate(
                    headers={"Authorization": token}, additional_checks=[gate_agrees_with_schema]
                )
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - collect them all
                failures.append(
                    f"{case.operation.label} [{role}, {mode.value}]: "
                    f"{type(error).__name__}: {str(error)[:600]}\n"
                    f"    path={case.formatted_path!r} query={case.query!r} "
                    f"body={str(case.body)[:300]!r}"
                )

        try:
            call()
        except Unsatisfiable:
            # Nothing to make invalid: an operation without parameters or body (GET /auth/tokens).
            assert (
                mode == GenerationMode.NEGATIVE
                and not operation.body
                and not any(operation.iter_parameters())
            ), f"{operation.label}: no {mode.value} case could be generated"

    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for role, username in users:
            # A fresh token per operation: DELETE /auth/tokens revokes the caller's own.
            token = api_token(client, username)["HTTP_AUTHORIZATION"]
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run(operation, role, token, mode)
    assert operations > 40  # the whole schema was walked
    assert not failures, "\n".join(dict.fromkeys(failures))


@pytest.fixture
def settings_tmp_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
