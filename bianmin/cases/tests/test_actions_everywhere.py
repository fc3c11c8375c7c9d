"""The case page and the API offer exactly the same actions to the same person on the same case.

Walked over the demo county with a generated history: for every state the history holds (a few
cases each) and every kind of demo account that may come near the case (its village agent, its
township's clerk and head, the deciding department's approver and head, the county window, the
supervisor, the administrator), the action forms the page renders (the primary one first) and
the inline material actions equal the API's `allowed_actions`, which both take from
`case_actions_for`; and where the page refuses the case (403), so does the API.
"""

import datetime as dt
import re
from collections import defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client

from bianmin.cases.models import Case, State
from bianmin.demo.builder import DEMO_PASSWORD, build_demo
from bianmin.demo.scale import build_cases
from bianmin.orgs.models import RoleCode, Staff, UnitKind

UNTIL = dt.date(2026, 11, 20)
PER_STATE = 3

pytestmark = pytest.mark.slow

FORM = re.compile(r'<form method="post" action="[^"]+" class="action action-([a-z_]+)"')
INLINE = re.compile(r'id="materials" data-actions="([a-z_ ]*)"')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            build_demo(seed=2026)
            build_cases(seed=2026, cases=1500, until=UNTIL, years=1, batch=1000)
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def _people_near(case: Case) -> list[str]:
    """Usernames of the demo accounts around `case`."""
    units = {case.intake_unit_id, case.current_unit_id, case.deciding_unit_id}
    centre = case.intake_unit.parent if case.intake_unit.kind == UnitKind.VILLAGE_STATION else None
    if centre is not None:
        units.add(centre.pk)
    staff = Staff.objects.filter(unit__in=units).select_related("user")
    names = {s.user.username for s in staff if set(s.roles) - {RoleCode.SUPERVISOR}}
    return sorted(names | {"c-window", "supervisor", "admin"})


def _page_actions(client: Client, number: str) -> tuple[int, list[str]]:
    r = client.get(f"/cases/{number}/")
    if r.status_code != 200:
        return r.status_code, []
    body = r.content.decode()
    forms = FORM.findall(body)
    inline = INLINE.search(body)
    return 200, forms + (inline.group(1).split() if inline else [])


def _api_actions(client: Client, headers: dict, number: str) -> tuple[int, list[str]]:
    r = client.get(f"/api/v1/cases/{number}", **headers)
    return r.status_code, (r.json()["allowed_actions"] if r.status_code == 200 else [])


def test_page_and_api_offer_the_same_actions_for_every_state_and_role(demo, db):
    by_state: dict[str, list[Case]] = defaultdict(list)
    for case in Case.objects.select_related("intake_unit__parent").order_by("-pk"):
        if len(by_state[case.state]) < PER_STATE:
            by_state[case.state].append(case)
    # The walk means something only if the history reaches the states along the route.
    assert {State.SUBMITTED, State.FORWARDED, State.ACCEPTED, State.TO_DELIVER} <= set(by_state)
    tokens: dict[str, dict] = {}
    users = {u.username: u for u in get_user_model().objects.all()}
    compared = offered = 0
    for state, cases in sorted(by_state.items()):
        for case in cases:
            for username in _people_near(case):
                page = Client()
                page.force_login(users[username])
                api = Client()
                if username not in tokens:
                    r = api.post(
                        "/api/v1/auth/token",
                        {"username": username, "password": DEMO_PASSWORD},
                        content_type="application/json",
                    )
                    assert r.status_code == 200, r.content
                    tokens[username] = {"HTTP_AUTHORIZATION": f"Bearer {r.json()['token']}"}
                page_status, on_page = _page_actions(page, case.number)
                api_status, in_api = _api_actions(api, tokens[username], case.number)
                where = (state, case.number, username)
                assert page_status == api_status, where
                # The page shows the forms in the API's order (next expected action first),
                # with the inline material actions beside the materials.
                forms = [a for a in in_api if a not in ("upload", "file_review")]
                assert on_page[: len(forms)] == forms, where
                assert sorted(on_page) == sorted(in_api), where
                compared += 1
                offered += bool(in_api)
    assert compared > 100 and offered > 30, (compared, offered)
