"""`bianmin seed-demo --scale city` end to end: ten counties, their catalogues and cases.

In a module of its own: it needs an empty database, which the module-wide county of test_city.py
is not while that module runs.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from bianmin.cases.chain import chains_verify
from bianmin.cases.models import Case
from bianmin.catalog.models import ItemVersion
from bianmin.demo.catalog_build import expanded_items
from bianmin.orgs.models import Region, Staff, Unit, UnitKind


@pytest.mark.slow
@pytest.mark.django_db
def test_scale_city_builds_ten_counties_with_cases_in_every_one():
    out = StringIO()
    call_command(
        "seed_demo", "--scale", "city", "--cases", "600", "--until", "2026-11-20", stdout=out
    )
    counties = Region.objects.filter(level="county")
    assert counties.count() == 10
    stations = Unit.objects.filter(kind=UnitKind.VILLAGE_STATION).count()
    assert 1900 <= stations <= 2100
    assert Staff.objects.count() > 2500
    for county in counties:
        assert ItemVersion.objects.filter(
            status="published", implementing_unit__region=county
        ).count() == len(expanded_items()), county.name
    cased = {code[:6] for code in Case.objects.values_list("region__code", flat=True)}
    assert cased == {c.code[:6] for c in counties}
    assert chains_verify() == []
    assert "9 more counties" in out.getvalue()
