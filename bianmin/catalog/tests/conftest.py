"""Catalog test helpers: items are built through the real services."""

import pytest

from bianmin.catalog.models import CaseClass, ItemType, PowerSource, Tier
from bianmin.catalog.services import item_version_create, item_version_publish


def item_fields(county, **overrides) -> dict:
    """A complete, valid promised item implemented by the county civil affairs bureau."""
    fields = {
        "basic_code": "000000000001",
        "implementation_code": "11610702MB0000001X4000000000000001",
        "name": "最低生活保障审核确认",
        "item_type": ItemType.CONFIRMATION,
        "service_objects": ["1"],
        "power_source": PowerSource.STATUTORY,
        "legal_basis": "《社会救助暂行办法》第十一条",
        "implementing_unit": county.dept_civil,
        "acceptance_conditions": "共同生活的家庭成员人均收入低于当地低保标准",
        "statutory_limit": 30,
        "promised_limit": 20,
        "case_class": CaseClass.PROMISED,
        "accept_tier": Tier.TOWNSHIP,
        "decide_tier": Tier.COUNTY,
        "village_proxy": True,
        "online": False,
        "life_events": ["assistance"],
        "contact_phone": "0916-2222222",
        "complaint_phone": "0916-12345",
    }
    fields.update(overrides)
    return fields


def make_item(county, *, local_code="LOCAL-001", publish=True, actor=None, **overrides):
    """Create (and by default publish) a version of an item; returns the version."""
    materials = overrides.pop(
        "materials",
        [
            {"name": "居民身份证", "originals": 1, "copies": 1},
            {"name": "户口簿", "originals": 1, "copies": 1},
            {"name": "家庭收入情况声明", "deferrable": True, "copies": 0, "originals": 1},
        ],
    )
    fees = overrides.pop("fees", [])
    steps = overrides.pop(
        "steps",
        [
            {"name": "受理", "tier": Tier.TOWNSHIP, "limit_days": 1},
            {"name": "审核", "tier": Tier.TOWNSHIP, "limit_days": 9},
            {"name": "审批", "tier": Tier.COUNTY, "limit_days": 10},
        ],
    )
    joint_units = overrides.pop("joint_units", ())
    version = item_version_create(
        local_code=local_code,
        materials=materials,
        fees=fees,
        steps=steps,
        joint_units=joint_units,
        **item_fields(county, **overrides),
    )
    if publish:
        item_version_publish(version=version, actor=actor or county.admin.user)
        version.refresh_from_db()
    return version


@pytest.fixture
def catalog(county):
    """A small published catalog: a village-proxyable township item, a county item, a village item
    and one draft that must never show in public."""
    c = county
    c.dibao = make_item(c, local_code="MZ-001")
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
