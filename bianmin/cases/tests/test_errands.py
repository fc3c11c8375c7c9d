"""Errands (便民服务): the short flow, money that reconciles per agent, scope, API and pages."""

import base64
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from bianmin.cases.chain import chains_verify
from bianmin.cases.errand_selectors import errand_money_by_agent, errand_queues
from bianmin.cases.models import Case, Delivery, ErrandMoney, State
from bianmin.cases.selectors import case_list, work_queues
from bianmin.cases.services import case_transition, errand_register
from bianmin.cases.tests.conftest import signature_png
from bianmin.cases.tests.test_files import png_header_only
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed

SIGN = {"signature": signature_png(), "signed_by_name": "李奶奶"}


def errand(staff, **kw):
    fields = {"kind": "pay", "person_name": "李奶奶", "subject": "代缴12月电费", "phone": ""}
    return errand_register(actor=staff.user, **{**fields, **kw})


def act(case, action, staff, **kw):
    return case_transition(case=case, action=action, actor=staff.user, **kw)


def test_pay_a_bill_register_money_done_hand_over(county, clock):
    c = county
    case = errand(c.a11)
    assert (case.state, case.case_class, case.agent, case.first_responder) == (
        State.ERRAND_OPEN,
        "errand",
        c.a11,
        c.a11.user,
    )
    assert case.item_version is None and case.title.startswith("代缴")
    case = act(case, "money", c.a11, direction="in", amount="200", party="本人")
    case = act(
        case,
        "money",
        c.a11,
        direction="out",
        amount=Decimal("185.50"),
        party="国网汉中供电公司",
        receipt_number="DF-2026-0001",
        receipt_photo=signature_png(),
    )
    receipt = ErrandMoney.objects.get(direction="out")
    assert receipt.receipt_photo.name.endswith(".png") and receipt.receipt_number == "DF-2026-0001"
    with pytest.raises(Conflict):  # not done yet
        act(case, "hand_over", c.a11, **SIGN)
    case = act(case, "done", c.a11, note="已缴清")
    with pytest.raises(Conflict) as e:  # 14.50 of the person's money still held
        act(case, "hand_over", c.a11, **SIGN)
    assert e.value.code == "money_unsettled"
    case = act(case, "hand_over", c.a11, amount="14.5", **SIGN)
    assert case.state == State.HANDED_OVER and case.closed_on == timezone.localdate()
    assert Delivery.objects.get(case=case).signed_by_name == "李奶奶"
    rows = list(case.money.values_list("direction", "amount", "party"))
    assert rows[-1] == ("out", Decimal("14.50"), "李奶奶")
    assert [e.action for e in case.events.order_by("seq")] == [
        "register",
        "money",
        "money",
        "done",
        "hand_over",
    ]
    assert chains_verify() == []


def test_money_out_cannot_exceed_money_in_and_cancel_refunds(county):
    c = county
    case = errand(c.a11, kind="buy", subject="代购降压药")
    with pytest.raises(Conflict):
        act(case, "money", c.a11, direction="out", amount="10", party="药店")
    case = act(case, "money", c.a11, direction="in", amount="50", party="本人")
    with pytest.raises(ValidationFailed):
        act(case, "money", c.a11, direction="in", amount="-3", party="本人")
    with pytest.raises(ValidationFailed):
        act(case, "cancel", c.a11)  # a reason is required
    with pytest.raises(Conflict):
        act(case, "cancel", c.a11, reason="药店缺货")  # the 50 must go back first
    case = act(case, "cancel", c.a11, reason="药店缺货", amount="50")
    assert case.state == State.CANCELLED
    with pytest.raises(Conflict):
        act(case, "money", c.a11, direction="in", amount="1", party="本人")


def test_only_agents_register_and_identifiers_are_checked(county):
    c = county
    with pytest.raises(PermissionDenied):
        errand(c.t1_staff)
    with pytest.raises(ValidationFailed) as e:
        errand(c.a11, id_number="110105194912310021")
    assert e.value.field == "id_number"
    with pytest.raises(ValidationFailed) as e:
        errand(c.a11, kind="approve")
    assert e.value.field == "kind"
    assert not Case.all_objects.exists()


def test_errands_are_not_cases_and_have_their_own_queues(county, items):
    c = county
    case = errand(c.a11)
    done = act(errand(c.a11, kind="collect", subject="代领养老金"), "done", c.a11)
    assert not Case.objects.exists() and Case.errands.count() == 2
    assert case_list(viewer=c.a11.user).items == []
    assert all(q["count"] == 0 for q in work_queues(viewer=c.a11.user).values())
    queues = errand_queues(viewer=c.a11.user)
    assert [e.number for e in queues["errands_open"]["items"]] == [case.number]
    assert [e.number for e in queues["errands_to_hand_over"]["items"]] == [done.number]
    assert errand_queues(viewer=c.a12.user)["errands_open"]["count"] == 0
    # An approval case cannot take errand actions, nor an errand case actions.
    from bianmin.cases.tests.helpers import register

    real = register(c, items.promised)
    with pytest.raises(Conflict):
        act(real, "done", c.t1_staff)
    with pytest.raises(Conflict):
        act(case, "accept", c.a11)


def test_another_village_cannot_act_on_an_errand(county):
    c = county
    case = errand(c.a11)
    with pytest.raises(PermissionDenied):
        act(case, "done", c.a12)
    with pytest.raises(PermissionDenied):  # the township sees it but errands are the agent's
        act(case, "done", c.t1_staff)


def test_money_per_agent_reconciles_with_the_entries(county, clock):
    c = county
    day = clock.set(dt.date(2026, 11, 23))
    # What each agent received and paid, written down here as it is recorded.
    ledger = {c.a11.pk: [Decimal(0), Decimal(0)], c.a12.pk: [Decimal(0), Decimal(0)]}
    plan = [
        (c.a11, "collect", [("in", "1520.00", "镇社保所")], "1520.00"),
        (c.a11, "pay", [("in", "300", "本人"), ("out", "268.40", "水务公司")], "31.60"),
        (c.a12, "buy", [("in", "80", "本人"), ("out", "76.5", "村卫生室")], "3.50"),
        (c.a12, "pay", [("in", "120", "本人"), ("out", "120", "燃气公司")], None),
    ]
    open_one = None
    for staff, kind, moves, back in plan:
        case = errand(staff, kind=kind, subject=f"{kind} 测试")
        for direction, amount, party in moves:
            case = act(case, "money", staff, direction=direction, amount=amount, party=party)
            ledger[staff.pk][0 if direction == "in" else 1] += Decimal(amount)
        case = act(case, "done", staff)
        extra = {"amount": back} if back else {}
        case = act(case, "hand_over", staff, **SIGN, **extra)
        if back:
            ledger[staff.pk][1] += Decimal(back)
    # One still running: 60 received and held by 汉王代办员.
    open_one = errand(c.a11, kind="buy", subject="代购化肥")
    act(open_one, "money", c.a11, direction="in", amount="60", party="本人")
    ledger[c.a11.pk][0] += Decimal(60)

    rows = {r.agent_id: r for r in errand_money_by_agent(viewer=c.t1_head.user, month=day)}
    assert set(rows) == {c.a11.pk, c.a12.pk}
    for agent_id, (money_in, money_out) in ledger.items():
        assert (rows[agent_id].money_in, rows[agent_id].money_out) == (money_in, money_out)
    assert rows[c.a11.pk].held == Decimal(60) and rows[c.a12.pk].held == 0
    # Every handed-over errand is settled to the fen.
    for case in Case.errands.filter(state=State.HANDED_OVER):
        ins = sum(m.amount for m in case.money.all() if m.direction == "in")
        outs = sum(m.amount for m in case.money.all() if m.direction == "out")
        assert ins == outs
    # Scope: an agent sees only itself; another township nobody; another month nothing.
    assert [r.agent_id for r in errand_money_by_agent(viewer=c.a12.user, month=day)] == [c.a12.pk]
    assert errand_money_by_agent(viewer=c.t2_staff.user, month=day) == []
    assert errand_money_by_agent(viewer=c.t1_head.user, month=dt.date(2026, 12, 1)) == []


def test_errand_api(client, county, token_for):
    c = county
    agent = token_for("v0101-agent")
    r = client.post(
        "/api/v1/cases/errands",
        {"kind": "post", "person_name": "王大爷", "subject": "代收快递"},
        content_type="application/json",
        **agent,
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert r.json()["allowed_actions"] == ["done", "money", "cancel"]  # next expected first
    url = f"/api/v1/cases/{number}/actions"
    photo = base64.b64encode(signature_png()).decode()
    r = client.post(
        f"{url}/money",
        {"direction": "in", "amount": 12.5, "party": "本人", "receipt_photo": photo},
        content_type="application/json",
        **agent,
    )
    assert r.status_code == 200, r.content
    assert r.json()["money_in"] == "12.50"
    r = client.post(f"{url}/hand_over", {}, content_type="application/json", **agent)
    assert r.status_code == 409  # illegal from errand_open
    client.post(f"{url}/done", {}, content_type="application/json", **agent)
    # A signature whose header claims 20000² pixels is refused before anything decodes it.
    bomb = base64.b64encode(png_header_only(20_000, 20_000)).decode()
    r = client.post(
        f"{url}/hand_over",
        {"signature": bomb, "signed_by_name": "王大爷", "amount": "12.50"},
        content_type="application/json",
        **agent,
    )
    assert r.status_code == 422 and r.json()["field"] == "signature", r.content
    sig = base64.b64encode(signature_png()).decode()
    r = client.post(
        f"{url}/hand_over",
        {"signature": sig, "signed_by_name": "王大爷", "amount": "12.50"},
        content_type="application/json",
        **agent,
    )
    assert r.status_code == 200 and r.json()["state"] == "handed_over", r.content
    detail = client.get(f"/api/v1/cases/errands/{number}", **agent).json()
    assert [m["direction"] for m in detail["money"]] == ["in", "out"]
    events = client.get(f"/api/v1/cases/{number}/events", **agent).json()
    assert [e["action_label"] for e in events][-1] == "交付签收"
    assert client.get(f"/api/v1/cases/{number}", **agent).status_code == 404  # not a case
    month = timezone.localdate().strftime("%Y-%m")
    money = client.get(f"/api/v1/cases/errands/money?month={month}", **agent).json()
    assert money == [
        {
            "agent_id": c.a11.pk,
            "agent": "汉王代办员",
            "unit": "汉王村便民服务站",
            "entries": 2,
            "money_in": "12.50",
            "money_out": "12.50",
            "held": "0.00",
        }
    ]
    other = token_for("v0102-agent")
    assert client.get(f"/api/v1/cases/errands/{number}", **other).status_code == 403
    assert client.get("/api/v1/cases/errands", **other).json() == []
    queues = client.get("/api/v1/cases/errands/queues", **agent).json()
    assert queues["errands_open"]["count"] == 0


def test_errand_pages(client, county):
    c = county
    client.force_login(c.a11.user)
    r = client.post(
        "/cases/errands/list/",
        {"kind": "pay", "person_name": "", "subject": "代缴医保"},
    )
    assert r.status_code == 422 and "请填写服务对象姓名" in r.content.decode()
    assert "代缴医保" in r.content.decode()  # what was typed is kept
    r = client.post(
        "/cases/errands/list/",
        {"kind": "pay", "person_name": "赵婶", "subject": "代缴医保"},
    )
    case = Case.errands.get()
    assert r.status_code == 302 and r.url == f"/cases/errands/{case.number}/"
    r = client.post(
        f"/cases/errands/{case.number}/money/",
        {"direction": "in", "amount": "380", "party": "本人", "lock_version": case.lock_version},
    )
    assert r.status_code == 302
    page = client.get(f"/cases/errands/{case.number}/").content.decode()
    assert "380.00 / 0.00 / 380.00" in page and "登记款项" in page
    listing = client.get("/cases/errands/list/").content.decode()
    assert case.number in listing and 'id="errands-open">1<' in listing
    client.force_login(c.a12.user)
    assert client.get(f"/cases/errands/{case.number}/").status_code == 403


def test_errands_count_in_the_monthly_report_and_the_assessment(county, clock):
    from bianmin.reports.figures import monthly_figures
    from bianmin.staffing.services.assessment import assessment_metrics, scheme_current

    c = county
    day = clock.set(dt.date(2026, 11, 23))
    handed = act(errand(c.a11), "done", c.a11)
    handed = act(handed, "hand_over", c.a11, **SIGN)
    errand(c.a11, kind="post", subject="代收快递")  # still open
    errand(c.a12, kind="contact", subject="联系殡葬服务")
    figures = monthly_figures(c.tc1, day)
    by_code = {v["region_code"]: v for v in figures["by_village"]}
    assert by_code[c.v11.code]["errands"] == {"registered": 2, "handed_over": 1}
    assert by_code[c.v12.code]["errands"] == {"registered": 1, "handed_over": 0}
    assert figures["errand_totals"] == {"registered": 3, "handed_over": 1}
    assert figures["totals"]["received"] == 0  # errands are not cases
    assert monthly_figures(c.tc2, day)["errand_totals"] == {"registered": 0, "handed_over": 0}
    m = assessment_metrics(
        staff=c.a11, start=day.replace(day=1), end=dt.date(2026, 11, 30), scheme=scheme_current()
    )
    assert (m["cases"], m["errands"], m["errand_ids"]) == (0, 1, [handed.pk])
