"""Items of each case class, a clock to move through working days, and small helpers."""

import datetime as dt
import io
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from PIL import Image

from bianmin.catalog.services import item_version_create, item_version_publish
from bianmin.workdays import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSON = {
    "applicant_kind": "person",
    "applicant_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800000001",
}


def signature_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buf, format="PNG")
    return buf.getvalue()


def _item(code, county, **kw):
    fields = {
        "basic_code": f"{code:0>12}"[:12],
        "implementation_code": f"6107020{code}",
        "name": kw.pop("name"),
        "item_type": "20",
        "service_objects": ["1"],
        "power_source": "1",
        "legal_basis": "《示例条例》",
        "village_proxy": True,
    }
    fields.update(kw)
    return item_version_publish(version=item_version_create(local_code=code, **fields))


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
    )
    return ns


def all_provided(version) -> dict:
    return {m.pk: "provided" for m in version.materials.all()}


def material_id(version, name: str) -> int:
    return version.materials.get(name=name).pk


class Clock:
    """Moves `timezone.now()` to 10:00 Shanghai time of a chosen day."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, day: dt.date) -> dt.date:
        moment = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
        self.monkeypatch.setattr(timezone, "now", lambda: moment)
        return day

    def advance(self, workdays: int) -> dt.date:
        return self.set(calendar.add_workdays(timezone.localdate(), workdays).date)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(monkeypatch)
    c.set(dt.date(2026, 11, 23))
    return c


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.invalidate()
    yield
    calendar.invalidate()
