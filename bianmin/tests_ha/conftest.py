"""The replicated-PostgreSQL tests (marker `ha`) run only inside scripts/with-ha-postgres.sh
(`make test-ha`), which sets BIANMIN_HA_DIR; elsewhere they are skipped."""

import os

import pytest

from bianmin.catalog.services import item_version_create, item_version_publish


def pytest_collection_modifyitems(config, items):
    if os.environ.get("BIANMIN_HA_DIR"):
        return
    skip = pytest.mark.skip(reason="needs the replicated PostgreSQL set: make test-ha")
    for item in items:
        if item.get_closest_marker("ha"):
            item.add_marker(skip)


def promised_item(county):
    """A township-accepted, county-decided item with one required material."""
    version = item_version_create(
        local_code="HA-0001",
        basic_code="000000000001",
        implementation_code="6107020HA0001",
        name="城乡居民最低生活保障审批",
        item_type="20",
        service_objects=["1"],
        power_source="1",
        legal_basis="《社会救助暂行办法》",
        village_proxy=True,
        case_class="promised",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=county.dept_civil,
        promised_limit=10,
        statutory_limit=20,
        materials=[{"name": "居民身份证", "required": True}],
        steps=[],
    )
    return item_version_publish(version=version, actor=county.admin.user)
