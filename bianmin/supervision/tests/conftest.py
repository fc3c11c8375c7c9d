"""Items and helpers to create cases through the case engine's real services (the clock is the
root conftest's)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from bianmin.tests_factories import PERSON, CaseFactory, ItemFactory  # noqa: F401 - PERSON
from bianmin.workdays import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    calendar.invalidate()
    yield
    calendar.invalidate()


def _item(code, county, **kw):
    """A published township item (ItemFactory), the identity card only and no steps unless given;
    the statutory limit is 20 working days."""
    return ItemFactory(
        county=county, local_code=code, township=True, plain=True, statutory_limit=20, **kw
    )


@pytest.fixture
def items(county):
    c = county
    ns = SimpleNamespace()
    # Decided at the township centre: 5 working days promised; acceptance finishes the first
    # step, so the review step (2 working days) runs from the day of acceptance.
    ns.five = _item(
        "SUP005",
        c,
        name="农村五保供养审批",
        implementing_unit=c.tc1,
        promised_limit=5,
        steps=[
            {"name": "受理", "tier": "township", "limit_days": 1},
            {"name": "审核", "tier": "township", "limit_days": 2},
        ],
    )
    ns.ten = _item("SUP010", c, name="临时救助审批", implementing_unit=c.tc1, promised_limit=10)
    ns.deferrable = _item(
        "SUP020",
        c,
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
    return CaseFactory(
        county=county,
        item_version=version,
        unit=unit or county.tc1,
        actor=actor,
        staff=actor,
        state="accepted",
    )


def proxy_case(county, version, *, on: dt.date, clock, materials=None):
    """A proxy case: the village agent takes it, forwards it, the township receives and accepts."""
    clock.set(on)
    return CaseFactory(
        county=county,
        item_version=version,
        proxy=True,
        materials=materials or provided(version),
        state="accepted",
    )
