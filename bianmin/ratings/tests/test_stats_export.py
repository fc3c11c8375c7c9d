"""Rating statistics over a date range: validated dates, the chart, Excel and print equal to
the page's rows, staff only."""

import datetime as dt
import io
import re

from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from bianmin.ratings.services import rating_submit

from .helpers import at, concluded_case, township_item

MARCH, APRIL = dt.date(2025, 3, 3), dt.date(2025, 4, 7)


def _rows(html: str) -> list[list[str]]:
    body = html.split('id="stats"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _value(v):
    """A cell of the page or the workbook, compared as the figure it shows."""
    if v in (None, "", "—"):
        return None
    try:
        return float(v)
    except ValueError:
        return v


def _ratings(county):
    v = township_item(county)
    for day, level in ((MARCH, 5), (MARCH, 1), (APRIL, 4)):
        case = concluded_case(county, v, day=day)
        with at(day):
            rating_submit(case=case, level=level, channel="online")


def test_date_range_chart_excel_and_print_equal_the_page(client, county):
    _ratings(county)
    client.force_login(county.t1_head.user)
    every = _rows(client.get("/ratings/stats/").content.decode())
    assert [r[:4] for r in every] == [[county.tc1.name, "3", "2", "1"]]

    r = client.get("/ratings/stats/?from=2025-03-01&to=2025-03-31")
    html = r.content.decode()
    page = _rows(html)
    assert [r[:4] for r in page] == [[county.tc1.name, "2", "1", "1"]]
    assert 'viewBox="0 0 480' in html and 'width="100%"' in html and "1/1 · 50%" in html
    assert 'value="2025-03-01"' in html and 'id="stats-xlsx"' in html

    x = client.get("/ratings/stats/?from=2025-03-01&to=2025-03-31&format=xlsx")
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws["A3"].value == "期间：2025-03-01 至 2025-03-31"
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=6)]
    # The page's columns: label, counts, the four rates, then the channels.
    assert [[_value(v) for v in (*d[:4], *d[7:11], *d[11:15])] for d in data] == [
        [_value(v) for v in row] for row in page
    ]

    p = client.get("/ratings/stats/?from=2025-03-01&to=2025-03-31&format=print")
    text = p.content.decode()
    assert p.status_code == 200 and "<svg" in text and "统计人" in text
    assert "2025-03-01 至 2025-03-31" in text and text.count("<tr>") == 1 + len(page)

    # An open bound: from April on.
    april = _rows(client.get("/ratings/stats/?from=2025-04-01").content.decode())
    assert [r[:4] for r in april] == [[county.tc1.name, "1", "1", "0"]]


def test_bad_dates_are_refused_in_chinese_and_kept(client, county):
    _ratings(county)
    client.force_login(county.t1_head.user)
    r = client.get("/ratings/stats/?from=2025-13-01&to=2025-03-31")
    html = r.content.decode()
    assert r.status_code == 422
    assert "“开始日期”应为日期，格式 YYYY-MM-DD" in html and 'value="2025-13-01"' in html
    assert "stats-xlsx" not in html
    r = client.get("/ratings/stats/?from=2025-04-01&to=2025-03-01")
    assert r.status_code == 422 and "结束日期不能早于开始日期" in r.content.decode()
    bad = client.get("/ratings/stats/?from=2025-04-01&to=2025-03-01&format=xlsx")
    assert bad.status_code == 400 and "结束日期不能早于开始日期" in bad.content.decode()


def test_stats_export_only_for_staff(client, county):
    citizen = get_user_model().objects.create_user("citizen-r", password="x")
    client.force_login(citizen)
    assert "stats-xlsx" not in client.get("/ratings/stats/").content.decode()
    assert client.get("/ratings/stats/?format=xlsx").status_code == 403
    assert client.get("/ratings/stats/?format=print").status_code == 403
    client.force_login(county.t2_staff.user)  # another township: its own (empty) figures
    _ratings(county)
    ws = load_workbook(io.BytesIO(client.get("/ratings/stats/?format=xlsx").content)).active
    assert ws.max_row == 5
