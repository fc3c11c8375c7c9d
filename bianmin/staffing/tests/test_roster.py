"""Duty roster: generation on working days, rotation, weekday mode, edits, swaps, gaps, board."""

import datetime as dt

import pytest

from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed
from bianmin.orgs import services as org
from bianmin.orgs.models import Unit, UnitKind
from bianmin.staffing import selectors, services
from bianmin.staffing.models import DutyChange, DutyDay
from bianmin.staffing.services.roster import working_days
from bianmin.workdays.calendar import is_workday

OCT = dt.date(2026, 10, 1)  # National Day week: 1-7 October are holidays in 2026


def _second_agent(c, unit, username="v0101-agent2", name="汉王代办员二"):
    return org.staff_create(
        username=username, password="x-pass-123", full_name=name, unit=unit, roles=["agent"]
    )


def test_month_for_every_station_leaves_no_working_day_empty(county):
    c = county
    stations = Unit.objects.filter(kind=UnitKind.VILLAGE_STATION)
    for unit in stations:
        services.roster_generate(unit=unit, month=OCT, actor=c.admin.user)
    days = working_days(OCT)
    assert days and all(is_workday(d)[0] for d in days)
    assert dt.date(2026, 10, 1) not in days and dt.date(2026, 10, 5) not in days
    for unit in stations:
        dates = set(DutyDay.objects.filter(unit=unit).values_list("date", flat=True))
        assert dates == set(days), unit  # every working day, and nothing on a holiday
    gaps = selectors.roster_gaps(viewer=c.admin.user, month=OCT)
    assert not [g for g in gaps if g.unit.kind == UnitKind.VILLAGE_STATION]
    # The centres have no roster yet: each of their working days is flagged.
    flagged = {g.unit for g in gaps}
    assert c.tc1 in flagged and c.centre in flagged
    assert len([g for g in gaps if g.unit == c.tc1]) == len(days)


def test_rotation_continues_across_months_and_weekday_mode(county):
    c = county
    b = _second_agent(c, c.s11)
    services.roster_rule_set(unit=c.s11, mode="rotation", members=[c.a11, b], actor=c.t1_head.user)
    sept = services.roster_generate(unit=c.s11, month=dt.date(2026, 9, 1), actor=c.t1_head.user)
    names = [d.staff for d in sept.days.order_by("date")]
    assert names[:4] == [c.a11, b, c.a11, b]
    last = names[-1]
    octo = services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    first = octo.days.order_by("date").first().staff
    assert first != last  # the rotation does not restart at the month's start

    services.roster_rule_set(
        unit=c.s12,
        mode="weekday",
        members=[c.a12],
        weekdays={c.a12.pk: [0, 2, 4]},
        actor=c.t1_head.user,
    )
    services.roster_generate(unit=c.s12, month=OCT, actor=c.t1_head.user)
    dates = DutyDay.objects.filter(unit=c.s12).values_list("date", flat=True)
    assert dates and all(d.weekday() in (0, 2, 4) for d in dates)
    gaps = {
        g.date for g in selectors.roster_gaps(viewer=c.t1_head.user, month=OCT) if g.unit == c.s12
    }
    assert gaps == {d for d in working_days(OCT) if d.weekday() not in (0, 2, 4)}


def test_edit_swap_recorded_and_scope(county):
    c = county
    b = _second_agent(c, c.s11)
    services.roster_rule_set(unit=c.s11, mode="rotation", members=[c.a11, b], actor=c.t1_head.user)
    roster = services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    d1, d2 = working_days(OCT)[:2]
    assert roster.days.get(date=d1).staff == c.a11 and roster.days.get(date=d2).staff == b
    services.duty_swap(
        roster=roster,
        date_a=d1,
        staff_a=c.a11,
        date_b=d2,
        staff_b=b,
        reason="家中有事",
        actor=c.t1_head.user,
    )
    assert roster.days.get(date=d1).staff == b and roster.days.get(date=d2).staff == c.a11
    services.duty_change(
        roster=roster,
        date=d1,
        from_staff=b,
        to_staff=c.t1_staff,
        reason="镇里派人值守",
        actor=c.t1_head.user,
    )
    assert roster.days.get(date=d1).staff == c.t1_staff
    kinds = list(DutyChange.objects.filter(roster=roster).values_list("kind", flat=True))
    assert kinds == ["swap", "edit"]
    with pytest.raises(Conflict):  # changes are recorded: a regeneration would erase them
        services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    with pytest.raises(ValidationFailed):
        services.duty_change(
            roster=roster,
            date=dt.date(2026, 10, 2),
            from_staff=None,
            to_staff=b,
            reason="节日",
            actor=c.t1_head.user,
        )
    with pytest.raises(ValidationFailed):  # someone from another township
        services.duty_change(
            roster=roster,
            date=d2,
            from_staff=None,
            to_staff=c.a21,
            reason="x",
            actor=c.t1_head.user,
        )
    with pytest.raises(PermissionDenied):
        services.roster_generate(unit=c.s21, month=OCT, actor=c.t1_head.user)
    with pytest.raises(PermissionDenied):
        services.roster_generate(unit=c.s11, month=OCT, actor=c.a11.user)


def test_public_board_shows_only_published(client, county):
    c = county
    roster = services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    assert selectors.roster_for_unit(unit=c.s11, month=OCT) is None
    r = client.get(f"/staffing/public/roster/{c.s11.code}/2026-10/")
    assert r.status_code == 200 and "尚未公布" in r.content.decode()
    services.roster_publish(roster=roster, actor=c.t1_head.user)
    view = selectors.roster_for_unit(unit=c.s11, month=OCT)
    assert view.published and not view.empty_days
    assert [d.date for d in view.days] == working_days(OCT)
    body = client.get(f"/staffing/public/roster/{c.s11.code}/2026-10/").content.decode()
    assert "汉王代办员" in body and "2026-10-09" in body and "2026-10-05" not in body


def test_pages_generate_publish_and_gaps(client, county):
    c = county
    client.force_login(c.t1_head.user)
    r = client.post("/staffing/roster/generate-all/", {"month": "2026-10"})
    assert r.status_code == 302
    # The head acts for its township: the centre and both stations, not the other township.
    assert set(DutyDay.objects.values_list("unit_id", flat=True)) == {c.tc1.pk, c.s11.pk, c.s12.pk}
    page = client.get("/staffing/roster/gaps/?month=2026-10").content.decode()
    assert "所有站所每个工作日均有人值班" in page
    r = client.post(f"/staffing/roster/{c.s11.pk}/2026-10/publish/")
    assert r.status_code == 302
    assert selectors.roster_for_unit(unit=c.s11, month=OCT).published
    client.force_login(c.a11.user)
    assert client.post(f"/staffing/roster/{c.s11.pk}/2026-10/publish/").status_code == 403
    assert client.get(f"/staffing/roster/{c.s21.pk}/2026-10/").status_code == 403
    client.force_login(c.admin.user)
    page = client.get("/staffing/roster/gaps/?month=2026-10").content.decode()
    assert "河东店镇便民服务中心" in page and "花园村便民服务站" in page and "未排值班表" in page


def test_a_month_without_official_schedule_is_marked_provisional(client, county):
    """Issue 14: 2027-01-01 was put on duty without a word while 2027 had no schedule."""
    c = county
    jan = services.roster_generate(unit=c.s11, month=dt.date(2027, 1, 1), actor=c.t1_head.user)
    services.roster_publish(roster=jan, actor=c.t1_head.user)
    services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    client.force_login(c.t1_head.user)
    for url in (
        f"/staffing/roster/{c.s11.pk}/2027-01/",
        f"/staffing/public/roster/{c.s11.code}/2027-01/",
    ):
        html = client.get(url).content.decode()
        assert "2027 年节假日安排尚未公布" in html, url
        assert '2027-01-01 <span class="tag yellow">暂定</span>' in html, url
    html = client.get(f"/staffing/roster/{c.s11.pk}/2026-10/").content.decode()
    assert "2026-10-09" in html and "暂定" not in html
