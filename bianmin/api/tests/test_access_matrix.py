"""Every API route is listed here with how a village agent is kept out of other villages' data.

The route list comes from the OpenAPI schema, so a new endpoint without an entry fails this test.
"""

from bianmin.api.api import api

PUBLIC = "public"  # needs no login and exposes no village data


def foreign(county):
    """URLs naming another village's (or a higher level's) data, as seen by agent v0101."""
    return {
        "GET /api/v1/units/{unit_id}": f"/api/v1/units/{county.s12.pk}",
        "GET /api/v1/regions/{code}": f"/api/v1/regions/{county.v12.code}",
    }


# Routes that return lists: they must not contain anything outside the caller's scope.
LISTS = {
    "GET /api/v1/units": (
        "/api/v1/units",
        lambda county, body: {u["code"] for u in body} == {"S11"},
    ),
}

PUBLIC_ROUTES = {
    "POST /api/v1/auth/token",
    "GET /api/v1/workdays/add",
    "GET /api/v1/workdays/count",
    "GET /api/v1/items",
    "GET /api/v1/items/{code}",
}


def all_routes() -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_has_a_matrix_entry(county):
    covered = set(foreign(county)) | set(LISTS) | PUBLIC_ROUTES
    missing = all_routes() - covered
    assert not missing, f"routes without an access-matrix entry: {sorted(missing)}"


def test_agent_is_refused_other_villages(client, county, token_for):
    headers = token_for("v0101-agent")
    for key, url in foreign(county).items():
        method = key.split()[0].lower()
        r = getattr(client, method)(url, **headers)
        assert r.status_code == 403, (key, url, r.status_code)
        assert "detail" in r.json()


def test_lists_hold_only_own_scope(client, county, token_for):
    headers = token_for("v0101-agent")
    for key, (url, check) in LISTS.items():
        r = client.get(url, **headers)
        assert r.status_code == 200, key
        assert check(county, r.json()), key


def test_protected_routes_need_credentials(client, county):
    for key, url in foreign(county).items():
        method = key.split()[0].lower()
        assert getattr(client, method)(url).status_code == 401, key
    for key, (url, _check) in LISTS.items():
        assert client.get(url).status_code == 401, key
