"""Monthly reports over cases made through the case engine across three months, some late."""

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from bianmin.cases.models import Case
from bianmin.ratings.services import rating_submit
from bianmin.ratings.tests.helpers import accept, at, conclude, register, township_item
from bianmin.reports.figures import monthly_figures
from bianmin.reports.models import MonthlyReport, ReportState
from bianmin.reports.services import report_reminders, report_submit

JAN, FEB, MAR = dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)


@pytest.fixture
def data(county):
    """Cases in Jan-Mar 2025 of 武乡镇 (villages 汉王村 by proxy, and the township hall) and one
    in 河东店镇 that must never appear in 武乡镇's report."""
    c = county
    fast = township_item(c, code="T-01", name="临时救助审批", promised=3)
    slow = township_item(c, code="T-02", name="农机购置补贴确认", promised=2)
    staff = c.t1_staff
    plan = [
        # (register day, accept day, conclude day or None, item, proxy)
        (dt.date(2025, 1, 6), dt.date(2025, 1, 6), dt.date(2025, 1, 8), fast, False),
        (dt.date(2025, 1, 13), dt.date(2025, 1, 13), dt.date(2025, 2, 10), slow, True),  # late
        (dt.date(2025, 1, 20), dt.date(2025, 1, 21), None, fast, True),  # open, overdue
        (dt.date(2025, 2, 5), dt.date(2025, 2, 5), dt.date(2025, 2, 6), slow, True),
        (dt.date(2025, 2, 17), dt.date(2025, 2, 17), dt.date(2025, 3, 3), fast, False),  # late
        (dt.date(2025, 2, 26), None, None, fast, False),  # never accepted
        (dt.date(2025, 3, 3), dt.date(2025, 3, 3), dt.date(2025, 3, 4), fast, True),
    ]
    for reg, acc, done, item, proxy in plan:
        case = register(c, item, day=reg, proxy=proxy, staff=staff)
        if acc:
            case = accept(case, staff, day=acc)
        if done:
            case = conclude(case, staff, day=done)
            if done.month == 2:
                with at(done):
                    rating_submit(case=case, level=5 if reg.day < 10 else 2)
    # One declined in February at the township hall.
    case = register(c, fast, day=dt.date(2025, 2, 11), staff=staff)
    from bianmin.cases.services import case_transition

    with at(dt.date(2025, 2, 11)):
        case_transition(case=case, action="decline", actor=staff.user, reasons="不属于本镇")
    # Another township: must not count in 武乡镇.
    other = township_item(c, code="T-03", name="他镇事项", implementing_unit=c.tc2)
    o = register(c, other, day=dt.date(2025, 2, 5), staff=c.t2_staff)
    o = accept(o, c.t2_staff, day=dt.date(2025, 2, 5))
    conclude(o, c.t2_staff, day=dt.date(2025, 2, 6))
    return c


def independent(month: dt.date, prefix: str) -> dict:
    """Counts straight from Case rows, written separately from the report code."""
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    last = nxt - dt.timedelta(days=1)
    cases = [c for c in Case.objects.all() if c.region.code.startswith(prefix)]

    def inm(d):
        return d is not None and month <= d <= last

    done = [c for c in cases if c.decided_on and inm(c.concluded_on)]
    return {
        "received": sum(inm(c.submitted_on) for c in cases),
        "accepted": sum(inm(c.accepted_on) for c in cases),
        "concluded": len(done),
        "on_time": sum(c.concluded_on <= c.promised_due for c in done),
        "overdue": sum(c.concluded_on > c.promised_due for c in done),
        "declined": sum(c.state == "declined" and inm(c.concluded_on) for c in cases),
        "open_overdue": sum(
            bool(c.accepted_on)
            and c.accepted_on <= last
            and (c.concluded_on is None or c.concluded_on > last)
            and c.promised_due < last
            for c in cases
        ),
        "proxy_received": sum(c.channel == "proxy" and inm(c.submitted_on) for c in cases),
        "proxy_concluded": sum(c.channel == "proxy" for c in done),
        "proxy_overdue": sum(c.channel == "proxy" and c.concluded_on > c.proxy_due for c in done),
    }


KEYS = ("received", "accepted", "concluded", "on_time", "overdue", "declined", "open_overdue")


@pytest.mark.parametrize("month", [JAN, FEB, MAR])
def test_report_equals_independent_counts(client, data, token_for, month):
    want = independent(month, data.t1.prefix)
    r = client.get(
        f"/api/v1/reports/monthly?unit={data.tc1.pk}&month={month:%Y-%m}", **token_for("t01-head")
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert {k: body["totals"][k] for k in KEYS} == {k: want[k] for k in KEYS}
    assert body["proxy_totals"]["received"] == want["proxy_received"]
    assert body["proxy_totals"]["concluded"] == want["proxy_concluded"]
    assert body["proxy_totals"]["overdue"] == want["proxy_overdue"]
    # Villages and items add up to the totals; every village of the township is listed.
    assert [v["region_code"] for v in body["by_village"]] == [
        data.t1.code,
        data.v11.code,
        data.v12.code,
    ]
    for k in KEYS:
        assert sum(v[k] for v in body["by_village"]) == body["totals"][k]
        assert sum(i[k] for i in body["by_item"]) == body["totals"][k]
    # The figures are not trivially zero: the data set has both late and on-time work.
    if month == FEB:
        assert (want["received"], want["overdue"], want["declined"]) == (4, 1, 1)
        assert body["satisfaction"] == {"ratings": 2, "good": 1, "bad": 1, "good_rate": 50.0}
    if month == JAN:
        assert want["open_overdue"] == 2


def test_excel_matches_json_and_page(client, data, token_for):
    h = token_for("t01-head")
    url = f"/api/v1/reports/monthly?unit={data.tc1.pk}&month=2025-02"
    body = client.get(url, **h).json()
    x = client.get(url + "&format=xlsx", **h)
    assert x.status_code == 200
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(x.content))
    summary = wb["汇总"]
    header = [c.value for c in summary[2]]
    values = dict(zip(header, [c.value for c in summary[3]], strict=True))
    assert values["收件"] == body["totals"]["received"]
    assert values["超时办结"] == body["totals"]["overdue"]
    assert values["代办收件"] == body["proxy_totals"]["received"]
    villages = wb["分村(社区)"]
    rows = [[c.value for c in row] for row in villages.iter_rows(min_row=3)]
    assert [r[1] for r in rows] == [v["region_code"] for v in body["by_village"]]
    assert [r[2] for r in rows] == [v["received"] for v in body["by_village"]]
    items = wb["分事项"]
    assert sorted(r[0].value for r in items.iter_rows(min_row=3)) == sorted(
        i["item"] for i in body["by_item"]
    )
    # The page shows the same totals.
    client.force_login(data.t1_head.user)
    page = client.get(f"/reports/monthly/{data.tc1.pk}/2025-02/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("<main")[1].split("</main>")[0]
    totals = html.split('id="totals"')[1].split("</table>")[0]
    assert f"<td>{body['totals']['received']}</td><td>{body['totals']['accepted']}</td>" in totals
    page_x = client.get(f"/reports/monthly/{data.tc1.pk}/2025-02/?format=xlsx")
    assert (
        load_workbook(io.BytesIO(page_x.content))["汇总"]["B3"].value == body["totals"]["received"]
    )


def test_scope_agent_and_other_township_are_refused(client, data, token_for):
    url = "/api/v1/reports/monthly?unit={}&month=2025-02"
    agent = token_for("v0101-agent")
    assert client.get(url.format(data.tc2.pk), **agent).status_code == 403
    assert client.get(url.format(data.tc1.pk), **agent).status_code == 403
    assert client.get(url.format(data.tc2.pk), **token_for("t01-staff")).status_code == 403
    assert client.get(url.format(data.centre.pk), **token_for("t01-staff")).status_code == 403
    assert client.get(url.format(data.tc1.pk)).status_code == 401
    client.force_login(data.a11.user)
    assert client.get(f"/reports/monthly/{data.tc2.pk}/2025-02/").status_code == 403


def test_submit_receive_rollup_and_reminders(client, data, token_for):
    c = data
    # Reminders: the due date is 5 April 2025; Apr 4 is the Qingming holiday (no reminder sent).
    with at(dt.date(2025, 4, 4)):
        out = report_reminders(today=dt.date(2025, 4, 4))
    assert out["generated"] == 2 and out["reminded"] == [] and out["due_on"] == "2025-04-05"
    with at(dt.date(2025, 4, 3)):
        assert report_reminders(today=dt.date(2025, 4, 3))["reminded"] == ["T1", "T2"]
        assert report_reminders(today=dt.date(2025, 4, 3))["reminded"] == []
    march = MonthlyReport.objects.get(unit=c.tc1, month=MAR)
    assert march.state == ReportState.DRAFT and march.figures["totals"]["received"] == 1
    # Staff without the head role cannot submit; the head can, on time.
    h = token_for("t01-staff")
    r = client.post(
        "/api/v1/reports/monthly/actions",
        {"unit": c.tc1.pk, "month": "2025-03", "action": "submit"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 403
    with at(dt.date(2025, 4, 3)):
        report_submit(report=march, actor=c.t1_head.user, note="已核对")
    march.refresh_from_db()
    assert march.state == ReportState.SUBMITTED and not march.submitted_late
    # T2 never submits: flagged late once, after the 5th.
    with at(dt.date(2025, 4, 7)):
        assert report_reminders(today=dt.date(2025, 4, 7))["late"] == ["T2"]
        assert report_reminders(today=dt.date(2025, 4, 7))["late"] == []
    sup = token_for("supervisor")
    status = client.get("/api/v1/reports/monthly/status?month=2025-03", **sup).json()
    assert [(s["unit"], s["state"], s["late"]) for s in status] == [
        (c.tc1.name, "submitted", False),
        (c.tc2.name, "draft", True),
    ]
    r = client.post(
        "/api/v1/reports/monthly/actions",
        {"unit": c.tc1.pk, "month": "2025-03", "action": "receive"},
        content_type="application/json",
        **sup,
    )
    assert r.status_code == 200 and r.json()["report"]["state"] == "received"
    again = client.post(
        "/api/v1/reports/monthly/actions",
        {"unit": c.tc1.pk, "month": "2025-03", "action": "receive"},
        content_type="application/json",
        **sup,
    )
    assert (again.status_code, again.json()["code"]) == (409, "not_submitted")
    steps = march.events.values_list("action", "note")
    assert [s for s in steps if s[0] in ("submit", "receive")] == [
        ("submit", "已核对"),
        ("receive", ""),
    ]
    roll = client.get(f"/api/v1/reports/monthly?unit={c.centre.pk}&month=2025-02", **sup).json()
    t1 = monthly_figures(c.tc1, FEB)["totals"]
    t2 = monthly_figures(c.tc2, FEB)["totals"]
    assert roll["totals"]["received"] == t1["received"] + t2["received"] == 5
    assert roll["totals"]["concluded"] == t1["concluded"] + t2["concluded"]
    x = client.get(f"/api/v1/reports/monthly?unit={c.centre.pk}&month=2025-02&format=xlsx", **sup)
    ws = load_workbook(io.BytesIO(x.content))["全县汇总"]
    last = [cell.value for cell in ws[ws.max_row]]
    assert last[0] == "全县合计" and last[3] == roll["totals"]["received"]
    client.force_login(c.supervisor.user)
    assert client.get("/reports/monthly/?month=2025-03").status_code == 200
    assert client.get(f"/reports/monthly/{c.centre.pk}/2025-02/").status_code == 200


def test_public_statistics_need_no_login(client, data):
    r = client.get("/reports/public/")
    assert r.status_code == 200 and "政务服务统计公开" in r.content.decode()
    r = client.get(f"/reports/public/{data.tc1.pk}/")
    assert r.status_code == 200
    assert client.get(f"/reports/public/{data.s11.pk}/").status_code == 404
    x = client.get(f"/reports/public/{data.tc1.pk}/?format=xlsx")
    wb = load_workbook(io.BytesIO(x.content))
    assert wb.sheetnames == ["逐月统计", "事项平均办理时间"]


def _cells(table_html: str) -> list[list[str]]:
    body = table_html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_print_view_has_the_page_rows_and_the_signature_lines(client, data):
    client.force_login(data.t1_head.user)
    url = f"/reports/monthly/{data.tc1.pk}/2025-02/"
    html = client.get(url).content.decode()
    assert 'href="?format=print"' in html
    page_villages = _cells(html.split('id="villages"', 1)[1])
    page_totals = _cells(html.split('id="totals"', 1)[1])
    p = client.get(url + "?format=print")
    assert p.status_code == 200
    printed = p.content.decode()
    assert "print.css" in printed and "<svg" in printed
    for label in ("填报人", "审核人", "单位负责人", "打印人", "2025-02-01 至 2025-02-28"):
        assert label in printed
    tables = printed.split('class="paper-table"')[1:]
    assert [len(t) for t in (_cells(tables[0]), _cells(tables[2]))] == [1, len(page_villages)]
    assert _cells(tables[0])[0][:9] == page_totals[0][:9]
    # The village table: the page's columns without the errand count, plus the region code.
    assert [[r[0], *r[2:]] for r in _cells(tables[2])] == [r[:-1] for r in page_villages]
    # Out of scope: no print either.
    client.force_login(data.t2_staff.user)
    assert client.get(url + "?format=print").status_code == 403


def test_county_summary_prints(client, data, county):
    client.force_login(county.supervisor.user)
    p = client.get(f"/reports/monthly/{county.centre.pk}/2025-02/?format=print")
    assert p.status_code == 200
    text = p.content.decode()
    assert "全县月报汇总" in text and "全县合计" in text and "单位（盖章）" in text
