"""Documents along the route of a proxied case: the entrustment (委托书) signed at take-in, the
status QR code on every document, the date the applicant is given (the proxy deadline, or the
promised limit while the deciding unit's clock has not started), and the acceptance notice on
one A4 page with its stamp block."""

import re
import shutil
import subprocess

import pytest
from django.template.loader import render_to_string
from django.test import override_settings

from bianmin.cases import documents as docs
from bianmin.cases.models import State
from bianmin.cases.services import case_register, case_transition
from bianmin.cases.tests.conftest import MATERIALS, PERSON, STEPS, _item, all_provided
from bianmin.common.qr import qr_svg
from bianmin.workdays.calendar import add_workdays

ID_MASKED = "110105********002X"
PUBLIC = "https://bm.example.gov.cn"


def step(case, action, staff, **kw):
    return case_transition(case=case, action=action, actor=staff.user, **kw)


def take_in(county, version, *, staff=None, channel="proxy", missing=(), **kw):
    """Register at the agent's station (proxy) or at a hall (`staff`); materials provided but
    those named in `missing`."""
    staff = staff or county.a11
    proxy = channel == "proxy"
    materials = all_provided(version)
    for name in missing:
        materials[version.materials.get(name=name).pk] = "missing"
    return case_register(
        actor=staff.user,
        item_version=version,
        channel=channel,
        materials=materials,
        entrustment_signed=proxy,
        entrustment_text="委托代办低保申请" if proxy else "",
        **{**PERSON, **kw},
    )


def accepted_at_township(county, version, *, notice: bool = False, **kw):
    """A proxied county item the township accepts (受理关口前移), still on its way up; with
    `notice`, after a one-time notice for a missing 申请表 and its supplement."""
    case = take_in(county, version, missing=("申请表",) if notice else (), **kw)
    case = step(case, "forward", county.a11)
    case = step(case, "receive", county.t1_staff)
    if notice:
        case = step(case, "notify_missing", county.t1_staff)
        case = step(case, "supplement", county.t1_staff)
    return step(case, "accept", county.t1_staff)


def page(client, case, kind, user, **params):
    client.force_login(user)
    return client.get(f"/cases/{case.number}/documents/{kind}/", params)


def cn_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def pdf_pages(pdf: bytes, tmp_path) -> tuple[int, str]:
    """Pages and page size of a PDF as poppler reads it back (make system-deps installs it)."""
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo is None:
        pytest.skip("poppler-utils not installed")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(  # noqa: S603 - fixed tool, our own temp file
        [pdfinfo, str(path)], capture_output=True, check=True, text=True
    ).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    size = re.search(r"^Page size:\s+(.*)$", info, re.M).group(1)
    return pages, size


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    return subprocess.run(  # noqa: S603 - fixed tool, our own temp file
        [shutil.which("pdftotext") or "pdftotext", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout


@override_settings(BIANMIN_PUBLIC_URL=PUBLIC)
def test_entrustment_of_a_proxied_case(county, items, clock, client, tmp_path):
    case = take_in(county, items.promised)
    kinds = [k.code for k in docs.available_kinds(case)]
    assert kinds[0] == "entrustment" and "register" in kinds
    r = page(client, case, "entrustment", county.a11.user)
    assert r.status_code == 200
    html = r.content.decode()
    assert "委托书" in html
    # 委托人: the applicant, ID and phone masked.
    assert "张三" in html and ID_MASKED in html and PERSON["id_number"] not in html
    assert "138****0001" in html and PERSON["phone"] not in html
    # 受托人: the agent and the station; 委托事项: the item and the entrustment text.
    assert "代办员：汉王代办员" in html and "代办点：汉王村便民服务站" in html
    assert "城乡居民最低生活保障审批" in html and "委托代办低保申请" in html
    assert "代办服务免费" in html
    # The proxy deadline: promised 10 + 5 working days from take-in.
    due = add_workdays(case.submitted_on, 15).date
    assert case.proxy_due == due
    assert re.search(r"<th>代办承诺办结日期</th><td[^>]*>" + cn_date(due), html)
    assert "委托人（签字或按手印）" in html and "受托人（签字）" in html
    url = f"{PUBLIC}/status/{case.number}/"
    assert qr_svg(url, title=url) in html
    pdf = page(client, case, "entrustment", county.a11.user, format="pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf_pages(pdf.content, tmp_path) == (1, "595.276 x 841.89 pts (A4)")


def test_entrustment_taken_at_a_hall_names_the_clerk_and_hall(county, items, clock, client):
    case = take_in(county, items.promised, staff=county.t1_staff)
    html = page(client, case, "entrustment", county.t1_staff.user).content.decode()
    assert "经办工作人员：武乡窗口" in html and "服务大厅：武乡镇便民服务中心" in html


def test_no_entrustment_without_proxy(county, items, clock, client):
    case = take_in(county, items.promised, staff=county.t1_staff, channel="window")
    assert "entrustment" not in [k.code for k in docs.available_kinds(case)]
    assert page(client, case, "entrustment", county.t1_staff.user).status_code == 409


@pytest.mark.parametrize(
    ("setting", "base"),
    [(PUBLIC + "/", PUBLIC), ("", "http://127.0.0.1:8000")],
)
def test_every_document_qr_points_to_the_public_status_page(
    county, items, clock, client, settings, setting, base
):
    settings.BIANMIN_PUBLIC_URL = setting
    case = accepted_at_township(county, items.promised, notice=True)
    url = f"{base}/status/{case.number}/"
    assert docs.status_url(case) == url
    kinds = [k.code for k in docs.available_kinds(case)]
    assert {"entrustment", "receipt", "notice", "register"} <= set(kinds)
    for kind in kinds:
        html = page(client, case, kind, county.t1_staff.user).content.decode()
        assert qr_svg(url, title=url) in html, kind
    # The path is the portal's status page (it asks for the phone digits before showing it).
    client.logout()
    r = client.get(f"/status/{case.number}/")
    assert r.status_code == 200 and "手机号后四位" in r.content.decode()


def test_proxied_notices_give_the_proxy_deadline(county, items, clock, client):
    case = take_in(county, items.promised, missing=("申请表",))
    case = step(case, "forward", county.a11)
    case = step(case, "receive", county.t1_staff)
    case = step(case, "notify_missing", county.t1_staff)
    html = page(client, case, "notice", county.a11.user).content.decode()
    assert re.search(r"<th>代办承诺办结日期</th><td[^>]*>" + cn_date(case.proxy_due), html)
    assert "相应顺延" in html
    case = step(case, "supplement", county.t1_staff)
    case = step(case, "accept", county.t1_staff)
    clock.advance(2)
    case = step(case, "forward", county.t1_staff)
    case = step(case, "receive", county.civil)
    assert case.promised_due and case.proxy_due and case.promised_due != case.proxy_due
    for kind, user in (("receipt", county.a11.user), ("register", county.a11.user)):
        html = page(client, case, kind, user).content.decode()
        assert re.search(r"<th>代办承诺办结日期</th><td[^>]*>" + cn_date(case.proxy_due), html)
        assert cn_date(case.promised_due) not in html, kind
        assert "<th>承诺办结日期</th>" not in html


def test_before_the_deciding_unit_starts_its_clock_the_limit_is_printed(
    county, items, clock, client
):
    case = take_in(county, items.promised, staff=county.t1_staff, channel="window")
    case = step(case, "accept", county.t1_staff)
    assert case.clock_started_on is None and case.promised_due is None
    due = docs.applicant_due(case)
    assert (due.kind, due.date, due.limit_days) == ("pending", None, 10)
    html = page(client, case, "receipt", county.t1_staff.user).content.decode()
    assert re.search(r"<th>承诺办结时限</th><td[^>]*>10个工作日（自决定单位收件之日起计算）", html)
    assert '<th>法定办结时限</th><td colspan="3">20个工作日（自决定单位收件之日起计算）' in html
    # Once the department receives it, the date is printed.
    case = step(case, "forward", county.t1_staff)
    case = step(case, "receive", county.civil)
    html = page(client, case, "receipt", county.civil.user).content.decode()
    assert re.search(r"<th>承诺办结日期</th><td[^>]*>" + cn_date(case.promised_due), html)
    assert "<th>法定办结日期</th>" in html and "代办承诺办结日期" not in html


def test_acceptance_notice_is_one_a4_page_with_the_stamp_block(county, clock, client, tmp_path):
    """A long checklist, a long item name and a proxied case's extra rows still fit one page."""
    many = [
        {"name": f"第{n}项申请材料：家庭成员收入、财产及就业状况的书面证明（含复印件）"}
        for n in range(1, 25)
    ]
    version = _item(
        "LONG01",
        county,
        name="城乡居民最低生活保障审核确认（含特困人员救助供养、临时救助的一并申请）",
        case_class="promised",
        accept_tier="township",
        decide_tier="county",
        implementing_unit=county.dept_civil,
        promised_limit=10,
        statutory_limit=20,
        pledge_allowed=True,
        materials=[*MATERIALS, *many],
        steps=STEPS,
    )
    case = accepted_at_township(county, version)
    assert case.materials.count() == 29
    r = page(client, case, "receipt", county.t1_staff.user, format="pdf")
    assert r.status_code == 200
    assert pdf_pages(r.content, tmp_path) == (1, "595.276 x 841.89 pts (A4)")
    text = re.sub(r"\s+", "", pdf_text(r.content, tmp_path))
    assert "（盖章）" in text and "武乡镇便民服务中心" in text and "经办人" in text
    assert "29.第24项申请材料" in text and "代办承诺办结日期" in text
    # The layout does not depend on the WeasyPrint run: the template renders one page.
    from weasyprint import HTML

    kind, doc = docs.build(case, "receipt")
    html = render_to_string(kind.template, {"doc": doc, "for_pdf": True})
    assert len(HTML(string=html).render().pages) == 1
    assert case.state == State.ACCEPTED


def status_page(client, case) -> str:
    client.logout()
    r = client.post(f"/status/{case.number}/", {"phone_tail": PERSON["phone"][-4:]})
    assert r.status_code == 302, r.content.decode()
    return client.get(f"/status/{case.number}/").content.decode()


def test_status_page_and_lookup_give_the_proxy_deadline(county, items, clock, client):
    from bianmin.portal.selectors import status_summary
    from bianmin.workdays.calendar import workdays_between

    case = accepted_at_township(county, items.promised)
    clock.advance(2)
    case = step(case, "forward", county.t1_staff)
    case = step(case, "receive", county.civil)
    assert case.promised_due != case.proxy_due
    html = status_page(client, case)
    assert re.search(
        r'<dt>代办承诺办结日期</dt><dd id="due-on">' + f"{case.proxy_due:%Y-%m-%d}", html
    )
    assert f"{case.promised_due:%Y-%m-%d}" not in html
    # The days left count to the date the applicant was given.
    summary = status_summary(case)
    left = workdays_between(clock.set(case.clock_started_on), case.proxy_due).workdays
    assert summary["days_left"] == left and not summary["overdue"]
    r = client.get(f"/api/v1/public/cases/{case.number}", {"phone_tail": PERSON["phone"][-4:]})
    body = r.json()
    assert r.status_code == 200, body
    assert body["due_on"] == str(case.proxy_due) and body["due_label"] == "代办承诺办结日期"


def test_status_page_and_lookup_before_the_deciding_unit_has_the_case(county, items, clock, client):
    case = take_in(county, items.promised, staff=county.t1_staff, channel="window")
    case = step(case, "accept", county.t1_staff)
    html = status_page(client, case)
    assert re.search(
        r'<dt>承诺办结时限</dt><dd id="due-on">10个工作日（自决定单位收件之日起计算）', html
    )
    body = client.get(
        f"/api/v1/public/cases/{case.number}", {"phone_tail": PERSON["phone"][-4:]}
    ).json()
    assert body["due_on"] is None and body["due_label"] == "承诺办结时限"
    assert body["due_text"] == "10个工作日（自决定单位收件之日起计算）"
    case = step(case, "forward", county.t1_staff)
    case = step(case, "receive", county.civil)
    html = status_page(client, case)
    assert re.search(
        r'<dt>承诺办结日期</dt><dd id="due-on">' + f"{case.promised_due:%Y-%m-%d}", html
    )
