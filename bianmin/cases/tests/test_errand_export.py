"""Errand money in Excel and on paper: the errand page's money rows, the entries behind them,
masked identity numbers, staff only."""

import io
import re

from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from bianmin.cases.services import case_transition, errand_register

ID = "11010519491231002X"


def _money_rows(html: str) -> list[list[str]]:
    body = html.split('id="errand-money"', 1)[1].split("</tbody>", 1)[0].split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def test_errand_money_export_and_print_equal_the_page(client, county, clock):
    c = county
    one = errand_register(
        actor=c.a11.user,
        kind="collect",
        person_name="李\x0b奶奶",
        subject="代领养老金",
        id_number=ID,
    )
    case_transition(
        case=one, action="money", actor=c.a11.user, direction="in", amount="1200", party="=1+1"
    )
    two = errand_register(actor=c.a12.user, kind="pay", person_name="王大爷", subject="代缴电费")
    two = case_transition(
        case=two, action="money", actor=c.a12.user, direction="in", amount="200", party="本人"
    )
    case_transition(
        case=two, action="money", actor=c.a12.user, direction="out", amount="185.5", party="供电所"
    )
    client.force_login(c.t1_head.user)
    page = client.get("/cases/errands/list/?month=2026-11")
    assert page.status_code == 200
    html = page.content.decode()
    rows = _money_rows(html)
    assert len(rows) == 2 and 'id="errand-money-xlsx"' in html

    r = client.get("/cases/errands/money.xlsx?month=2026-11")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["按代办员汇总"]
    assert ws["A3"].value == "期间：2026-11-01 至 2026-11-30"
    data = [[cell.value for cell in row] for row in ws.iter_rows(min_row=6)]
    as_text = [[str(v) if isinstance(v, int) else v for v in row[:3]] for row in data]
    assert as_text == [row[:3] for row in rows]
    assert [f"{v:.2f}" for row in data for v in row[3:]] == [v for row in rows for v in row[3:]]
    detail = wb["收付明细"]
    lines = [[cell.value for cell in row] for row in detail.iter_rows(min_row=6)]
    assert len(lines) == 3
    mine = next(line for line in lines if line[1] == one.number)
    assert mine[3] == "李奶奶" and mine[4] == "110105********002X" and ID not in str(lines)
    assert mine[7] == "=1+1" and detail.cell(row=6 + lines.index(mine), column=8).data_type == "s"

    p = client.get("/cases/errands/money/print/?month=2026-11")
    assert p.status_code == 200
    text = p.content.decode()
    assert "代办员经手款项登记表" in text and "审核人" in text and ID not in text
    assert text.count("<tr>") == (1 + 2) + (1 + 3)

    # Another month: nothing; a month that cannot be read: a Chinese refusal, no file.
    empty = load_workbook(io.BytesIO(client.get("/cases/errands/money.xlsx?month=2026-12").content))
    assert empty["按代办员汇总"].max_row == 5
    bad = client.get("/cases/errands/money.xlsx?month=2026-13")
    assert bad.status_code == 400 and "格式 YYYY-MM" in bad.content.decode()
    assert "格式 YYYY-MM" in client.get("/cases/errands/list/?month=x").content.decode()


def test_errand_money_export_scope(client, county, clock):
    c = county
    one = errand_register(actor=c.a11.user, kind="pay", person_name="李奶奶", subject="代缴")
    case_transition(
        case=one, action="money", actor=c.a11.user, direction="in", amount="10", party="本人"
    )
    client.force_login(c.t2_staff.user)  # another township: an empty register
    ws = load_workbook(io.BytesIO(client.get("/cases/errands/money.xlsx?month=2026-11").content))
    assert ws["收付明细"].max_row == 5
    client.force_login(c.a12.user)  # the other agent of the township sees only its own
    ws = load_workbook(io.BytesIO(client.get("/cases/errands/money.xlsx?month=2026-11").content))
    assert ws["收付明细"].max_row == 5
    # An account without a post (a citizen's) sees no export link and is refused the file.
    citizen = get_user_model().objects.create_user("citizen-e", password="x")
    client.force_login(citizen)
    assert "errand-money-xlsx" not in client.get("/cases/errands/list/").content.decode()
    assert client.get("/cases/errands/money.xlsx").status_code == 403
    assert client.get("/cases/errands/money/print/").status_code == 403
    client.logout()
    assert client.get("/cases/errands/money.xlsx").status_code == 302
