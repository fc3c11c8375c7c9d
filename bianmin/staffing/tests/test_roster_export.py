"""The duty roster in Excel and on paper: the roster page's rows, its change record, scope."""

import datetime as dt
import io
import re

from openpyxl import load_workbook

from bianmin.common.sheets import clean_text
from bianmin.orgs import services as org
from bianmin.staffing import services
from bianmin.staffing.services.roster import working_days

OCT = dt.date(2026, 10, 1)


def _page_rows(html: str) -> list[list[str]]:
    table = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]


def test_roster_export_and_print_equal_the_page(client, county):
    c = county
    b = org.staff_create(
        username="v0101-agent2", password="x-pass-123", full_name="=王\x0b二", unit=c.s11,
        roles=["agent"],
    )  # fmt: skip
    services.roster_rule_set(unit=c.s11, mode="rotation", members=[c.a11, b], actor=c.t1_head.user)
    roster = services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    d1, d2 = working_days(OCT)[:2]
    services.duty_swap(
        roster=roster, date_a=d1, staff_a=c.a11, date_b=d2, staff_b=b, reason="家中有事",
        actor=c.t1_head.user,
    )  # fmt: skip
    client.force_login(c.t1_head.user)
    html = client.get(f"/staffing/roster/{c.s11.pk}/2026-10/").content.decode()
    page = _page_rows(html)
    assert len(page) == len(working_days(OCT)) and 'id="roster-xlsx"' in html

    r = client.get(f"/staffing/roster/{c.s11.pk}/2026-10/roster.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["值班表"]
    assert "值班表（草稿，未公布）" in ws["A1"].value and c.s11.name in ws["A1"].value
    assert ws["A3"].value == "期间：2026-10-01 至 2026-10-31"
    data = [[cell.value for cell in row] for row in ws.iter_rows(min_row=6)]
    # The page shows the name as typed; the workbook without the control character.
    assert [[d[0].strftime("%Y-%m-%d"), d[1], d[2]] for d in data] == [
        [clean_text(v) for v in row] for row in page
    ]
    # The name with a control character and a leading "=" is text without the character.
    assert data[0][2] == "=王二" and ws["C6"].data_type == "s"
    assert [cell.value for cell in wb["变更记录"][5]][:3] == ["时间", "类型", "日期"]
    assert wb["变更记录"].max_row == 6

    p = client.get(f"/staffing/roster/{c.s11.pk}/2026-10/print/")
    text = p.content.decode()
    assert p.status_code == 200 and "负责人" in text and "制表人" in text
    assert text.count("<tr>") == (1 + len(page)) + (1 + 1)


def test_roster_export_scope_and_month_without_roster(client, county):
    c = county
    services.roster_generate(unit=c.s11, month=OCT, actor=c.t1_head.user)
    client.force_login(c.t2_staff.user)  # another township
    assert client.get(f"/staffing/roster/{c.s11.pk}/2026-10/roster.xlsx").status_code == 403
    assert client.get(f"/staffing/roster/{c.s11.pk}/2026-10/print/").status_code == 403
    client.force_login(c.t1_head.user)
    r = client.get(f"/staffing/roster/{c.s11.pk}/2026-11/roster.xlsx", follow=True)
    assert r.redirect_chain == [(f"/staffing/roster/{c.s11.pk}/2026-11/", 302)]
    assert "本月尚未排班，没有可导出的值班表" in r.content.decode()
    page = client.get(f"/staffing/roster/{c.s11.pk}/2026-11/").content.decode()
    assert "roster-xlsx" not in page
