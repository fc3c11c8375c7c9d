"""Every page route, every role, inside and outside the caller's scope (see matrix.py).

- anonymous: a protected page redirects to the login page; a public page answers without login;
- a role the page is not for: 403 or 404 (a few form POSTs listed in REFUSED_BY_REDIRECT still
  answer a redirect with a message; they must change nothing);
- a role the page is for: its home object works (200 or a redirect that is not the login page);
- a scoped role (agent, township, approver) asking for the away object: 403 or 404;
- every page that answers 200 has no inline code its Content Security Policy would block;
- no page a scoped role may open contains the away applicant's name, ID number or case number,
  and no page but the case file and the pre-review shows a full ID number (masking).
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from . import csp
from .matrix import (
    ANONYMOUS,
    COUNTY_WIDE,
    MATRIX,
    REFUSED_BY_REDIRECT,
    SCOPED,
    STAFF,
    may_show_id,
)
from .world import AWAY_ID, AWAY_NAME, HOME_ID, build_world

LOGIN = "/accounts/login/"
EXCLUDED_PREFIXES = ("admin/", "api/v1/", "static/", "media/")


def page_routes() -> dict[str, str]:
    """{name: route} for every named pattern outside the admin site, the API and static files."""
    found: dict[str, str] = {}

    def walk(patterns, prefix="", ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(
                    p.url_patterns,
                    prefix + str(p.pattern),
                    ns + (f"{p.namespace}:" if p.namespace else ""),
                )
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(EXCLUDED_PREFIXES):
                    continue
                found[ns + (p.name or f"<unnamed {route}>")] = route

    walk(get_resolver().url_patterns)
    return found


def test_matrix_covers_every_page_route():
    routes = page_routes()
    missing = sorted(set(routes) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(routes))
    assert not missing, f"routes without a matrix entry in tests_security/matrix.py: {missing}"
    assert not stale, f"matrix entries for routes that no longer exist: {stale}"
    assert len(routes) > 80  # the walk really reached the apps' URL files


def _users(w):
    c = w.c
    return {
        "agent": c.a11.user,
        "township": c.t1_staff.user,
        "approver": c.civil.user,
        "supervisor": c.supervisor.user,
        "admin": c.admin.user,
    }


def _request(client, page, w, side, role):
    url = page.url(w, side, role)
    client.before = fingerprint() if page.method == "POST" else None
    data = page.data(w) if callable(page.data) else (page.data or {})
    if page.method == "POST":
        return url, client.post(url, data)
    return url, client.get(url)


def _to_login(r) -> bool:
    return r.status_code == 302 and r.headers.get("Location", "").startswith(LOGIN)


def _works(r, method) -> bool:
    if _to_login(r) or r.status_code >= 500:
        return False
    if method == "GET":
        return r.status_code in (200, 302)
    return r.status_code not in (401, 403, 404, 405)


def fingerprint() -> tuple:
    """Row counts and latest update of every bianmin model except the view log, so a refused
    POST can be told apart from one that changed something."""
    from django.apps import apps
    from django.db.models import Max

    out = []
    for model in apps.get_models():
        if not model.__module__.startswith("bianmin.") or model.__name__ in UNTRACKED:
            continue
        qs = model.objects.all()
        fields = {f.name for f in model._meta.get_fields()}
        latest = qs.aggregate(m=Max("updated"))["m"] if "updated" in fields else None
        out.append((model._meta.label, qs.count(), latest))
    return tuple(out)


# Reading a case writes a PersonalDataView row (the access log), which is not a change of data.
UNTRACKED = {"PersonalDataView"}


def _refused(r, method, before, name) -> bool:
    """403/404. A form POST listed in REFUSED_BY_REDIRECT may instead redirect back with an error
    message, provided it changed nothing (those pages answer a refused action like an invalid one);
    any other refused POST must say 403/404, so a client can tell "not allowed" from "done"."""
    if r.status_code in (403, 404):
        return True
    return (
        method == "POST"
        and name in REFUSED_BY_REDIRECT
        and r.status_code == 302
        and not _to_login(r)
        and before == fingerprint()
    )


def _text(r) -> str:
    if "text/html" not in r.headers.get("Content-Type", "") or getattr(r, "streaming", False):
        return ""
    return r.content.decode("utf-8", "replace")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def _text_problems(r, page, role, url, away_markers) -> list[str]:
    """What a page's HTML must not hold: inline code its CSP blocks, data outside the viewer's
    scope, a full ID number where it must be masked."""
    body = _text(r)
    if not body:
        return []
    problems = []
    if r.status_code == 200:
        blocked = csp.violations(body, r.headers.get("Content-Security-Policy", ""))
        if blocked:
            problems.append(f"{role} {url}: inline code the CSP blocks {blocked}")
    if role in SCOPED or role == ANONYMOUS:
        leaked = [m for m in away_markers if m in body]
        if leaked:
            problems.append(f"{role} {url}: shows data outside its scope {leaked}")
    if not may_show_id(page, role):
        full = [i for i in (HOME_ID, AWAY_ID) if i in body]
        if full:
            problems.append(f"{role} {url}: full ID number on a page that must mask it")
    return problems


def _public_problems(r, page, who, url) -> list[str]:
    if _to_login(r) != page.to_login or r.status_code >= 500 or r.status_code == 403:
        return [f"{who} {page.method} {url}: public page answered {r.status_code}"]
    return []


def _home_problems(r, page, name, role, client, url) -> list[str]:
    """A role on a page of its own side: public pages open, its pages work, others refuse."""
    if page.roles is None:
        return _public_problems(r, page, role, url)
    if role in page.roles:
        if not _works(r, page.method):
            return [f"{role} {page.method} {url}: {r.status_code}, expected to work"]
    elif not _refused(r, page.method, client.before, name):
        return [f"{role} {page.method} {url}: {r.status_code}, expected refusal"]
    return []


def _away_problems(r, page, name, role, client, url) -> list[str]:
    """A role on the same page for data outside its scope: scoped roles are refused, county-wide
    ones work."""
    if role in SCOPED or role not in page.roles:
        if not _refused(r, page.method, client.before, name):
            return [
                f"{role} {page.method} {url} (outside scope): {r.status_code}, expected refusal"
            ]
    elif role in COUNTY_WIDE and not _works(r, page.method):
        return [f"{role} {page.method} {url}: {r.status_code}, expected to work"]
    return []


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_page_access(world, name):
    w = world
    page = MATRIX[name]
    away_markers = [AWAY_NAME, AWAY_ID, w.case["away"].number, w.errand["away"].number]
    problems = []

    # Anonymous.
    url, r = _request(Client(), page, w, "home", ANONYMOUS)
    if page.roles is None:
        problems += _public_problems(r, page, "anonymous", url)
        problems += _text_problems(r, page, ANONYMOUS, url, away_markers)
    elif not _to_login(r):
        problems.append(f"anonymous {page.method} {url}: {r.status_code}, not the login redirect")

    for role, user in _users(w).items():
        client = Client()
        client.force_login(user)
        url, r = _request(client, page, w, "home", role)
        problems += _home_problems(r, page, name, role, client, url)
        problems += _text_problems(r, page, role, url, away_markers)
        if not page.away or page.roles is None:
            continue
        url, r = _request(client, page, w, "away", role)
        problems += _away_problems(r, page, name, role, client, url)
        problems += _text_problems(r, page, role, url, away_markers)

    assert not problems, "\n".join(problems)


def test_roles_cover_staff():
    """Every non-public entry names only known roles."""
    for name, page in MATRIX.items():
        assert page.roles is None or page.roles <= STAFF, name
