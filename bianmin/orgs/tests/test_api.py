import pytest


def test_token_then_units_scoped(client, county, token_for):
    h = token_for("v0101-agent")
    r = client.get("/api/v1/units", **h)
    assert r.status_code == 200
    assert [u["code"] for u in r.json()] == ["S11"]
    r = client.get("/api/v1/units?kind=village_station", **token_for("t01-staff"))
    assert sorted(u["code"] for u in r.json()) == ["S11", "S12"]
    r = client.get("/api/v1/units?kind=nonsense", **h)
    assert r.status_code == 422 and r.json()["field"] == "kind"


def test_wrong_password_is_401_and_no_token(client, county):
    r = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": "nope"},
        content_type="application/json",
    )
    assert r.status_code == 401
    assert r.json()["detail"]


def test_no_token_is_401(client, county):
    assert client.get("/api/v1/units").status_code == 401
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer forged").status_code == 401


def test_region_with_children(client, county, token_for):
    r = client.get(f"/api/v1/regions/{county.t1.code}", **token_for("t01-staff"))
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "武乡镇" and body["kind_label"] == "镇"
    assert [c["code"] for c in body["children"]] == [county.v11.code, county.v12.code]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/regions/610702100202",
        "/api/v1/regions/610702101000",
        "/api/v1/regions/610702000000",
    ],
)
def test_agent_cannot_read_other_regions(client, county, token_for, path):
    assert client.get(path, **token_for("v0101-agent")).status_code == 403


def test_agent_cannot_read_other_units(client, county, token_for):
    h = token_for("v0101-agent")
    assert client.get(f"/api/v1/units/{county.s11.pk}", **h).status_code == 200
    assert client.get(f"/api/v1/units/{county.s12.pk}", **h).status_code == 403
    assert client.get("/api/v1/units/999999", **h).status_code == 404


def test_lockout_after_repeated_failures(client, county):
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            {"username": "admin", "password": "bad"},
            content_type="application/json",
        )
    r = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": "test-pass-123"},
        content_type="application/json",
    )
    assert r.status_code == 429 and r["Retry-After"] == "1800"  # the 30-minute cool-off
    assert "锁定" in r.json()["detail"]
    r = client.post("/accounts/login/", {"username": "admin", "password": "test-pass-123"})
    assert r.status_code == 429 and r["Retry-After"] == "1800"
    assert "锁定" in r.content.decode()
