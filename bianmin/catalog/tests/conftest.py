"""Catalog test helpers: items are built through the real services."""

import pytest

from bianmin.catalog.models import CaseClass, ItemType, Tier
from bianmin.tests_factories import ItemFactory


def make_item(county, **fields):
    """A published item version of `county` (a draft with publish=False): see ItemFactory."""
    return ItemFactory(county=county, **fields)


@pytest.fixture
def catalog(county):
    """A small published catalog: a village-proxyable township item, a county item, a village item
    and one draft that must never show in public."""
    c = county
    c.dibao = make_item(
        c,
        local_code="MZ-001",
        basic_code="000000000001",
        implementation_code="11610702MB0000001X4000000000000001",
    )
    c.homestead = make_item(
        c,
        local_code="ZR-001",
        basic_code="000000000002",
        implementation_code="11610702MB0000002X4000000000000002",
        name="农村宅基地审批",
        item_type=ItemType.LICENSING,
        implementing_unit=c.dept_land,
        case_class=CaseClass.JOINT,
        joint_units=[c.dept_civil, c.dept_social],
        accept_tier=Tier.TOWNSHIP,
        decide_tier=Tier.TOWNSHIP,
        village_proxy=True,
        life_events=["housing", "farming"],
        materials=[
            {"name": "农村宅基地和建房(规划许可)申请表", "originals": 1, "copies": 0},
            {"name": "申请人身份证", "originals": 1, "copies": 1},
        ],
        fees=[{"name": "工本费", "amount": "0", "standard": "不收费"}],
    )
    c.forest = make_item(
        c,
        local_code="LY-001",
        basic_code="000000000003",
        implementation_code="11610702MB0000003X4000000000000003",
        name="林木采伐许可证核发",
        item_type=ItemType.LICENSING,
        implementing_unit=c.dept_land,
        accept_tier=Tier.COUNTY,
        decide_tier=Tier.COUNTY,
        village_proxy=False,
        online=True,
        life_events=["farming"],
        materials=[{"name": "林木采伐申请书", "originals": 1, "copies": 0}],
        fees=[{"name": "林木采伐许可证工本费", "amount": "5.00", "standard": "每证"}],
    )
    c.proof = make_item(
        c,
        local_code="CJ-001",
        basic_code="000000000004",
        implementation_code="11610702MB0000004X4000000000000004",
        name="居住证明",
        item_type=ItemType.PUBLIC_SERVICE,
        implementing_unit=c.s11,
        case_class=CaseClass.IMMEDIATE,
        statutory_limit=1,
        promised_limit=0,
        accept_tier=Tier.VILLAGE,
        decide_tier=Tier.VILLAGE,
        village_proxy=False,
        life_events=["certificate"],
        materials=[{"name": "居民身份证", "originals": 1, "copies": 0}],
        steps=[{"name": "受理并出具", "tier": Tier.VILLAGE, "limit_days": 0}],
    )
    c.draft_only = make_item(
        c,
        local_code="RS-001",
        basic_code="000000000005",
        implementation_code="11610702MB0000005X4000000000000005",
        name="城乡居民养老保险参保登记",
        implementing_unit=c.dept_social,
        publish=False,
    )
    return c
