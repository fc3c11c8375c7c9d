"""Items, a movable clock and helpers to create cases through the case engine's real services."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bianmin.cases.services import case_register, case_transition
from bianmin.catalog.services import item_version_create, item_version_publish
from bianmin.workdays import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSON = {
    "applicant_kind": "person",
    "applicant_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800000001",
}


class Clock:
    """Moves `timezone.now()` to 10:00 Shanghai time of a chosen day (the engine reads it)."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, day: dt.date) -> dt.date:
        moment = dt.datetime.combine(day, dt.time(10), tzinfo=SHANGHAI)
        self.monkeypatch.setattr(timezone, "now", lambda: moment)
        return day


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture(autouse=True)
def _fresh_calendar(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.invalidate()
    yield
    calendar.invalidate()


def _item(code, **kw):
    fields = {
        "basic_code": f"{code:0>12}"[:12],
        "implementation_code": f"6107020{code}",
        "item_type": "20",
        "service_objects": ["1"],
        "power_source": "1",
        "legal_basis": "《示例条例》",
        "village_proxy": True,
        "case_class": "promised",
        "accept_tier": "township",
        "decide_tier": "township",
        "statutory_limit": 20,
        "materials": [{"name": "居民身份证", "required": True}],
    }
    fields.update(kw)
    return item_version_publish(version=item_version_create(local_code=code, **fields))


@pytest.fixture
def items(county):
    c = county
    ns = SimpleNamespace()
    # Decided at the township centre: 5 working days promised; acceptance finishes the first
    # step, so the review step (2 working days) runs from the day of acceptance.
    ns.five = _item(
        "SUP005",
        name="农村五保供养审批",
        implementing_unit=c.tc1,
        promised_limit=5,
        steps=[
            {"name": "受理", "tier": "township", "limit_days": 1},
            {"name": "审核", "tier": "township", "limit_days": 2},
        ],
    )
    ns.ten = _item("SUP010", name="临时救助审批", implementing_unit=c.tc1, promised_limit=10)
    ns.deferrable = _item(
        "SUP020",
        name="残疾人两项补贴",
        implementing_unit=c.tc1,
        promised_limit=8,
        materials=[
            {"name": "居民身份证", "required": True},
            {"name": "户口簿", "required": True, "deferrable": True},
        ],
    )
    return ns


def provided(version) -> dict:
    return {m.pk: "provided" for m in version.materials.all()}


def accepted_case(county, version, *, on: dt.date, clock, unit=None, actor=None):
    """A window case registered and accepted at the township centre on `on`."""
    clock.set(on)
    actor = actor or county.t1_staff.user
    case = case_register(
        actor=actor,
        item_version=version,
        channel="window",
        unit=unit or county.tc1,
        materials=provided(version),
        **PERSON,
    )
    return case_transition(case=case, action="accept", actor=actor)


def proxy_case(county, version, *, on: dt.date, clock, materials=None):
    """A proxy case: the village agent takes it, forwards it, the township receives and accepts."""
    clock.set(on)
    agent, staff = county.a11.user, county.t1_staff.user
    case = case_register(
        actor=agent,
        item_version=version,
        channel="proxy",
        materials=materials or provided(version),
        entrustment_signed=True,
        **PERSON,
    )
    case = case_transition(case=case, action="forward", actor=agent)
    case = case_transition(case=case, action="receive", actor=staff)
    return case_transition(case=case, action="accept", actor=staff)
