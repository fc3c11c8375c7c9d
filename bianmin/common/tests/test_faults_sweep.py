"""The daily sweep run by the timer survives one failing unit of work (issue 8, item 4).

A database error half-way through one case (its alert already written, the notification failing)
rolls back that case alone: the other township's case is alerted and notified, the command exits
2 naming the failed case for the timer's monitoring, and the next run picks the failed case up.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import OperationalError

from bianmin.supervision.models import Alert, Notification
from bianmin.supervision.tests.conftest import _item, accepted_case

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def two_townships(county, clock):
    steps = [{"name": "受理", "tier": "township", "limit_days": 1}]
    in_t1 = _item(
        "FLT001",
        county,
        name="农村五保供养审批",
        implementing_unit=county.tc1,
        promised_limit=5,
        steps=steps,
    )
    in_t2 = _item(
        "FLT002",
        county,
        name="临时救助审批",
        implementing_unit=county.tc2,
        promised_limit=5,
        steps=steps,
    )
    # Accepted on Friday 2025-09-26: on Thursday 10-09 (after National Day) one working day is left.
    broken = accepted_case(county, in_t1, on=D(2025, 9, 26), clock=clock)
    fine = accepted_case(
        county, in_t2, on=D(2025, 9, 26), clock=clock, unit=county.tc2, actor=county.t2_staff.user
    )
    return broken, fine


def test_one_case_failing_mid_write_is_rolled_back_alone_and_reported(
    two_townships, monkeypatch, capsys
):
    broken, fine = two_townships
    real_create = Notification.objects.bulk_create

    def bulk_create(objs, *args, **kwargs):
        # The sweep writes a batch's alerts first, then their notifications: this fails after
        # the broken case's alert is in, as a full disk would.
        if any(broken.number in n.link for n in objs):
            raise OperationalError("disk I/O error")
        return real_create(objs, *args, **kwargs)

    monkeypatch.setattr(Notification.objects, "bulk_create", bulk_create)
    with pytest.raises(SystemExit) as exit_:
        call_command("supervise", "--date", "2025-10-09")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{broken.number}: OperationalError: disk I/O error" in err
    # The failed case's alert was written before the error: it went with the rollback.
    assert not Alert.objects.filter(case=broken).exists()
    alert = Alert.objects.get(case=fine, level="yellow")
    assert Notification.objects.filter(alert=alert).exists()

    monkeypatch.setattr(Notification.objects, "bulk_create", real_create)
    call_command("supervise", "--date", "2025-10-09")
    assert Alert.objects.filter(case=broken, level="yellow").count() == 1
    assert Alert.objects.filter(case=fine).count() == 1  # not raised twice
