"""The printable documents of a case, as HTML and PDF, scoped like the case itself."""

import base64
import io
import re

from django.test import override_settings
from PIL import Image

from bianmin.cases.models import State
from bianmin.cases.tests.test_pages import (
    ID_MASKED,
    ID_OK,
    act,
    login,
    proxy_item,
    register,
    to_concluded,
    to_department,
)


def test_notice_lists_exactly_the_missing_materials(county, client):
    item = proxy_item(county)
    case = register(county, item, missing=("户口簿", "家庭收入情况声明"))
    to_department(county, case)
    act(case, "notify_missing", county.civil, materials=[])
    login(client, county.a11.user)
    r = client.get(f"/cases/{case.number}/documents/notice/")
    assert r.status_code == 200
    html = r.content.decode()
    rows = re.findall(r'<tr class="missing-material"><td>\d+</td><td>([^<]+)</td>', html)
    assert rows == ["户口簿", "家庭收入情况声明"]
    assert "居民身份证</td>" not in html
    assert ID_MASKED in html and ID_OK not in html
    pdf = client.get(f"/cases/{case.number}/documents/notice/", {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


@override_settings(BIANMIN_PUBLIC_URL="https://bm.example.gov.cn")
def test_receipt_carries_deadlines_and_status_qr(county, client):
    case = register(county, proxy_item(county))
    to_department(county, case)
    act(case, "accept", county.civil)
    case.refresh_from_db()
    login(client, county.civil.user)
    html = client.get(f"/cases/{case.number}/documents/receipt/").content.decode()
    assert f"https://bm.example.gov.cn/status/{case.number}/" in html
    assert "<svg" in html and 'class="qr"' in html
    # A proxied applicant is given the proxy deadline (RULES.md "Time limits").
    due = case.proxy_due
    assert "代办承诺办结日期" in html and f"{due.year}年{due.month}月{due.day}日" in html
    assert "区民政局" in html


def test_document_that_does_not_exist_yet_is_a_conflict(county, client):
    case = register(county, proxy_item(county))
    login(client, county.a11.user)
    r = client.get(f"/cases/{case.number}/documents/receipt/")
    assert r.status_code == 409
    assert client.get(f"/cases/{case.number}/documents/bogus/").status_code == 404
    assert client.get(f"/cases/{case.number}/documents/register/").status_code == 200


def test_refusal_notice_shows_the_reasons(county, client):
    case = register(county, proxy_item(county))
    to_concluded(county, case, approved=False, reasons="家庭人均收入高于当地低保标准")
    login(client, county.a11.user)
    html = client.get(f"/cases/{case.number}/documents/refusal/").content.decode()
    assert "不予批准决定书" in html and "家庭人均收入高于当地低保标准" in html
    assert "行政复议" in html


def test_delivery_through_the_page_then_receipt_shows_signature(county, client):
    case = register(county, proxy_item(county))
    to_concluded(county, case)
    # The result comes back through the township centre to the station (RULES.md "The route").
    act(case, "hand_back", county.civil)
    act(case, "receive", county.t1_staff)
    act(case, "hand_back", county.t1_staff)
    act(case, "receive", county.a11)
    case.refresh_from_db()
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), "white").save(buf, "PNG")
    signature = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    login(client, county.a11.user)
    r = client.post(
        f"/cases/{case.number}/actions/deliver/",
        {
            "lock_version": case.lock_version,
            "signature_data": "data:image/png;base64,AAAA",
            "signed_by_name": "张三",
        },
    )
    assert r.status_code == 422 and "签名" in r.content.decode()
    r = client.post(
        f"/cases/{case.number}/actions/deliver/",
        {
            "lock_version": case.lock_version,
            "signature_data": signature,
            "signed_by_name": "张三",
            "feedback": "满意",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED
    html = client.get(f"/cases/{case.number}/documents/delivery/").content.decode()
    assert 'src="data:image/png;base64,' in html and "张三" in html and "满意" in html
    pdf = client.get(f"/cases/{case.number}/documents/delivery/", {"format": "pdf"})
    assert pdf.content.startswith(b"%PDF-")
