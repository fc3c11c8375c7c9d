"""Helpers for staffing tests: a clock pinned to a chosen day."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def set(self, day: dt.date, hour: int = 10) -> dt.date:
        moment = dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)
        self.monkeypatch.setattr(timezone, "now", lambda: moment)
        return day


@pytest.fixture
def clock(monkeypatch):
    c = Clock(monkeypatch)
    c.set(dt.date(2026, 9, 21))
    return c


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


PERSON = {
    "applicant_kind": "person",
    "applicant_name": "张三",
    "id_number": "11010519491231002X",
    "phone": "13800000001",
}


@pytest.fixture
def proxy_item(county):
    """A promised item accepted at the township and decided by the civil affairs bureau."""
    from bianmin.catalog.services import item_version_create, item_version_publish

    version = item_version_create(
        local_code="STF001",
        basic_code="000000STF001",
        implementation_code="6107020STF001",
        name="城乡居民最低生活保障审批",
        item_type="20",
        service_objects=["1"],
        power_source="1",
        legal_basis="《示例条例》",
        village_proxy=True,
        case_class="promised",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=county.dept_civil,
        promised_limit=10,
        statutory_limit=20,
        materials=[{"name": "居民身份证", "required": True}],
    )
    return item_version_publish(version=version)


def open_proxy_case(agent, version, **kw):
    """A proxy case registered by `agent` through the engine, every material provided."""
    from bianmin.cases.services import case_register

    return case_register(
        actor=agent.user,
        item_version=version,
        channel="proxy",
        materials={m.pk: "provided" for m in version.materials.all()},
        entrustment_signed=True,
        entrustment_text="委托代办",
        **{**PERSON, **kw},
    )
