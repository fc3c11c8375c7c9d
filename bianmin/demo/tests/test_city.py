"""`bianmin seed-demo --scale city`: the other counties of 汉中市, their staff, catalogues and cases."""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.http import HttpRequest

from bianmin.cases.chain import chains_verify
from bianmin.cases.models import Case
from bianmin.catalog.models import ItemVersion
from bianmin.common.validators import validate_division_code
from bianmin.demo.builder import DEMO_PASSWORD, build_demo
from bianmin.demo.catalog_build import expanded_items
from bianmin.demo.city import build_city
from bianmin.demo.counties import CITY_COUNTIES
from bianmin.demo.scale import build_cases
from bianmin.demo.scale.rows import BLOCK
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind
from bianmin.orgs.scope import scope_for

UNTIL = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def two_counties(django_db_setup, django_db_blocker):
    """The demo county and 南郑区 with a short case history, built once and rolled back after."""
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            build_demo(seed=2026)
            made = build_city(seed=2026, counties=1)
            history = build_cases(seed=2026, cases=400, until=UNTIL, years=1, batch=150)
            yield made, history
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


def test_the_city_counties_are_real_hanzhong_codes_in_the_rules_ranges():
    codes = [p.code for p in CITY_COUNTIES]
    assert len(codes) == len(set(codes)) == 9
    assert all(c.startswith("6107") and c != "610702" for c in codes)
    villages = 0
    for place in CITY_COUNTIES:
        kinds = Counter()
        for code3, name, communities, vills in place.townships:
            n = int(code3)
            kind = "街道" if n < 100 else "镇" if n < 200 else "乡"
            assert name.endswith(kind), (place.name, name, code3)
            validate_division_code(f"{place.code}{code3}000")
            kinds[code3] += 1
            villages += communities + vills
        assert max(kinds.values()) == 1, place.name
    # With the demo county's ~200, the city has about 2,000 villages and communities.
    assert 1700 <= villages <= 1850


def test_a_second_county_is_complete(two_counties, db):
    (nanzheng,), _history = two_counties
    place = nanzheng.place
    county = Region.objects.get(code=f"{place.code}000000")
    assert county.name == "南郑区" and nanzheng.county == county
    villages = Region.objects.filter(code__startswith=place.code, code__endswith="000").count()
    assert villages == len(place.townships) + 1  # townships and the county itself
    assert 230 <= nanzheng.villages <= 290
    stations = Unit.objects.filter(kind=UnitKind.VILLAGE_STATION, region__code__startswith="610703")
    assert stations.count() == nanzheng.villages
    # Department names are the county's own, not the demo county's.
    names = set(
        Unit.objects.filter(region=county, kind=UnitKind.DEPARTMENT).values_list("name", flat=True)
    )
    assert "南郑区民政局" in names and "汉中市公安局南郑分局" in names
    assert not any("汉台" in n for n in names)
    # Its own published catalogue, implemented by its own departments.
    published = ItemVersion.objects.filter(status="published", implementing_unit__region=county)
    assert published.count() == len(expanded_items()) == nanzheng.items
    assert not published.filter(item__local_code__startswith="610702").exists()


def test_city_staff_log_in_and_see_only_their_own_county(two_counties, db, client):
    User = get_user_model()
    agent = User.objects.get(username="610703-v0101-agent")
    assert client.login(request=HttpRequest(), username=agent.username, password=DEMO_PASSWORD)
    client.logout()
    assert client.login(request=HttpRequest(), username="610703-t01-staff", password=DEMO_PASSWORD)
    client.logout()
    # One hash for the whole city, and no second superuser.
    assert User.objects.filter(username__startswith="610703-").count() == len(
        two_counties[0][0].staff
    )
    assert User.objects.filter(is_superuser=True).count() == 1
    admin = Staff.objects.get(user__username="610703-admin")
    assert RoleCode.ADMINISTRATOR in admin.roles
    head = Staff.objects.select_related("unit__region").get(user__username="610703-t01-head")
    scope = scope_for(head.user)
    assert head.unit.region.code.startswith("610703")
    assert scope.can_see_region(head.unit.region.code)
    assert not scope.can_see_region("610702001000")
    assert (
        Unit.objects.filter(scope.units_q()).exclude(region__code__startswith="610703").count() == 0
    )
    assert Unit.objects.filter(scope.units_q()).exists()


def test_cases_are_spread_over_both_counties_with_valid_chains(two_counties, db):
    _made, history = two_counties
    by_county = Counter(code[:6] for code in Case.objects.values_list("region__code", flat=True))
    assert set(by_county) == {"610702", "610703"}
    assert min(by_county.values()) > 0.3 * history.cases
    # A case of 南郑区 is handled by 南郑区's units only.
    foreign = Case.objects.filter(region__code__startswith="610703").exclude(
        deciding_unit__region__code__startswith="610703"
    )
    assert not foreign.exists()
    assert chains_verify() == []


def _snapshot() -> dict:
    from bianmin.cases.models import CaseEvent

    return {
        "cases": sorted(Case.objects.values_list("pk", "number", "state", "item_version_id")),
        "events": sorted(CaseEvent.objects.values_list("pk", "case_id", "seq", "hash")),
    }


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL workers write over their own connections, outside the test transaction",
)
def test_the_data_do_not_depend_on_how_the_blocks_of_two_counties_are_shared_out(two_counties, db):
    """Blocks mix both counties' cases; played by two workers, the same rows."""

    def run(**kw):
        with transaction.atomic():
            build_cases(seed=5, cases=BLOCK + 200, until=UNTIL, years=1, batch=400, **kw)
            snap = _snapshot()
            transaction.set_rollback(True)
        return snap

    one = run()
    two = run(workers=2)
    assert len(one["cases"]) > BLOCK
    assert one == two
