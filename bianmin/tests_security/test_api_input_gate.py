"""Every API operation refuses bad input at the door, generated from the OpenAPI schema.

For each operation and each kind of bad value (over-long text, a control character, a NUL, a
date out of range, a month out of range, an integer past 2^63, an unknown enum value), one request
puts that value in every field of the operation that can take it, the other fields valid. The
answer must be a 422 in the one error shape (docs/api.md "Errors") whose `errors` name each of
those fields, and no row may have been written.
"""

import json

import pytest
from django.apps import apps

from bianmin.common.errors import ErrorCode
from bianmin.common.schemas import MONTH_PATTERN

HUGE = 2**70
CODES = {c.value for c in ErrorCode}


def _schema(api_schema: dict, node: dict) -> dict:
    """`node` with its $ref resolved and a nullable anyOf reduced to its non-null branch."""
    if "$ref" in node:
        node = api_schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in node:
        branches = [b for b in node["anyOf"] if b.get("type") != "null"]
        if len(branches) == 1:
            return _schema(api_schema, branches[0])
    return node


def _valid(s: dict):
    """A value the schema accepts, for the fields not under test."""
    if "enum" in s:
        return s["enum"][0]
    kind = s.get("type")
    if kind == "integer":
        return max(s.get("minimum", 1), 1)
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if s.get("format") == "date":
        return "2026-01-05"
    if s.get("pattern") == MONTH_PATTERN:
        return "2026-01"
    return "1"


def _bad(kind: str, s: dict):
    """The bad value of `kind` for a field of schema `s`, or None when the field cannot take it."""
    t = s.get("type")
    if kind == "enum":
        return "no-such-value" if "enum" in s else None
    if kind == "huge" and t == "integer":
        return HUGE
    if t != "string" or "enum" in s:
        return None
    month = s.get("pattern") == MONTH_PATTERN
    if kind == "date":
        return "9999-12-31" if s.get("format") == "date" else None
    if kind == "month":
        return "9999-12" if month else None
    if s.get("format") == "date" or month or "maxLength" not in s:
        return None
    if kind == "long":
        return "长" * (s["maxLength"] + 1)
    # Passwords take any character; every other text declares the pattern that refuses these.
    if kind == "nul" and "pattern" in s:
        return "a\x00b"
    if kind == "control" and "pattern" in s:
        return "a\x0bb"
    return None


KINDS = ("long", "nul", "control", "date", "month", "huge", "enum")


def _fields(api_schema: dict, op: dict) -> list[tuple[str, str, dict, bool]]:
    """(where, name, schema, required) of the operation's parameters and top-level body fields."""
    out = [
        (p["in"], p["name"], _schema(api_schema, p["schema"]), p.get("required", False))
        for p in op.get("parameters", [])
    ]
    content = op.get("requestBody", {}).get("content", {})
    for media, body in content.items():
        where = "form" if media.startswith("multipart") else "body"
        s = _schema(api_schema, body["schema"])
        required = set(s.get("required", []))
        for name, prop in s.get("properties", {}).items():
            out.append((where, name, _schema(api_schema, prop), name in required))
    return out


def _row_counts() -> dict[str, int]:
    skip = {"sessions", "axes", "admin", "contenttypes", "auth"}
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in skip and not m._meta.proxy
    }


@pytest.mark.django_db
def test_every_operation_refuses_bad_input_naming_the_field(client, county, token_for):
    from bianmin.api.api import api

    api_schema = api.get_openapi_schema()
    headers = token_for("admin")
    before = _row_counts()
    sent, problems = 0, []
    for path, item in api_schema["paths"].items():
        for method, op in item.items():
            fields = _fields(api_schema, op)
            for kind in KINDS:
                bad = {
                    (where, name): value
                    for where, name, s, _req in fields
                    if (value := _bad(kind, s)) is not None
                }
                if not bad:
                    continue
                values = {
                    (where, name): bad.get((where, name), _valid(s))
                    for where, name, s, req in fields
                    if req or (where, name) in bad
                }
                url = path
                query, body, form = {}, {}, {}
                for (where, name), value in values.items():
                    if where == "path":
                        url = url.replace("{" + name + "}", str(value))
                    else:
                        {"query": query, "body": body, "form": form}[where][name] = value
                if method == "get":
                    r = client.get(url, query, **headers)
                elif form:
                    r = client.post(f"{url}?{_qs(query)}", form, **headers)
                else:
                    r = client.generic(
                        method.upper(),
                        f"{url}?{_qs(query)}",
                        json.dumps(body) if body else "",
                        content_type="application/json",
                        **headers,
                    )
                sent += 1
                label = f"{method.upper()} {path} [{kind}]"
                if r.status_code != 422 or not r["Content-Type"].startswith("application/json"):
                    problems.append(f"{label}: {r.status_code} {r.content[:200]!r}")
                    continue
                answer = r.json()
                named = {e["field"] for e in answer.get("errors", [])}
                if not (
                    isinstance(answer.get("detail"), str)
                    and answer.get("code") in CODES
                    and answer.get("field") in {name for _w, name in bad}
                    and named >= {name for _w, name in bad}
                    and all(e["code"] in CODES for e in answer["errors"])
                ):
                    problems.append(f"{label}: {answer}")
    assert sent > 100, sent  # the schema was walked, not skipped
    assert not problems, "\n".join(problems)
    assert _row_counts() == before


def _qs(query: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(query)


@pytest.mark.django_db
def test_malformed_json_is_a_400_in_the_error_shape(client, county, token_for):
    r = client.post(
        "/api/v1/cases", "{not json", content_type="application/json", **token_for("admin")
    )
    assert r.status_code == 400
    assert r.json()["code"] == ErrorCode.MALFORMED_REQUEST


@pytest.mark.django_db
def test_detail_is_one_chinese_string_naming_the_field(client, county, token_for):
    r = client.get("/api/v1/cases?unit=99999999999999999999", **token_for("admin"))
    body = r.json()
    assert r.status_code == 422
    assert body["field"] == "unit"
    assert body["code"] == ErrorCode.OUT_OF_RANGE
    assert body["detail"].startswith("“unit”不应大于")
    assert body["errors"] == [{"field": "unit", "code": "out_of_range", "detail": body["detail"]}]


def test_every_code_raised_is_an_error_code():
    """Services raise ErrorCode members (a DomainError refuses a free string): each member they
    name exists, and each code is in docs/api.md."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    named = {
        name
        for path in root.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
        for name in re.findall(r"\bErrorCode\.([A-Z][A-Z0-9_]*)", path.read_text(encoding="utf-8"))
    }
    assert len(named) > 40  # the sources were read
    assert named - set(ErrorCode.__members__) == set()
    docs = (root.parent / "docs" / "api.md").read_text(encoding="utf-8")
    assert {c for c in CODES if f"`{c}`" not in docs} == set()


@pytest.mark.django_db
def test_the_dashboard_itself_refuses_a_far_day(county):
    """Bounded at the parameter and in the selector: every running clock counts working days to
    `today` one by one, so 9999-12-31 once took minutes, for the page and the API alike."""
    import datetime as dt

    from bianmin.common.errors import ValidationFailed
    from bianmin.supervision.selectors import dashboard

    for far in (dt.date(9999, 12, 31), dt.date(1500, 1, 1)):
        with pytest.raises(ValidationFailed) as refused:
            dashboard(viewer=county.supervisor.user, today=far)
        assert refused.value.field == "date"


def test_schema_names_are_unique():
    """Two schemas of one name become one entry of the OpenAPI components: the second silently
    documents the first (three request bodies were once all `ActionIn`)."""
    from collections import Counter

    from ninja import Schema

    import bianmin.api.api  # noqa: F401 - loads every router and its schemas

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = Counter(c.__name__ for c in subclasses(Schema) if c.__module__.startswith("bianmin."))
    assert [n for n, k in names.items() if k > 1] == []
