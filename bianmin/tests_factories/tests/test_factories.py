"""The shared test tools: the clock holds the time where it is set, the factories reach their
states through the services (the events prove it)."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from bianmin.cases.models import State
from bianmin.catalog.models import ItemVersion
from bianmin.tests_factories import CaseFactory, ItemFactory


def test_clock_holds_every_now_at_the_hour_in_shanghai(db, clock):
    assert clock.set(dt.date(2026, 11, 20), hour=9) == dt.date(2026, 11, 20)
    now = timezone.localtime()
    assert (now.date(), now.hour, now.minute) == (dt.date(2026, 11, 20), 9, 0)
    assert dt.date.today() == dt.date(2026, 11, 20)
    assert time.time() == timezone.now().timestamp()
    # Friday + 1 working day is Monday, at the same hour.
    assert clock.advance(1) == dt.date(2026, 11, 23)
    assert timezone.localtime().hour == 9


def test_item_factory_publishes_through_the_catalog_services(county):
    version = ItemFactory(county=county)
    draft = ItemFactory(county=county, publish=False, township=True, plain=True)
    assert version.status == ItemVersion.Status.PUBLISHED
    assert version.item.published_version == version and version.published_by == county.admin.user
    assert [s.position for s in version.steps.all()] == [1, 2, 3]
    assert draft.status == ItemVersion.Status.DRAFT and draft.implementing_unit == county.tc1
    assert [m.name for m in draft.materials.all()] == ["居民身份证"] and not draft.steps.exists()
    assert version.item.local_code != draft.item.local_code


def test_case_factory_walks_a_proxy_case_up_and_back(county, clock):
    clock.set(dt.date(2026, 11, 23))
    case = CaseFactory(county=county, proxy=True, state=State.CLOSED)
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "entrust", "forward", "receive", "accept", "forward", "receive", "review", "decide",
        "conclude", "hand_back", "receive", "hand_back", "receive", "deliver",
    ]  # fmt: skip
    assert case.intake_unit == county.s11 and case.current_unit == county.s11


@pytest.mark.parametrize("state", [State.DECLINED, State.SUSPENDED, State.AWAITING_MATERIALS])
def test_case_factory_branches_leave_the_route_at_their_place(county, state):
    version = ItemFactory(county=county, township=True, plain=True)
    missing = version.materials.get().pk
    case = CaseFactory(
        county=county,
        item_version=version,
        state=state,
        params={"notify_missing": {"materials": [missing]}},
    )
    assert case.state == state
    assert case.current_unit == county.tc1
