"""Art. 32 arrival: the dashboard and the sweep that deems acceptance count the 5 working days
from the same day, the day the accepting unit received the case (not the day it was sent)."""

import datetime as dt

import pytest

from bianmin.cases.models import Case, State
from bianmin.cases.services import case_register, case_transition, flags_sweep
from bianmin.supervision.selectors import dashboard

from .conftest import PERSON, provided

D = dt.date
pytestmark = pytest.mark.django_db


def forwarded_and_received(county, items, clock) -> Case:
    """A proxy case the station forwards on Monday 2025-09-15 and the township receives on the
    17th."""
    c = county
    clock.set(D(2025, 9, 15))
    case = case_register(
        actor=c.a11.user,
        item_version=items.ten,
        channel="proxy",
        materials=provided(items.ten),
        entrustment_signed=True,
        **PERSON,
    )
    case = case_transition(case=case, action="forward", actor=c.a11.user)
    clock.set(D(2025, 9, 17))
    case = case_transition(case=case, action="receive", actor=c.t1_staff.user)
    assert case.state == State.SUBMITTED
    return case


def test_forwarded_case_arrives_when_received(county, items, clock):
    case = forwarded_and_received(county, items, clock)
    sup = county.supervisor.user

    # 5 working days after the receipt end on 09-24: on that day neither counts it late.
    clock.set(D(2025, 9, 24))
    assert dashboard(viewer=sup, today=D(2025, 9, 24))["unaccepted"] == []
    assert flags_sweep(today=D(2025, 9, 24)) == []
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED

    clock.set(D(2025, 9, 25))
    [row] = dashboard(viewer=sup, today=D(2025, 9, 25))["unaccepted"]
    assert (row["number"], row["arrived"], row["deemed"]) == (case.number, D(2025, 9, 17), False)
    flags_sweep(today=D(2025, 9, 25))
    case.refresh_from_db()
    assert (case.deemed_accepted, case.accepted_on) == (True, D(2025, 9, 17))
    [row] = dashboard(viewer=sup, today=D(2025, 9, 25))["unaccepted"]
    assert (row["number"], row["arrived"], row["deemed"]) == (case.number, D(2025, 9, 17), True)


def test_an_overdue_case_is_held_since_its_unit_received_it(county, items, clock):
    """The overdue list's "held since" is the day the township received the case, from its
    custody hops, not the day the station took it in."""
    case = forwarded_and_received(county, items, clock)
    case = case_transition(case=case, action="accept", actor=county.t1_staff.user)
    assert case.state == State.ACCEPTED
    day = D(2025, 11, 3)
    clock.set(day)
    [row] = [
        r
        for r in dashboard(viewer=county.supervisor.user, today=day)["overdue"]
        if r["number"] == case.number
    ]
    assert row["held_since"] == D(2025, 9, 17)
    assert row["unit"] == county.t1_staff.unit.name
