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
