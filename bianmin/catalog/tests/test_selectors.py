import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.catalog.selectors import item_get_published, item_list_published
from bianmin.catalog.services import item_retire, item_version_publish, item_version_revise
from bianmin.common.errors import DomainError, NotFound


def codes(qs):
    return [v.item.local_code for v in qs]


def test_only_published_items_are_listed(catalog):
    assert codes(item_list_published()) == ["CJ-001", "LY-001", "MZ-001", "ZR-001"]


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        # village: proxyable items plus those the village accepts itself
        ("village", ["CJ-001", "MZ-001", "ZR-001"]),
        ("township", ["MZ-001", "ZR-001"]),
        ("county", ["LY-001"]),
    ],
)
def test_tier_filter(catalog, tier, expected):
    assert codes(item_list_published(tier=tier)) == expected


def test_unknown_tier_is_refused(catalog):
    with pytest.raises(DomainError) as exc:
        item_list_published(tier="province")
    assert exc.value.status == 400 and exc.value.field == "tier"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("宅基地", ["ZR-001"]),
        ("采伐", ["LY-001"]),
        ("身份证", ["CJ-001", "MZ-001", "ZR-001"]),  # material names
        ("户口簿", ["MZ-001"]),
        ("ly-001", ["LY-001"]),  # local code, case-insensitive
        ("000000000002", ["ZR-001"]),  # basic code
        ("MB0000003X", ["LY-001"]),  # implementation code
        ("宅基地 申请表", ["ZR-001"]),  # every word must match
        ("宅基地 林木", []),
        ("养老保险", []),  # a draft never matches
    ],
)
def test_q_search(catalog, q, expected):
    assert codes(item_list_published(q=q)) == expected


def test_department_life_event_and_flags(catalog):
    assert codes(item_list_published(department="D-ZR")) == ["LY-001", "ZR-001"]
    # a joint unit finds the item too
    assert codes(item_list_published(department="D-RS")) == ["ZR-001"]
    assert codes(item_list_published(life_event="farming")) == ["LY-001", "ZR-001"]
    assert codes(item_list_published(online=True)) == ["LY-001"]
    assert codes(item_list_published(village_proxy=False)) == ["CJ-001", "LY-001"]
    with pytest.raises(DomainError):
        item_list_published(life_event="nonsense")


def test_list_query_count_does_not_grow_with_items(catalog):
    with CaptureQueriesContext(connection) as ctx:
        seen = [
            (
                v.implementing_unit.name,
                v.item.local_code,
                len(v.materials.all()) + len(v.fees.all()) + len(v.steps.all()),
                len(v.joint_units.all()),
            )
            for v in item_list_published()
        ]
    assert len(seen) == 4 and ("区自然资源局", "ZR-001", 6, 2) in seen
    assert len(ctx.captured_queries) == 5


def test_get_by_any_code(catalog):
    assert item_get_published("ZR-001").name == "农村宅基地审批"
    assert item_get_published("000000000002").item.local_code == "ZR-001"
    assert item_get_published("11610702MB0000002X4000000000000002").item.local_code == "ZR-001"
    with pytest.raises(NotFound):
        item_get_published("RS-001")  # draft only
    with pytest.raises(NotFound):
        item_get_published("NOPE")


def test_get_returns_current_version_not_newer_draft(catalog):
    draft = item_version_revise(item=catalog.dibao.item, actor=None, changes={"name": "新名称"})
    assert item_get_published("MZ-001").pk == catalog.dibao.pk
    item_version_publish(version=draft, actor=None)
    assert item_get_published("MZ-001").name == "新名称"
    assert codes(item_list_published(q="最低生活")) == []


def test_retired_item_disappears(catalog):
    item_retire(item=catalog.forest.item, actor=None)
    assert "LY-001" not in codes(item_list_published())
    with pytest.raises(NotFound):
        item_get_published("LY-001")
