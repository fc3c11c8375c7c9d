"""The cases API: intake validation, the five classes and the proxy loop, scope on every endpoint."""

import base64

import pytest

from bianmin.cases.models import Case, PersonalDataView
from bianmin.cases.tests.conftest import PERSON, all_provided, signature_png
from bianmin.common.validators import mask_id_number

SIGNATURE = "data:image/png;base64," + base64.b64encode(signature_png()).decode()


def create(client, headers, version, **kw):
    body = {
        "item_version": version.pk,
        "channel": "window",
        "materials": {str(k): v for k, v in all_provided(version).items()},
        **PERSON,
        **kw,
    }
    return client.post("/api/v1/cases", body, content_type="application/json", **headers)


def act(client, headers, number, action, **body):
    return client.post(
        f"/api/v1/cases/{number}/actions/{action}", body, content_type="application/json", **headers
    )


def ok(r, status=200):
    assert r.status_code == status, r.content.decode()
    return r.json()


def test_wrong_id_check_digit_is_422_naming_the_field_and_saves_nothing(
    client, county, items, token_for
):
    h = token_for("t01-staff")
    r = create(client, h, items.promised, id_number="110105194912310021")
    assert r.status_code == 422
    body = r.json()
    assert body["field"] == "id_number" and "校验位" in body["detail"]
    assert Case.objects.count() == 0


def test_wrong_credit_code_is_422_naming_the_field(client, county, items, token_for):
    h = token_for("t01-staff")
    r = create(
        client,
        h,
        items.promised,
        applicant_kind="enterprise",
        applicant_name="某公司",
        credit_code="91350100M000100Y44",
        contact="李四",
        id_number="",
    )
    assert r.status_code == 422 and r.json()["field"] == "credit_code"
    assert Case.objects.count() == 0
    r = create(
        client,
        h,
        items.promised,
        applicant_kind="enterprise",
        applicant_name="某公司",
        credit_code="91350100M000100Y43",
        contact="李四",
        id_number="",
    )
    assert ok(r, 201)["credit_code"] == "91350100M000100Y43"


def test_proxy_loop_through_the_api(client, county, items, token_for, clock):
    agent, town, civil = token_for("v0101-agent"), token_for("t01-staff"), token_for("d-mz")
    body = ok(create(client, agent, items.promised, channel="proxy", entrustment_signed=True), 201)
    n = body["number"]
    assert body["state"] == "submitted"
    # The agent takes the request in for a unit above it: its answer shows the number masked.
    assert body["id_number"] == mask_id_number(PERSON["id_number"])
    # What each person may do comes with the case, the next expected action first.
    assert body["allowed_actions"][0] == "forward" and "accept" not in body["allowed_actions"]
    assert body["proxy_due"] and body["clock"] == "proxy"
    ok(act(client, agent, n, "forward"))
    assert ok(act(client, town, n, "receive"))["allowed_actions"][0] == "accept"
    accepted = ok(act(client, town, n, "accept"))
    # Accepted at the township for the county: the department's clock has not started.
    assert accepted["proxy_due"] and accepted["promised_due"] is None
    assert accepted["clock"] == "proxy" and accepted["allowed_actions"][0] == "forward"
    ok(act(client, town, n, "forward"))
    received = ok(act(client, civil, n, "receive"))
    assert received["promised_due"] and received["days_left"] == 10 and received["clock"] == "case"
    assert received["allowed_actions"][0] == "review"
    ok(act(client, civil, n, "review"))
    refused = act(client, civil, n, "decide", approved=False)
    assert refused.status_code == 422 and refused.json()["field"] == "reasons"
    ok(act(client, civil, n, "decide", approved=True))
    bad = act(client, civil, n, "conclude")
    assert bad.status_code == 422 and bad.json()["field"] == "certificate_number"
    ok(act(client, civil, n, "conclude", certificate_number="DB-1"))
    ok(act(client, civil, n, "hand_back"))
    ok(act(client, town, n, "receive"))
    ok(act(client, town, n, "hand_back"))
    ok(act(client, agent, n, "receive"))
    closed = ok(
        act(client, agent, n, "deliver", signature=SIGNATURE, signed_by_name="张三", feedback="好")
    )
    assert closed["state"] == "closed"
    events = ok(client.get(f"/api/v1/cases/{n}/events", **agent))
    assert [e["action"] for e in events][-1] == "deliver" and events[0]["action"] == "entrust"
    assert all(e["hash"] for e in events)


def walk(client, items, token_for, version, steps, *, who="t01-staff"):
    h = token_for(who)
    n = ok(create(client, h, version), 201)["number"]
    last = None
    for user, action, body in steps:
        last = ok(act(client, token_for(user), n, action, **body))
    return last


def test_immediate_through_the_api(client, county, items, token_for):
    last = walk(
        client,
        items,
        token_for,
        items.immediate,
        [
            ("t01-staff", "accept", {}),
            ("t01-staff", "conclude", {}),
            ("t01-staff", "deliver", {"signature": SIGNATURE, "signed_by_name": "张三"}),
        ],
    )
    assert last["state"] == "closed" and last["approved"] is True


def test_joint_through_the_api(client, county, items, token_for):
    last = walk(
        client,
        items,
        token_for,
        items.joint,
        [
            ("t01-staff", "accept", {}),
            ("t01-staff", "forward", {}),
            ("d-zr", "receive", {}),
            ("d-zr", "review", {}),
            ("d-mz", "opine", {"approved": True}),
            ("d-rs", "opine", {"approved": False, "reasons": "社保信息不符"}),
            ("d-zr", "decide", {"approved": False, "reasons": "人社局不同意：社保信息不符"}),
            ("d-zr", "conclude", {}),
            ("d-zr", "hand_back", {}),
            ("t01-staff", "receive", {}),
            ("t01-staff", "deliver", {"signature": SIGNATURE, "signed_by_name": "张三"}),
        ],
    )
    assert last["state"] == "closed" and last["approved"] is False
    assert {r["state"] for r in last["subreviews"]} == {"approved", "refused"}


def test_escalated_and_reply_through_the_api(client, county, items, token_for):
    last = walk(
        client,
        items,
        token_for,
        items.escalated,
        [
            ("t01-staff", "accept", {}),
            ("t01-staff", "forward", {}),
            ("d-rs", "receive", {}),
            ("d-rs", "review", {}),
            ("d-rs", "decide", {"approved": True}),
            ("d-rs", "conclude", {}),
            ("d-rs", "hand_back", {}),
            ("t01-staff", "receive", {}),
        ],
    )
    assert last["state"] == "to_deliver" and last["current_unit"] == "武乡镇便民服务中心"
    last = walk(
        client,
        items,
        token_for,
        items.reply,
        [
            ("t01-staff", "accept", {}),
            ("t01-staff", "review", {}),
            ("t01-staff", "decide", {"approved": False, "reasons": "不属于本机关公开范围"}),
            ("t01-staff", "conclude", {}),
        ],
    )
    assert last["state"] == "concluded" and last["reasons"] == "不属于本机关公开范围"


def test_illegal_action_is_409_in_chinese_and_unknown_is_422(client, county, items, token_for):
    h = token_for("t01-staff")
    n = ok(create(client, h, items.promised), 201)["number"]
    r = act(client, h, n, "conclude")
    assert r.status_code == 409
    assert "待受理" in r.json()["detail"] and "办结" in r.json()["detail"]
    assert act(client, h, n, "explode").status_code == 422
    assert client.get("/api/v1/cases/HT-000000000000-20260101-AAAAAAAA-A", **h).status_code == 404


def test_agent_gets_403_on_another_villages_case_on_every_endpoint(
    client, county, items, token_for
):
    other = token_for("v0102-agent")
    n = ok(create(client, other, items.promised, channel="proxy", entrustment_signed=True), 201)[
        "number"
    ]
    h = token_for("v0101-agent")
    assert client.get(f"/api/v1/cases/{n}", **h).status_code == 403
    assert client.get(f"/api/v1/cases/{n}/events", **h).status_code == 403
    for action in sorted({"forward", "accept", "withdraw", "assign", "notify_missing"}):
        r = act(client, h, n, action)
        assert r.status_code == 403, (action, r.content)
    listed = ok(client.get("/api/v1/cases", **h))
    assert listed["items"] == []
    # Posting a case for another village's station is refused as well.
    r = create(
        client, h, items.promised, channel="proxy", entrustment_signed=True, unit=county.s12.pk
    )
    assert r.status_code == 403
    assert not PersonalDataView.objects.filter(viewer=county.a11.user).exists()


def test_list_scoped_masked_filtered_and_paginated(client, county, items, token_for):
    town = token_for("t01-staff")
    numbers = [ok(create(client, town, items.promised), 201)["number"] for _ in range(3)]
    ok(create(client, token_for("t02-staff"), items.promised), 201)
    page = ok(client.get("/api/v1/cases?limit=2", **town))
    assert len(page["items"]) == 2 and page["next_cursor"]
    assert page["items"][0]["id_number"] == "110105********002X"
    rest = ok(client.get(f"/api/v1/cases?limit=2&cursor={page['next_cursor']}", **town))
    seen = [i["number"] for i in page["items"] + rest["items"]]
    assert sorted(seen) == sorted(numbers) and rest["next_cursor"] is None
    ok(act(client, town, numbers[0], "accept"))
    accepted = ok(client.get("/api/v1/cases?state=accepted", **town))
    assert [i["number"] for i in accepted["items"]] == [numbers[0]]
    assert ok(client.get("/api/v1/cases?overdue=true", **town))["items"] == []
    # A department sees the cases it decides or that were routed to it, nothing else.
    assert len(ok(client.get("/api/v1/cases", **token_for("d-mz")))["items"]) == 4
    assert ok(client.get("/api/v1/cases", **token_for("d-zr")))["items"] == []
    assert (
        ok(client.get("/api/v1/cases", **token_for("t02-staff")))["items"][0]["number"]
        not in numbers
    )
    sup = ok(client.get("/api/v1/cases", **token_for("supervisor")))
    assert len(sup["items"]) == 4


@pytest.mark.parametrize("who", ["v0101-agent", "t01-staff"])
def test_detail_logs_personal_data_view(client, county, items, token_for, who):
    h = token_for(who)
    n = ok(
        create(
            client,
            h,
            items.promised,
            channel="proxy" if "agent" in who else "window",
            entrustment_signed=True,
        ),
        201,
    )["number"]
    ok(client.get(f"/api/v1/cases/{n}", **h))
    assert PersonalDataView.objects.filter(case__number=n).count() == 1
    queues = ok(client.get("/api/v1/cases/queues", **h))
    # The agent passes the county item on to the township; the township accepts it.
    assert queues["to_forward" if "agent" in who else "to_accept"]["count"] == 1
