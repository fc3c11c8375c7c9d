"""The rest of 汉中市 for `bianmin seed-demo --scale city`: nine more counties beside the demo one.

Each county is built like the demo county (`builder`): regions, units and staff profiles through
the orgs services, its own published catalogue through the catalog services (items are per
county). What makes it affordable at city size is what the demo county already does, applied once
for the whole city: the demo password is hashed a single time and the hash written to every
account, and all counties are built in one transaction.
"""

from django.contrib.auth.hashers import make_password
from django.db import transaction

from .builder import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoCounty,
    build_regions,
    build_staff,
    build_units,
)
from .catalog_build import build_catalog
from .counties import CITY_COUNTIES, CountyPlace


def build_county(seed: int, place: CountyPlace, *, password_hash: str) -> DemoCounty:
    """One county of the city: regions, units, staff and its published catalogue."""
    county, tree = build_regions(seed, place)
    demo = build_units(seed, county, tree, place)
    staff = build_staff(seed, demo, password_hash=password_hash)
    admin = next(s.user for s in staff if s.user.username == f"{place.prefix}admin")
    build_catalog(seed, demo, actor=admin)
    return demo


@transaction.atomic
def build_city(*, seed: int = DEFAULT_SEED, counties: int = len(CITY_COUNTIES)) -> list[DemoCounty]:
    """The first `counties` of `CITY_COUNTIES` (at most nine), beside an existing demo county."""
    if not 0 <= counties <= len(CITY_COUNTIES):
        raise ValueError(f"counties must be between 0 and {len(CITY_COUNTIES)}")
    password_hash = make_password(DEMO_PASSWORD)
    return [
        build_county(seed, place, password_hash=password_hash) for place in CITY_COUNTIES[:counties]
    ]
