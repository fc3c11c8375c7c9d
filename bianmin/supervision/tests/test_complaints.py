import datetime as dt

import pytest

from bianmin.common.errors import ValidationFailed
from bianmin.supervision import services
from bianmin.supervision.models import ComplaintStatus


def test_complaint_file_sets_working_day_deadlines_across_national_day(county):
    # Filed on Sunday 2025-09-28 (an adjusted working day); 09-29, 09-30 count, then the
    # National Day holiday 10-01..10-08, 10-11 (Saturday) is an adjusted working day.
    c = services.complaint_file(
        kind="complaint",
        unit=county.tc1,
        content="窗口人员态度差",
        name="张三",
        phone="13912345678",
        today=dt.date(2025, 9, 28),
    )
    assert c.status == ComplaintStatus.FILED
    # 09-29, 09-30, 10-09, 10-10, 10-11 (adjusted working Saturday).
    assert c.decide_due == dt.date(2025, 10, 11)
    assert c.reply_due > c.decide_due
    assert c.number.startswith("TS-20250928-")


def test_complaint_file_refuses_empty_content_and_bad_phone(county):
    with pytest.raises(ValidationFailed) as e:
        services.complaint_file(kind="complaint", unit=county.tc1, content="  ")
    assert e.value.field == "content"
    with pytest.raises(ValidationFailed) as e:
        services.complaint_file(kind="suggestion", unit=county.tc1, content="x", phone="123")
    assert e.value.field == "phone"
    with pytest.raises(ValidationFailed):
        services.complaint_file(kind="praise", unit=county.tc1, content="x")


# --- handling, public lookup, supervision --------------------------------------------------------
from bianmin.common.errors import Conflict, NotFound, PermissionDenied  # noqa: E402
from bianmin.supervision.models import Alert, Clock  # noqa: E402
from bianmin.supervision.selectors import complaint_public_get, complaint_queue  # noqa: E402


@pytest.fixture
def filed(county):
    return services.complaint_file(
        kind="complaint",
        unit=county.s11,
        content="代办员未按时送达结果",
        name="李四",
        phone="13912345678",
        staff=county.a11,
        today=dt.date(2025, 9, 26),
    )


def test_queue_is_the_responsible_units_and_above(county, filed):
    assert [c.number for c in complaint_queue(viewer=county.t1_staff.user)] == [filed.number]
    assert [c.number for c in complaint_queue(viewer=county.supervisor.user)] == [filed.number]
    assert complaint_queue(viewer=county.t2_staff.user) == []
    assert complaint_queue(viewer=county.a12.user) == []


def test_decide_and_reply_rules(county, filed):
    with pytest.raises(PermissionDenied):  # the agent complained about, and agents at all
        services.complaint_decide(complaint=filed, actor=county.a11.user, note="x")
    with pytest.raises(PermissionDenied):  # another township
        services.complaint_decide(complaint=filed, actor=county.t2_staff.user, note="x")
    with pytest.raises(ValidationFailed):
        services.complaint_decide(
            complaint=filed, actor=county.t1_head.user, note=" ", outcome="upheld"
        )
    with pytest.raises(ValidationFailed) as e:  # a complaint is decided with its outcome
        services.complaint_decide(complaint=filed, actor=county.t1_head.user, note="已约谈")
    assert e.value.field == "outcome"
    filed.refresh_from_db()
    assert filed.status == ComplaintStatus.FILED and filed.outcome == ""
    done = services.complaint_decide(
        complaint=filed,
        actor=county.t1_head.user,
        note="已约谈代办员",
        outcome="partly_upheld",
        today=dt.date(2025, 9, 29),
    )
    assert done.status == ComplaintStatus.DECIDED and done.decided_on == dt.date(2025, 9, 29)
    assert done.outcome == "partly_upheld"
    with pytest.raises(Conflict):
        services.complaint_decide(complaint=filed, actor=county.t1_head.user, note="again")
    services.complaint_reply(
        complaint=filed,
        actor=county.t1_head.user,
        reply="已整改，结果已送达",
        today=dt.date(2025, 9, 30),
    )
    with pytest.raises(Conflict):
        services.complaint_reply(complaint=filed, actor=county.t1_head.user, reply="again")


def test_public_lookup_needs_number_and_phone_tail(county, filed):
    public = complaint_public_get(filed.number, "5678")
    assert public.status == ComplaintStatus.FILED and public.reply == ""
    assert not hasattr(public, "phone")
    for number, tail in ((filed.number, "0000"), (filed.number, "78"), ("TS-X", "5678")):
        with pytest.raises(NotFound):
            complaint_public_get(number, tail)
    services.complaint_reply(
        complaint=filed, actor=county.t1_head.user, reply="已整改", outcome="upheld"
    )
    public = complaint_public_get(filed.number.lower(), "5678")
    assert public.reply == "已整改" and public.outcome_label == "属实"


def test_overdue_complaints_raise_alerts_once(county, filed):
    from bianmin.supervision.services import supervision_sweep

    # decide_due: 09-28, 09-29, 09-30, 10-09, 10-10 (National Day off).
    assert filed.decide_due == dt.date(2025, 10, 10)
    for day in (dt.date(2025, 10, 9), dt.date(2025, 10, 11), dt.date(2025, 10, 11)):
        supervision_sweep(today=day)
    rows = Alert.objects.filter(complaint=filed, clock=Clock.COMPLAINT_DECISION)
    assert sorted(rows.values_list("level", "raised_on")) == [
        ("red", dt.date(2025, 10, 11)),
        ("yellow", dt.date(2025, 10, 9)),
    ]
    notified = set(rows.get(level="red").notified.values_list("username", flat=True))
    assert notified == {"t01-head"}  # the station has no head: its township centre's head
    services.complaint_reply(
        complaint=filed, actor=county.t1_head.user, reply="已处理", outcome="not_upheld"
    )
    before = Alert.objects.filter(complaint=filed).count()
    supervision_sweep(today=dt.date(2025, 10, 31))  # replied: its clocks have stopped
    assert Alert.objects.filter(complaint=filed).count() == before


def test_complaints_api_and_pages(client, county, filed, token_for):
    h = token_for("t01-head")
    r = client.get("/api/v1/supervision/complaints", **h)
    assert r.status_code == 200 and r.json()[0]["phone"] == "139****5678"
    r = client.post(
        f"/api/v1/supervision/complaints/{filed.number}/reply",
        {"reply": "已答复"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 422 and r.json()["field"] == "outcome"  # never closed without one
    r = client.post(
        f"/api/v1/supervision/complaints/{filed.number}/reply",
        {"reply": "已答复", "outcome": "not_upheld"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 200 and r.json()["status"] == "replied"
    assert r.json()["outcome"] == "not_upheld"
    other = token_for("t02-staff")
    assert client.get(f"/api/v1/supervision/complaints/{filed.number}", **other).status_code == 403
    client.force_login(county.t1_head.user)
    assert client.get("/supervision/complaints/").status_code == 200
    assert client.get(f"/supervision/complaints/{filed.number}/").status_code == 200
