"""Helpers for staffing tests: the clock on Monday 2026-09-21, a proxied item and its cases."""

import datetime as dt

import pytest

from bianmin.tests_factories import PERSON, CaseFactory, ItemFactory  # noqa: F401 - PERSON


@pytest.fixture
def clock(clock):
    """The staffing tests start on Monday 2026-09-21, 10:00."""
    clock.set(dt.date(2026, 9, 21))
    return clock


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def proxy_item(county):
    """A promised item accepted at the township and decided by the civil affairs bureau."""
    return ItemFactory(
        county=county,
        local_code="STF001",
        name="城乡居民最低生活保障审批",
        promised_limit=10,
        statutory_limit=20,
        plain=True,
    )


def open_proxy_case(agent, version, **kw):
    """A proxy case registered by `agent` through the engine, every material provided."""
    return CaseFactory(
        item_version=version,
        proxy=True,
        actor=agent.user,
        entrustment_text="委托代办",
        **kw,
    )
