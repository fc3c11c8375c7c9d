"""No N+1: the main selectors and pages run the same number of queries for 40 cases as for 160.

The cases come from the bulk history generator (`bianmin.demo.scale`), which writes what the
services write, so every state, custody hop, pause and event a page may touch is there.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases import selectors
from bianmin.cases.models import Case
from bianmin.demo.scale import build_cases
from bianmin.orgs.scope import scope_for

UNTIL = dt.date(2026, 11, 20)


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def grow(n: int) -> None:
    build_cases(seed=n, cases=n, until=UNTIL, years=1)


@pytest.fixture
def two_sizes(items):
    """Query counts of `fn` with some cases and with four times as many. The smaller set is large
    enough that every queue of the village and township already has rows (at 40 cases of the
    block generator some were empty, and a prefetch only runs on rows)."""

    def measure(fn) -> tuple[int, int]:
        grow(120)
        small = count(fn)
        grow(360)
        return small, count(fn)

    return measure


def test_case_list_and_queues_do_not_grow_with_rows(county, two_sizes):
    def run():
        selectors.case_list(viewer=county.t1_staff.user, limit=50)
        selectors.work_queues(viewer=county.t1_staff.user)
        selectors.case_list(viewer=county.supervisor.user, queue="overdue", limit=50)

    small, large = two_sizes(run)
    assert Case.objects.count() >= 150
    # A prefetch only runs when its queryset has rows, so a queue empty at 120 cases and filled at
    # 480 adds a query or two; an N+1 would add one per row (4x the rows here).
    assert small <= large <= small + 4
    assert large <= 40


def test_case_list_page_and_queue_page(county, client, two_sizes):
    client.force_login(county.t1_staff.user)

    def run():
        assert client.get("/cases/").status_code == 200
        assert client.get("/cases/queues/").status_code == 200

    small, large = two_sizes(run)
    assert large <= small + 4


def test_case_page_does_not_grow_with_other_cases(county, client, items):
    client.force_login(county.supervisor.user)
    grow(40)
    number = Case.objects.filter(state="closed").order_by("pk").values_list("number", flat=True)[0]
    small = count(lambda: client.get(f"/cases/{number}/"))
    grow(120)
    large = count(lambda: client.get(f"/cases/{number}/"))
    assert small == large
    assert large <= 60


def test_item_list_does_not_grow_with_items(items, client):
    from bianmin.catalog.selectors import item_list_published

    small = count(lambda: list(item_list_published()))
    assert small <= 10


def test_supervision_dashboard_does_not_grow_with_rows(county, two_sizes):
    from bianmin.supervision.selectors import dashboard

    viewer = county.supervisor.user
    small, large = two_sizes(lambda: dashboard(viewer=viewer, today=UNTIL))
    assert small <= large <= small + 4


QUEUE_STATES_REACHED = (
    "submitted",
    "forwarded",
    "awaiting_materials",
    "accepted",
    "referred",
    "reviewed",
    "suspended",
    "decided",
    "concluded",
    "returning",
    "to_deliver",
    "closed",
)


# Which action each work queue waits for, for a clerk who may take every hall action.
QUEUE_ACTIONS = {
    "to_receive": {"receive"},
    "to_accept": {"accept"},
    "to_forward": {"forward"},
    "to_review": {"review", "opine", "decide", "conclude"},
    "awaiting_materials": {"supplement"},
    "to_hand_back": {"hand_back"},
    "to_deliver": {"deliver"},
}


def test_work_queues_agree_with_the_actions_and_clocks_of_whole_cases(county, items):
    """`work_queues` sorts light rows of the open cases into queues by one table; checked here
    against whole `Case` instances: a case is in an action's queue exactly when the case page
    offers that clerk the action (`case_actions_for`) at a unit the clerk works at, and in due_soon / overdue exactly when
    the case's running clock (`deadlines.clock`) is yellow / red, on days that make cases due
    soon and overdue."""
    from bianmin.cases.deadlines import clock as case_clock
    from bianmin.cases.services import case_actions_for
    from bianmin.cases.tests.helpers import promised_at

    for state in QUEUE_STATES_REACHED:
        promised_at(county, items, state)
    grow(300)
    viewers = [county.t1_staff.user, county.t2_staff.user, county.civil.user]
    seen = {name: 0 for name in selectors.QUEUES}
    for today in (UNTIL - dt.timedelta(days=40), UNTIL, UNTIL + dt.timedelta(days=30)):
        for viewer in viewers:
            queues = selectors.work_queues(viewer=viewer, today=today, limit=5000)
            members = {name: {c.pk for c in q["items"]} for name, q in queues.items()}
            visible = selectors.open_cases_visible(viewer=viewer, states=selectors.QUEUE_STATES)
            want: dict[str, set[int]] = {name: set() for name in selectors.QUEUES}
            # Queues hold the work of the units the viewer works at (a township's own hall, not
            # the village stations it may act for).
            home = scope_for(viewer).home_unit_ids
            for case in visible.select_related("item_version", "current_unit__region"):
                allowed = set(case_actions_for(case, viewer))
                for name, actions in QUEUE_ACTIONS.items():
                    here = case.current_unit_id in home or (
                        name == "awaiting_materials" and case.intake_unit_id in home
                    )
                    if allowed & actions and (here or (name == "to_review" and "opine" in allowed)):
                        want[name].add(case.pk)
                colour = case_clock(case, today).colour
                if colour == "yellow":
                    want["due_soon"].add(case.pk)
                elif colour == "red":
                    want["overdue"].add(case.pk)
            for name in selectors.QUEUES:
                assert members[name] == want[name], (viewer.username, today, name)
                assert queues[name]["count"] == len(want[name])
                seen[name] += len(want[name])
    # The comparison means something only if every queue held cases at some point.
    assert all(seen.values()), seen


def test_work_queues_query_count_is_bounded(county, two_sizes):
    """A queue page reads the open cases once, the pending joint reviews, one page of cases and
    their pauses: the same handful of queries whatever the number of cases or queues."""
    small, large = two_sizes(lambda: selectors.work_queues(viewer=county.supervisor.user))
    assert large <= 8
    assert small <= large


def test_api_queues_and_case_do_not_grow_with_rows(county, client, token_for, two_sizes):
    headers = token_for(county.t1_staff.user.username)

    def run():
        assert client.get("/api/v1/cases/queues", **headers).status_code == 200

    small, large = two_sizes(run)
    # Each relation (open pauses, pending joint reviews, the pauses of the listed cases, their
    # units and items) is read once when any case needs it, not once per case.
    assert max(small, large) <= 12 and large <= small + 4, (small, large)
    number = (
        selectors.cases_visible(viewer=county.t1_staff.user)
        .order_by("-pk")
        .values_list("number", flat=True)[0]
    )
    one = count(lambda: client.get(f"/api/v1/cases/{number}", **headers))
    build_cases(seed=7, cases=120, until=UNTIL, years=1)
    assert count(lambda: client.get(f"/api/v1/cases/{number}", **headers)) == one


def test_village_agent_pages_do_not_grow_with_rows(county, client, two_sizes):
    client.force_login(county.a11.user)

    def run():
        assert client.get("/cases/queues/").status_code == 200
        assert client.get("/cases/").status_code == 200

    small, large = two_sizes(run)
    assert large <= small + 4


def test_guide_list_reads_one_page_in_a_fixed_number_of_queries(client, items, monkeypatch):
    """The public guide list shows one page of the catalogue, filters kept in the pager links, in
    the same number of queries whatever the page size."""
    from bianmin.catalog.models import ItemVersion
    from bianmin.common import public_cache
    from bianmin.portal import guide_views

    published = ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED).count()
    assert published >= 3
    full = count(lambda: client.get("/guides/"))
    monkeypatch.setattr(guide_views, "GUIDES_PER_PAGE", 1)
    r = client.get("/guides/", {"tier": "township", "page": "2"})
    body = r.content.decode()
    assert r.status_code == 200
    assert body.count('class="title"') == 1
    assert "tier=township&amp;page=1" in body  # the previous page keeps the filter
    public_cache.clear()  # built again, not served from the public cache
    assert count(lambda: client.get("/guides/")) == full
    assert full <= 6


def every_kind_of_viewer(county, django_user_model) -> list:
    """Two township clerks, a department, the supervisor, a village agent and a superuser."""
    root = django_user_model.objects.create_superuser("root", password="test-pass-123")
    return [
        county.t1_staff.user,
        county.t2_staff.user,
        county.civil.user,
        county.supervisor.user,
        county.a11.user,
        root,
    ]


def test_open_cases_visible_is_cases_visible_on_unfinished_cases(county, items, django_user_model):
    """The indexed read of a viewer's unfinished cases (an OR of indexed arms, hops intersected
    with the unfinished cases) sees exactly what `cases_visible` sees, for every kind of viewer
    and for state lists with and without the delivery states."""
    from bianmin.cases.models import DELIVERY_STATES, OPEN_STATES, State

    grow(200)
    viewers = every_kind_of_viewer(county, django_user_model)
    routed_only = 0
    for states in (OPEN_STATES | DELIVERY_STATES, OPEN_STATES, {State.SUBMITTED}):
        for viewer in viewers:
            scope = scope_for(viewer)
            expected = set(
                selectors.cases_visible(viewer=viewer)
                .filter(state__in=states)
                .values_list("pk", flat=True)
            )
            got = set(
                selectors.open_cases_visible(viewer=viewer, states=states, scope=scope).values_list(
                    "pk", flat=True
                )
            )
            assert got == expected, (viewer.username, sorted(states))
            if scope.kind == "department":
                routed_only += len(got)
    # The department sees only cases routed to it: the unit and hop arms were exercised.
    assert routed_only


def test_a_case_visible_on_its_face_is_visible(county, items, django_user_model):
    """The case page's check without a query (`visible_on_its_face`) only ever says yes where
    `cases_visible` does, and says it for the cases of a region's staff: for every kind of viewer
    over every case, errands too."""
    from bianmin.cases.models import Case
    from bianmin.cases.selectors.access import visible_on_its_face

    grow(200)
    viewers = every_kind_of_viewer(county, django_user_model)
    cases = list(Case.all_objects.select_related("region"))
    on_face = 0
    for viewer in viewers:
        scope = scope_for(viewer)
        visible = set(
            selectors.cases_visible(viewer=viewer, base=Case.all_objects.all()).values_list(
                "pk", flat=True
            )
        )
        seen = {c.pk for c in cases if visible_on_its_face(scope, c)}
        assert seen <= visible, viewer.username
        on_face += len(seen)
        if scope.kind in ("township", "village", "jurisdiction"):
            # Their cases are their regions' (and the units'): the face says it for every one
            # but those only routed through them.
            assert seen, viewer.username
    assert on_face


def test_township_queues_query_count_is_bounded(county, two_sizes):
    """A township's queues: scope, hop ids, open cases and their pauses (once a suspended case is
    among them), joint reviews, one page and its pauses."""
    small, large = two_sizes(lambda: selectors.work_queues(viewer=county.t1_staff.user))
    assert large <= 10
    assert small <= large


# Queries per request of the staff pages and calls in the HTTP mix (bench/bench_http.py), for a
# township clerk, counted from the session or token lookup to the last read. Pinned: a change
# that adds a query to every such request shows here, and none may grow with the cases.
# The case is the clerk's own (it took the case in): its people are the viewer, no query.
STAFF_REQUEST_QUERIES = {
    "case page": 14,
    "queue page": 12,
    "API case": 9,
    "API queues": 10,
    "API case list": 6,
}
# On PostgreSQL the queues read a township's unfinished cases in one query where SQLite first reads
# the held and reviewed case ids (selectors.open_cases_visible): two queries fewer.
if connection.vendor != "sqlite":
    STAFF_REQUEST_QUERIES |= {"queue page": 10, "API queues": 8}


def test_staff_requests_run_a_pinned_number_of_queries(county, items, client, token_for):
    from django.test import Client

    from bianmin.cases.tests.helpers import promised_at

    case = promised_at(county, items, "accepted")
    # Every queue relation has rows before the growth, so a prefetch runs at both sizes.
    for state in ("submitted", "reviewed", "suspended", "awaiting_materials"):
        promised_at(county, items, state)
    page = Client()
    page.force_login(county.t1_staff.user)
    api = token_for(county.t1_staff.user.username)
    requests = {
        "case page": lambda: page.get(f"/cases/{case.number}/"),
        "queue page": lambda: page.get("/cases/queues/"),
        "API case": lambda: client.get(f"/api/v1/cases/{case.number}", **api),
        "API queues": lambda: client.get("/api/v1/cases/queues", **api),
        "API case list": lambda: client.get("/api/v1/cases?limit=20", **api),
    }

    def tables() -> dict[str, list[str]]:
        """Per request, the table each query reads or writes first (a failure shows which)."""
        out = {}
        for name, request in requests.items():
            request()  # once before: the calendar and other per-process caches are filled
            with CaptureQueriesContext(connection) as ctx:
                assert request().status_code == 200, name
            out[name] = [" ".join(re.findall(r'(?:FROM|INTO) "(\w+)"', q["sql"])[:1]) for q in ctx]
        return out

    grow(100)
    small = tables()
    grow(200)
    large = tables()
    for name, queries in small.items():
        assert large[name] == queries, (name, queries, large[name])
    counts = {name: len(q) for name, q in small.items()}
    assert counts == STAFF_REQUEST_QUERIES, (counts, small)
