"""Items of each case class, the clock on the cases' Monday, and small helpers."""

import datetime as dt
from types import SimpleNamespace

import pytest

from bianmin.tests_factories import PERSON, ItemFactory  # noqa: F401 - PERSON for the tests
from bianmin.tests_factories.cases import signature_png  # noqa: F401 - for the tests
from bianmin.workdays import calendar


def _item(code, county, **kw):
    """A published item with local code `code` (ItemFactory; `county` may be None)."""
    return ItemFactory(county=county, local_code=code, **kw)


MATERIALS = [
    {"name": "居民身份证", "required": True},
    {"name": "申请表", "required": True},
    {"name": "户口簿", "required": True, "deferrable": True},
    {"name": "收入证明", "required": True, "pledgeable": True},
    {"name": "照片", "required": False},
]
STEPS = [
    {"name": "受理", "tier": "township", "limit_days": 1},
    {"name": "审核", "tier": "county", "limit_days": 4},
    {"name": "决定", "tier": "county", "limit_days": 5},
]


@pytest.fixture
def items(county):
    c = county
    ns = SimpleNamespace()
    ns.immediate = _item(
        "IMM001",
        c,
        name="开具居住证明",
        case_class="immediate",
        accept_tier="township",
        decide_tier="township",
        implementing_unit=c.tc1,
        promised_limit=0,
        statutory_limit=5,
        materials=[{"name": "居民身份证", "required": True}],
        steps=[],
    )
    ns.promised = _item(
        "PRM001",
        c,
        name="城乡居民最低生活保障审批",
        case_class="promised",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=c.dept_civil,
        promised_limit=10,
        statutory_limit=20,
        pledge_allowed=True,
        result_is_certificate=True,
        result_name="低保证",
        materials=MATERIALS,
        steps=STEPS,
    )
    ns.joint = _item(
        "JNT001",
        c,
        name="农村宅基地建房审批",
        case_class="joint",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=c.dept_land,
        promised_limit=15,
        statutory_limit=45,
        joint_units=[c.dept_civil, c.dept_social],
        materials=[{"name": "居民身份证", "required": True}],
        steps=[],
    )
    ns.escalated = _item(
        "ESC001",
        c,
        name="高龄津贴申领",
        case_class="escalated",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=c.dept_social,
        promised_limit=5,
        statutory_limit=20,
        materials=[{"name": "居民身份证", "required": True}],
        steps=[],
    )
    ns.reply = _item(
        "RPL001",
        c,
        name="信息公开答复",
        case_class="reply",
        accept_tier="township",
        decide_tier="township",
        implementing_unit=c.tc1,
        promised_limit=5,
        statutory_limit=15,
        materials=[{"name": "申请书", "required": True}],
        steps=[],
    )
    ns.county_item = _item(
        "CTY001",
        c,
        name="就业创业证申领",
        case_class="promised",
        accept_tier="county",
        decide_tier="county",
        implementing_unit=c.dept_social,
        promised_limit=5,
        statutory_limit=20,
        materials=[{"name": "居民身份证", "required": True}],
        steps=[],
    )
    return ns


def all_provided(version) -> dict:
    return {m.pk: "provided" for m in version.materials.all()}


def material_id(version, name: str) -> int:
    return version.materials.get(name=name).pk


@pytest.fixture
def clock(clock):
    """The case tests start on Monday 2026-11-23, 10:00."""
    clock.set(dt.date(2026, 11, 23))
    return clock


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.invalidate()
    yield
    calendar.invalidate()
