import datetime as dt

import pytest

from bianmin.workdays import services

D = dt.date.fromisoformat


def test_add_after_national_day(client, db):
    r = client.get("/api/v1/workdays/add?start=2025-09-30&days=1")
    assert r.status_code == 200
    assert r.json() == {"date": "2025-10-09", "provisional": False}


def test_add_zero_days_is_start(client, db):
    r = client.get("/api/v1/workdays/add?start=2025-10-01&days=0")
    assert r.json() == {"date": "2025-10-01", "provisional": False}


def test_count(client, db):
    r = client.get("/api/v1/workdays/count?start=2025-09-26&end=2025-10-12")
    # 09-28 (Sun, worked), 09-29, 09-30, 10-09, 10-10, 10-11 (Sat, worked)
    assert r.json() == {"workdays": 6, "provisional": False}
    r = client.get("/api/v1/workdays/count?start=2025-10-12&end=2025-09-26")
    assert r.json() == {"workdays": -6, "provisional": False}


def test_2027_is_provisional_until_entered(client, db, django_capture_on_commit_callbacks):
    r = client.get("/api/v1/workdays/add?start=2026-12-31&days=1")
    assert r.json() == {"date": "2027-01-01", "provisional": True}
    r = client.get("/api/v1/workdays/count?start=2026-12-30&end=2027-01-04")
    assert r.json() == {"workdays": 3, "provisional": True}
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=None, year=2027, holidays=[(D("2027-01-01"), "元旦")], workdays=[], confirmed=True
        )
    r = client.get("/api/v1/workdays/add?start=2026-12-31&days=1")
    assert r.json() == {"date": "2027-01-04", "provisional": False}
    r = client.get("/api/v1/workdays/count?start=2026-12-30&end=2027-01-04")
    assert r.json() == {"workdays": 2, "provisional": False}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("add?start=2025-09-30&days=-1", 422),
        ("add?start=2025-09-30&days=3651", 422),
        ("add?start=9999-12-31&days=1", 422),
        ("add?start=2025-09-30&days=abc", 422),
        ("add?start=2025-13-01&days=1", 422),
        ("add?start=yesterday&days=1", 422),
        ("add?days=1", 422),
        ("add?start=2025-09-30", 422),
        ("count?start=2025-09-30", 422),
        ("count?start=2025-09-30&end=2025-02-30", 422),
        ("count?start=2000-01-01&end=2030-01-01", 422),
        ("count?start=0001-01-01&end=0001-01-02", 422),
    ],
)
def test_bad_parameters_give_json_detail(client, db, query, status):
    r = client.get(f"/api/v1/workdays/{query}")
    assert r.status_code == status
    assert r["Content-Type"].startswith("application/json")
    assert isinstance(r.json()["detail"], str) and r.json()["field"] in {"start", "end", "days"}


def test_public_without_token_and_listed_in_schema(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/workdays/add" in schema["paths"]
    assert "/api/v1/workdays/count" in schema["paths"]
