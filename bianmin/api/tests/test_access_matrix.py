"""Every API route is listed here with how a village agent is kept out of other places' data.

The route list comes from the OpenAPI schema, so a new endpoint without an entry fails this test.
The world: agent v0101 (汉王村, 武乡镇) against objects of 谢村 (same township, other village) and of
河东店镇 (another township).
"""

import datetime as dt
from types import SimpleNamespace

import pytest

from bianmin.api.api import api
from bianmin.cases.services import case_transition
from bianmin.tests_factories import PERSON, CaseFactory, ItemFactory

# Needs no login and shows nothing of a particular place (or checks its own secret, such as a
# case number with the applicant's phone digits).
PUBLIC_ROUTES = {
    "POST /api/v1/auth/token",
    "GET /api/v1/workdays/add",
    "GET /api/v1/workdays/count",
    "GET /api/v1/items",
    "GET /api/v1/items/{code}",
    "GET /api/v1/public/cases/{number}",
    "POST /api/v1/public/cases/{number}/rating",
    "GET /api/v1/public/complaints/{number}",
    "GET /api/v1/public/challenge",
    "POST /api/v1/ratings/follow-up",
}


@pytest.fixture
def world(county):
    c = county
    w = SimpleNamespace(c=c)
    proxy_item = ItemFactory(
        county=c,
        local_code="ACC001",
        name="低保申请",
        statutory_limit=20,
        promised_limit=10,
        plain=True,
    )
    quick_item = ItemFactory(
        county=c,
        local_code="ACC002",
        name="开具居住证明",
        case_class="immediate",
        township=True,
        implementing_unit=c.tc2,
        statutory_limit=0,
        promised_limit=0,
        plain=True,
    )
    # 谢村's case, taken by its own agent.
    w.case = CaseFactory(
        county=c, item_version=proxy_item, proxy=True, actor=c.a12.user, applicant_name="王小二"
    )
    # 河东店镇's concluded case with a bad rating, hence a rectification for that township.
    other = CaseFactory(
        county=c,
        item_version=quick_item,
        staff=c.t2_staff.user,
        applicant_name="王小二",
        state="concluded",
    )
    from bianmin.ratings.services import rating_submit

    rating = rating_submit(case=other, level=1, comment="态度差", phone_tail="0001")
    from bianmin.ratings.models import Rectification

    w.rectification = Rectification.objects.get(rating=rating)
    from bianmin.supervision.services.complaints import complaint_file

    w.complaint = complaint_file(
        kind="complaint", unit=c.tc2, content="窗口无人", name="李四", phone="13800000002"
    )
    from bianmin.supervision.models import Notification

    w.notification = Notification.objects.create(recipient=c.t2_staff.user, text="预警")
    return w


def _errand(w):
    """谢村's errand, taken by its own agent (made once per world)."""
    if not hasattr(w, "errand"):
        from bianmin.cases.services import errand_register

        errand = errand_register(
            actor=w.c.a12.user, kind="pay", person_name="王小二", subject="代缴电费"
        )
        w.errand = case_transition(
            case=errand,
            action="money",
            actor=w.c.a12.user,
            direction="in",
            amount="20",
            party="本人",
        )
    return w.errand


def foreign(w):
    """(method, url, json body) naming data outside agent v0101's scope: must be refused."""
    c = w.c
    return {
        "GET /api/v1/cases/errands/{number}": (
            "get",
            f"/api/v1/cases/errands/{_errand(w).number}",
            None,
        ),
        "GET /api/v1/units/{unit_id}": ("get", f"/api/v1/units/{c.s12.pk}", None),
        "GET /api/v1/regions/{code}": ("get", f"/api/v1/regions/{c.v12.code}", None),
        "GET /api/v1/cases/{number}": ("get", f"/api/v1/cases/{w.case.number}", None),
        "GET /api/v1/cases/{number}/events": ("get", f"/api/v1/cases/{w.case.number}/events", None),
        "POST /api/v1/cases/{number}/actions/{action}": (
            "post",
            f"/api/v1/cases/{w.case.number}/actions/forward",
            {},
        ),
        "POST /api/v1/cases": (
            "post",
            "/api/v1/cases",
            {
                "item": w.case.item_version.item.local_code,
                "channel": "window",
                "unit": c.s12.pk,
                **PERSON,
                "applicant_name": "王小二",
            },
        ),
        "GET /api/v1/ratings/rectifications/{rect_id}": (
            "get",
            f"/api/v1/ratings/rectifications/{w.rectification.pk}",
            None,
        ),
        "POST /api/v1/ratings/rectifications/{rect_id}/actions": (
            "post",
            f"/api/v1/ratings/rectifications/{w.rectification.pk}/actions",
            {"action": "call_back"},
        ),
        "GET /api/v1/reports/monthly": (
            "get",
            f"/api/v1/reports/monthly?unit={c.tc2.pk}&month=2026-10",
            None,
        ),
        "POST /api/v1/reports/monthly/actions": (
            "post",
            "/api/v1/reports/monthly/actions",
            {"unit": c.tc2.pk, "month": "2026-10", "action": "generate"},
        ),
        "GET /api/v1/supervision/dashboard": (
            "get",
            f"/api/v1/supervision/dashboard?region={c.v12.code}",
            None,
        ),
        "GET /api/v1/supervision/complaints/{number}": (
            "get",
            f"/api/v1/supervision/complaints/{w.complaint.number}",
            None,
        ),
        "POST /api/v1/supervision/complaints/{number}/decide": (
            "post",
            f"/api/v1/supervision/complaints/{w.complaint.number}/decide",
            {"note": "受理"},
        ),
        "POST /api/v1/supervision/complaints/{number}/reply": (
            "post",
            f"/api/v1/supervision/complaints/{w.complaint.number}/reply",
            {"reply": "已整改"},
        ),
        "POST /api/v1/supervision/notifications/{pk}/read": (
            "post",
            f"/api/v1/supervision/notifications/{w.notification.pk}/read",
            None,
        ),
        "POST /api/v1/supervision/queue/{pk}/resolve": (
            "post",
            "/api/v1/supervision/queue/1/resolve",
            {"note": "x"},
        ),
        "POST /api/v1/supervision/queue/{kind}/{number}/{action}": (
            "post",
            f"/api/v1/supervision/queue/case/{w.case.number}/close",
            {"text": "x"},
        ),
        "GET /api/v1/staffing/roster/{unit_code}/{month}": (
            "get",
            f"/api/v1/staffing/roster/{c.s12.code}/2026-12",
            None,
        ),
    }


def _codes(body):
    return body.get("items", body) if isinstance(body, dict) else body


# Lists: answered for the caller's own scope only, checked against what they must not contain.
def lists(w):
    c = w.c
    return {
        "GET /api/v1/units": ("/api/v1/units", lambda b: {u["code"] for u in b} == {"S11"}),
        "GET /api/v1/cases": ("/api/v1/cases", lambda b: w.case.number not in str(b)),
        "GET /api/v1/cases/queues": ("/api/v1/cases/queues", lambda b: w.case.number not in str(b)),
        "GET /api/v1/cases/errands": (
            "/api/v1/cases/errands",
            lambda b: _errand(w).number not in str(b),
        ),
        "GET /api/v1/cases/errands/queues": (
            "/api/v1/cases/errands/queues",
            lambda b: _errand(w).number not in str(b),
        ),
        "GET /api/v1/cases/errands/money": (
            f"/api/v1/cases/errands/money?month={dt.date.today():%Y-%m}",
            lambda b: c.a12.full_name not in str(b),
        ),
        "GET /api/v1/ratings/rectifications": (
            "/api/v1/ratings/rectifications",
            lambda b: _codes(b) == [],
        ),
        "GET /api/v1/ratings/stats": ("/api/v1/ratings/stats", lambda b: c.tc2.name not in str(b)),
        "GET /api/v1/reports/monthly/status": (
            "/api/v1/reports/monthly/status?month=2026-10",
            lambda b: c.tc2.name not in str(b),
        ),
        "GET /api/v1/supervision/alerts": (
            "/api/v1/supervision/alerts",
            lambda b: w.case.number not in str(b),
        ),
        "GET /api/v1/supervision/complaints": (
            "/api/v1/supervision/complaints",
            lambda b: w.complaint.number not in str(b),
        ),
        "GET /api/v1/supervision/queue": ("/api/v1/supervision/queue", lambda b: _codes(b) == []),
        "GET /api/v1/supervision/queue/cases": (
            "/api/v1/supervision/queue/cases",
            lambda b: b == [],
        ),
        "GET /api/v1/supervision/notifications": (
            "/api/v1/supervision/notifications",
            lambda b: _codes(b) == [],
        ),
        "GET /api/v1/staffing/queue": (
            "/api/v1/staffing/queue",
            lambda b: w.case.number not in str(b),
        ),
        "GET /api/v1/staffing/leave": ("/api/v1/staffing/leave", lambda b: _codes(b) == []),
        "GET /api/v1/staffing/roster-gaps": (
            "/api/v1/staffing/roster-gaps?month=2026-12",
            lambda b: b and all(c.s12.name not in str(g) and c.s21.name not in str(g) for g in b),
        ),
    }


# The caller's own records only (signing in, asking for leave): there is no one else's to reach.
OWN = {
    "POST /api/v1/cases/errands",  # always at the caller's own station
    "POST /api/v1/staffing/attendance",
    "POST /api/v1/staffing/leave",
    "POST /api/v1/staffing/leave/{leave_id}/decide",
    "POST /api/v1/staffing/leave/{leave_id}/return",
    # The caller's own tokens (another person's token answers 404: api/tests/test_tokens.py).
    "GET /api/v1/auth/tokens",
    "DELETE /api/v1/auth/tokens",
    "DELETE /api/v1/auth/tokens/{token_id}",
}


def all_routes() -> set[str]:
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_has_a_matrix_entry(world):
    covered = set(foreign(world)) | set(lists(world)) | PUBLIC_ROUTES | OWN
    missing = all_routes() - covered
    assert not missing, f"routes without an access-matrix entry: {sorted(missing)}"
    stale = covered - all_routes()
    assert not stale, f"matrix entries for routes that no longer exist: {sorted(stale)}"


def _call(client, method, url, body, headers):
    if method == "get":
        return client.get(url, **headers)
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_agent_is_refused_other_places(client, world, token_for):
    headers = token_for("v0101-agent")
    for key, (method, url, body) in foreign(world).items():
        r = _call(client, method, url, body, headers)
        assert r.status_code in (403, 404), (key, url, r.status_code, r.content[:200])
        assert "detail" in r.json(), key


def test_scope_objects_are_403_not_404(client, world, token_for):
    """Existing objects of another village are refused as forbidden, as the issue asks."""
    headers = token_for("v0101-agent")
    for key in (
        "GET /api/v1/units/{unit_id}",
        "GET /api/v1/regions/{code}",
        "GET /api/v1/cases/{number}",
        "GET /api/v1/cases/{number}/events",
        "POST /api/v1/cases/{number}/actions/{action}",
    ):
        method, url, body = foreign(world)[key]
        assert _call(client, method, url, body, headers).status_code == 403, key


def test_lists_hold_only_own_scope(client, world, token_for):
    headers = token_for("v0101-agent")
    for key, (url, check) in lists(world).items():
        r = client.get(url, **headers)
        assert r.status_code in (200, 403), (key, r.status_code, r.content[:200])
        if r.status_code == 200:
            assert check(r.json()), (key, r.content[:300])


def test_protected_routes_need_credentials(client, world):
    for key, (method, url, body) in foreign(world).items():
        assert _call(client, method, url, body, {}).status_code == 401, key
    for key, (url, _check) in lists(world).items():
        assert client.get(url).status_code == 401, key


def test_own_record_routes_need_credentials(client, world):
    today = dt.date(2026, 11, 23).isoformat()
    assert (
        client.post(
            "/api/v1/staffing/attendance", {"action": "in"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/v1/staffing/leave",
            {"kind": "personal", "start": today, "end": today, "reason": "x"},
        ).status_code
        == 401
    )
