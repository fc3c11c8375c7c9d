import pytest

from bianmin.workdays import calendar
from bianmin.workdays.signals import calendar_changed


@pytest.fixture(autouse=True)
def fresh_calendar():
    """Each test's writes are rolled back, so the cached snapshot must not outlive the test."""
    calendar.invalidate()
    yield
    calendar.invalidate()


@pytest.fixture
def changed_years():
    """Every `years` set sent with `calendar_changed` during the test, in order."""
    received: list[set[int]] = []

    def receiver(sender, years, **kwargs):
        received.append(set(years))

    calendar_changed.connect(receiver, weak=False)
    yield received
    calendar_changed.disconnect(receiver)
