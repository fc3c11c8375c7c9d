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


def test_forwarded_case_arrives_when_received(county, items, clock):
    c = county
    clock.set(D(2025, 9, 15))  # a Monday: the station forwards the case
    case = case_register(
        actor=c.a11.user,
        item_version=items.ten,
        channel="proxy",
        materials=provided(items.ten),
        entrustment_signed=True,
        **PERSON,
    )
    case = case_transition(case=case, action="forward", actor=c.a11.user)
    clock.set(D(2025, 9, 17))  # the township receives it two days later
    case = case_transition(case=case, action="receive", actor=c.t1_staff.user)
    assert case.state == State.SUBMITTED
    sup = c.supervisor.user

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
