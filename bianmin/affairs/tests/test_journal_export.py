"""The cash journal in Excel and on paper: the trusteeship page's rows, for trustees only."""

import datetime as dt
import io
import re
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from bianmin.affairs import services

D = dt.date(2026, 3, 2)


def _page_rows(html: str) -> list[list[str]]:
    body = html.split('id="journal"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells[:6]])
    return rows


def test_journal_export_and_print_equal_the_page(client, county):
    c, clerk = county, county.t1_staff.user
    services.cash_entry_record(
        actor=clerk,
        village=c.v11,
        date=D,
        direction="income",
        amount="5000",
        summary="土地租金",
        counterparty="张\x0b三",
        voucher="=1+1",
    )
    wrong = services.cash_entry_record(
        actor=clerk, village=c.v11, date=D, direction="expense", amount="120.50", summary="修路"
    )
    services.cash_entry_reverse(actor=clerk, entry=wrong, reason="金额录错")
    client.force_login(clerk)
    page = _page_rows(client.get(f"/affairs/{c.v11.code}/custody/").content.decode())
    assert len(page) == 3

    r = client.get(f"/affairs/{c.v11.code}/custody/journal.xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value.endswith("现金日记账") and c.v11.name in ws["A1"].value
    # The reversal is dated the day it is made.
    assert ws["A3"].value == f"期间：2026-03-02 至 {timezone.localdate():%Y-%m-%d}"
    assert "导出人" in ws["A4"].value
    header = [cell.value for cell in ws[5]]
    assert header[:4] == ["序号", "日期", "凭证号", "摘要"]
    data = [[cell.value for cell in row] for row in ws.iter_rows(min_row=6)]
    assert len(data) == len(page)

    def money(v):
        return "" if v in (None, "") else str(Decimal(str(v)).quantize(Decimal("0.01")))

    as_page = [
        [str(d[0]), d[1].strftime("%Y-%m-%d"), d[3], money(d[5]), money(d[6]), money(d[7])]
        for d in data
    ]
    assert as_page == page
    # A control character in a name and a formula-like voucher come back as text.
    assert data[0][4] == "张三" and data[0][2] == "=1+1"
    assert ws["C6"].data_type == "s"

    p = client.get(f"/affairs/{c.v11.code}/custody/journal/print/")
    assert p.status_code == 200
    html = p.content.decode()
    assert "现金日记账" in html and "打印人" in html and "出纳" in html and "print.css" in html
    assert html.count("<tr>") == 1 + len(page)  # header row and the page's rows


def test_journal_export_is_the_trustees(client, county):
    c = county
    client.force_login(c.a11.user)  # the village agent reads the board, keeps no accounts
    assert client.get(f"/affairs/{c.v11.code}/custody/journal.xlsx").status_code == 403
    assert client.get(f"/affairs/{c.v11.code}/custody/journal/print/").status_code == 403
    client.force_login(c.t2_staff.user)  # another township
    assert client.get(f"/affairs/{c.v11.code}/custody/journal.xlsx").status_code == 403
    client.logout()
    assert client.get(f"/affairs/{c.v11.code}/custody/journal.xlsx").status_code == 302
    board = client.get(f"/affairs/board/{c.v11.code}/").content.decode()
    assert "journal.xlsx" not in board
