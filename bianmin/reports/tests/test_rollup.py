"""The county roll-up against the townships' own reports, its query count, the monthly action's
scope, and reminders pushed as notifications."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bianmin.cases.models import Case
from bianmin.conftest import PASSWORD
from bianmin.orgs import services as org
from bianmin.orgs.models import RoleCode, UnitKind
from bianmin.ratings.tests.helpers import accept, at, conclude, register, township_item
from bianmin.reports.figures import (
    COUNT_KEYS,
    PROXY_KEYS,
    grouped_counts,
    month_bounds,
    monthly_figures,
)
from bianmin.reports.models import MonthlyReport, ReportEvent
from bianmin.reports.selectors import county_rollup
from bianmin.reports.services import report_generate, report_reminders, report_submit
from bianmin.supervision.models import Notification

from .test_monthly import FEB, JAN, MAR, data  # noqa: F401

APR = dt.date(2025, 4, 1)


def _add_townships(c, n: int) -> list:
    """`n` more townships (region, centre, one village) under the county, through the services."""
    units = []
    for i in range(n):
        code = f"610702{110 + i:03d}000"
        region = org.region_create(code=code, name=f"新镇{i}", parent=c.county)
        org.region_create(code=code[:9] + "201", name=f"新村{i}", parent=region)
        units.append(
            org.unit_create(
                name=f"新镇{i}便民服务中心",
                kind=UnitKind.TOWNSHIP_CENTRE,
                region=region,
                code=f"TN{i}",
                parent=c.centre,
            )
        )
    return units


@pytest.mark.parametrize("month", [JAN, FEB, MAR, APR])
def test_rollup_equals_the_township_reports(data, month):  # noqa: F811
    c = data
    # A third township with its own cases: an accepted one still open and a late conclusion.
    (t3,) = _add_townships(c, 1)
    staff = org.staff_create(
        username="t03-staff",
        password=PASSWORD,
        full_name="新镇窗口",
        unit=t3,
        roles=[RoleCode.WINDOW_STAFF, RoleCode.APPROVER],
        phone="13900000000",
    )
    item = township_item(c, code="T-09", name="新镇事项", promised=2, implementing_unit=t3)
    open_case = register(c, item, day=dt.date(2025, 1, 8), staff=staff)
    accept(open_case, staff, day=dt.date(2025, 1, 8))
    late = register(c, item, day=dt.date(2025, 2, 3), staff=staff)
    late = accept(late, staff, day=dt.date(2025, 2, 3))
    conclude(late, staff, day=dt.date(2025, 3, 10))

    roll = county_rollup(viewer=c.supervisor.user, month=month)
    assert [r["unit"] for r in roll["rows"]] == [c.tc1, c.tc2, t3]
    for row in roll["rows"]:
        own = monthly_figures(row["unit"], month)
        assert row["figures"]["totals"] == own["totals"]
        assert row["figures"]["proxy_totals"] == own["proxy_totals"]
    # The townships' rows and the county's own row (县本级) add up to the whole county.
    parts = [r["figures"] for r in roll["rows"]] + [roll["county_own"]]
    whole = grouped_counts(Case.objects.all(), *month_bounds(month))[0]
    for key in COUNT_KEYS:
        assert roll["totals"][key] == sum(p["totals"][key] for p in parts) == whole[key]
    for key in PROXY_KEYS:
        assert roll["proxy_totals"][key] == sum(p["proxy_totals"][key] for p in parts)
    # The data hold something in every month, so the comparison is not between zeros.
    assert roll["totals"]["received"] + roll["totals"]["open_overdue"] > 0
    if month == MAR:
        assert roll["totals"]["overdue"] >= 2  # 武乡镇's late February case and 新镇's


def test_rollup_takes_submitted_figures_and_live_ones(data):  # noqa: F811
    c = data
    with at(dt.date(2025, 3, 3)):
        feb = report_generate(unit=c.tc1, month=FEB)
        report_submit(report=feb, actor=c.t1_head.user)
    roll = county_rollup(viewer=c.supervisor.user, month=FEB)
    rows = {r["unit"].pk: r for r in roll["rows"]}
    assert "live" not in rows[c.tc1.pk]["figures"] and rows[c.tc2.pk]["figures"]["live"]
    feb.refresh_from_db()
    assert rows[c.tc1.pk]["figures"]["totals"] == feb.figures["totals"]
    assert rows[c.tc2.pk]["figures"]["totals"] == monthly_figures(c.tc2, FEB)["totals"]


def test_rollup_query_count_does_not_grow_with_townships(data):  # noqa: F811
    c = data
    viewer = c.supervisor.user

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            county_rollup(viewer=viewer, month=FEB)
        return len(ctx)

    before = count()
    _add_townships(c, 4)
    assert len(county_rollup(viewer=viewer, month=FEB)["rows"]) == 6
    assert count() == before
    assert before <= 6


def test_monthly_action_outside_scope_is_403_and_writes_nothing(client, data):  # noqa: F811
    c = data
    client.force_login(c.t2_staff.user)
    url = f"/reports/monthly/{c.tc1.pk}/2025-02/act/"
    for action in ("generate", "submit", "receive"):
        r = client.post(url, {"action": action})
        assert r.status_code == 403
    client.force_login(c.a11.user)
    assert client.post(url, {"action": "generate"}).status_code == 403
    assert not MonthlyReport.objects.exists()
    # Inside the scope the action still works and goes back to the report page.
    client.force_login(c.t1_staff.user)
    with at(dt.date(2025, 3, 3)):
        r = client.post(url, {"action": "generate"})
    assert r.status_code == 302
    assert MonthlyReport.objects.filter(unit=c.tc1, month=FEB).count() == 1


def test_reminders_and_late_flags_are_notified_once(data):  # noqa: F811
    c = data
    t2_head = org.staff_create(
        username="t02-head",
        password=PASSWORD,
        full_name="河东店主任",
        unit=c.tc2,
        roles=[RoleCode.HEAD],
        phone="13900000000",
    )

    def texts(user) -> list[str]:  # the report notifications (the data's bad rating has its own)
        return list(
            Notification.objects.filter(recipient=user, link__startswith="/reports/")
            .order_by("pk")
            .values_list("text", flat=True)
        )

    with at(dt.date(2025, 4, 3)):
        assert report_reminders(today=dt.date(2025, 4, 3))["reminded"] == ["T1", "T2"]
        report_reminders(today=dt.date(2025, 4, 3))
    assert len(texts(c.t1_head.user)) == 1 and "【月报提醒】" in texts(c.t1_head.user)[0]
    assert len(texts(t2_head.user)) == 1 and c.tc2.name in texts(t2_head.user)[0]
    # Window staff neither prepare nor sign the report; agents and other units hear nothing.
    assert texts(c.t1_staff.user) == [] and texts(c.a11.user) == []
    assert texts(c.supervisor.user) == []
    march = MonthlyReport.objects.get(unit=c.tc1, month=MAR)
    link = Notification.objects.filter(recipient=c.t1_head.user, text__contains="月报").get().link
    assert link == f"/reports/monthly/{c.tc1.pk}/2025-03/"
    with at(dt.date(2025, 4, 3)):
        report_submit(report=march, actor=c.t1_head.user)
    with at(dt.date(2025, 4, 7)):
        assert report_reminders(today=dt.date(2025, 4, 7))["late"] == ["T2"]
        report_reminders(today=dt.date(2025, 4, 8))
    assert len(texts(t2_head.user)) == 2 and "【月报逾期】" in texts(t2_head.user)[1]
    assert len(texts(c.t1_head.user)) == 1  # submitted on time: never flagged
    assert ReportEvent.objects.filter(action="late").count() == 1
