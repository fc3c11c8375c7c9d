"""Every count on the supervision dashboard and on each public disclosure board links to the
list of what it counts, and the list is exactly that long (issue 14 "Figures that add up").

Walked over the demo county with a generated history: the supervisor's dashboard of the county
and of one township, the county board and a board of every kind of unit. Each `data-count` link
is followed through every page of its list; an in-page link (`#id`) counts the rows of that
list on the same page. The region rows add up to the region (its own row, 县本级 / 乡镇本级,
holds the cases of its own hall).
"""

import html
import re

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from bianmin.demo.builder import build_demo
from bianmin.demo.scale import build_cases
from bianmin.orgs.models import Staff, Unit, UnitKind
from bianmin.supervision.selectors import dashboard

pytestmark = pytest.mark.slow

COUNT = re.compile(r'<a data-count="(\d+)" href="([^"]+)"')
# One row of each kind of list: the staff case list, a public board's case list, the guides.
ROW = re.compile(r'<tr class="light-|<tr data-row>|<a class="title" href=')
NEXT = re.compile(
    r'<a (?:rel="next" )?href="([^"]+)"(?: class="button")?(?: rel="next")?>下一页</a>'
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            build_demo(seed=2026)
            build_cases(seed=2026, cases=900, until=timezone.localdate(), years=1, batch=1000)
            yield
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def _list_length(client: Client, url: str) -> int:
    """Rows of the list at `url`, over all its pages."""
    n, seen = 0, set()
    while url:
        assert url not in seen, url
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        n += len(ROW.findall(body))
        more = NEXT.search(body)
        url = url.split("?")[0] + html.unescape(more.group(1)) if more else None
    return n


def _walk(client: Client, page: str) -> int:
    """Follow every count of `page`; returns how many counts were checked."""
    response = client.get(page)
    assert response.status_code == 200, page
    body = response.content.decode()
    counts = COUNT.findall(body)
    assert counts, f"no counts on {page}"
    for n, url in counts:
        url = html.unescape(url)
        if url.startswith("#"):
            block = re.search(rf'id="{url[1:]}">(.*?)</ul>', body, re.S)
            assert block, url
            got = block.group(1).count("<li data-row>")
        else:
            got = _list_length(client, url)
        assert got == int(n), f"{page}: count {n} but {url} lists {got}"
    return len(counts)


@pytest.mark.django_db
def test_every_dashboard_count_equals_its_list(demo):
    supervisor = Staff.objects.get(user__username="supervisor").user
    client = Client()
    client.force_login(supervisor)
    county = dashboard(viewer=supervisor)
    # The region rows, with the county's own row, add up to the county.
    own = [r for r in county["children"] if r["own"]]
    assert len(own) == 1 and own[0]["name"] == "县本级" and own[0]["total"] > 0
    for key in ("total", "open", "green", "yellow", "red"):
        assert sum(r[key] for r in county["children"]) == county["totals"][key], key
    assert county["totals"]["yellow"] and county["totals"]["red"]
    township = next(r for r in county["children"] if not r["own"] and r["total"])
    checked = _walk(client, "/supervision/")
    checked += _walk(client, f"/supervision/?region={township['code']}")
    assert checked > 50


@pytest.mark.django_db
def test_every_public_board_count_equals_its_list(demo):
    client = Client()
    boards = ["/disclosure/"] + [
        f"/disclosure/{u.code}/"
        for u in (
            Unit.objects.filter(kind=kind, is_active=True).order_by("code").first()
            for kind in UnitKind.values
        )
        if u is not None
    ]
    for board in boards:
        _walk(client, board)
    # The county board counts the county's cases, held at the centre's windows or anywhere in
    # the county, not the centre unit alone (it showed 0 / 0 / 0).
    body = client.get("/disclosure/").content.decode()
    received = int(COUNT.search(body).group(1))
    first = timezone.localdate().replace(day=1)
    from bianmin.cases.models import Case

    assert received == Case.objects.filter(submitted_on__gte=first).count() > 0


@pytest.mark.django_db
def test_station_board_says_how_many_items_it_shows(demo):
    station = Unit.objects.filter(kind=UnitKind.VILLAGE_STATION).order_by("code").first()
    body = Client().get(f"/disclosure/{station.code}/").content.decode()
    total = int(re.search(r'办理事项（<a data-count="(\d+)"', body).group(1))
    assert total > 100
    assert f"共{total}项，显示前100项" in body
    assert 'href="/guides/?tier=village"' in body
