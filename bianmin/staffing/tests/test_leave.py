"""Attendance and leave: signing, written leave with head approval, sick-leave documents, the
AB backup holding the open queue during leave and giving it back, the monthly sheet."""

import datetime as dt
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from PIL import Image

from bianmin.cases.models import Case, CaseEvent
from bianmin.cases.services import case_transition
from bianmin.common.errors import Conflict, PermissionDenied, ValidationFailed
from bianmin.orgs import services as org
from bianmin.staffing import selectors, services
from bianmin.staffing.models import (
    Attendance,
    LeaveEvent,
    LeaveRequest,
    LeaveStatus,
    QueueHandover,
)

from .conftest import open_proxy_case

MON = dt.date(2026, 9, 21)


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, format="PNG")
    return buf.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def post(county):
    """汉王村 station with a second agent as 汉王代办员's AB backup."""
    backup = org.staff_create(
        username="v0101-b",
        password="test-pass-123",
        full_name="汉王备岗员",
        unit=county.s11,
        roles=["agent"],
        phone="13900000001",
    )
    org.staff_set_backup(staff=county.a11, backup=backup)
    county.a11.refresh_from_db()
    return backup


def test_sign_in_out_page_and_tablet_api(client, county, clock, token_for):
    clock.set(MON, hour=8)
    client.force_login(county.a11.user)
    assert client.post("/staffing/sign/in/").status_code == 302
    row = Attendance.objects.get(staff=county.a11, day=MON)
    assert row.source_in == "page" and row.signed_out_at is None
    client.post("/staffing/sign/in/")
    assert Attendance.objects.filter(staff=county.a11).count() == 1
    headers = token_for("v0101-agent")
    r = client.post(
        "/api/v1/staffing/attendance", {"action": "out"}, content_type="application/json", **headers
    )
    assert r.status_code == 200, r.content
    row.refresh_from_db()
    assert row.signed_out_at is not None and row.source_out == "tablet"
    r = client.post(
        "/api/v1/staffing/attendance", {"action": "out"}, content_type="application/json", **headers
    )
    assert r.status_code == 409
    # Another agent signing on the tablet with no sign-in yet cannot sign out.
    r = client.post(
        "/api/v1/staffing/attendance",
        {"action": "out"},
        content_type="application/json",
        **token_for("v0102-agent"),
    )
    assert r.status_code == 409 and "尚未签到" in r.json()["detail"]


def test_leave_request_checks_and_head_approval(county, clock):
    c = county
    clock.set(MON)
    with pytest.raises(ValidationFailed) as e:
        services.leave_request(actor=c.a11.user, kind="sick", start=MON, end=MON, reason="发烧")
    assert e.value.field == "document"
    fake = SimpleUploadedFile("note.png", b"not an image at all", content_type="image/png")
    with pytest.raises(ValidationFailed):
        services.leave_request(
            actor=c.a11.user, kind="sick", start=MON, end=MON, reason="发烧", document=fake
        )
    sick = services.leave_request(
        actor=c.a11.user,
        kind="sick",
        start=MON,
        end=MON,
        reason="发烧",
        document=SimpleUploadedFile("scan.bin", png_bytes()),
    )
    assert sick.document and sick.status == LeaveStatus.PENDING
    pdf = services.leave_request(
        actor=c.a12.user,
        kind="sick",
        start=MON,
        end=MON,
        reason="住院",
        document=SimpleUploadedFile("x.pdf", PDF),
    )
    with pytest.raises(Conflict):
        services.leave_request(actor=c.a11.user, kind="personal", start=MON, end=MON, reason="x")
    for outsider in (c.a11, c.civil_head, c.t1_staff):  # self, another unit's head, not a head
        with pytest.raises(PermissionDenied):
            services.leave_decide(leave=sick, approved=True, actor=outsider.user)
    with pytest.raises(ValidationFailed):
        services.leave_decide(leave=pdf, approved=False, note="", actor=c.t1_head.user)
    services.leave_decide(leave=pdf, approved=False, note="人手不足", actor=c.t1_head.user)
    sick = services.leave_decide(leave=sick, approved=True, actor=c.t1_head.user)
    assert sick.status == LeaveStatus.APPROVED
    with pytest.raises(Conflict, match="该请假已处理（已批准）"):
        services.leave_decide(leave=sick, approved=True, actor=c.t1_head.user)
    with pytest.raises(PermissionDenied):  # who decides is checked before the state
        services.leave_decide(leave=sick, approved=False, note="x", actor=c.civil_head.user)
    decided = LeaveEvent.objects.filter(leave__in=[sick, pdf]).order_by("pk")
    assert [(e.action, e.to_state, e.note) for e in decided] == [
        ("reject", "rejected", "人手不足"),
        ("approve", "approved", ""),
    ]
    assert services.staff_on_leave(staff_ids=[c.a11.pk, c.a12.pk], day=MON) == {c.a11.pk}
    with pytest.raises(Conflict):
        services.attendance_sign(actor=c.a11.user, action="in")


def test_backup_holds_queue_during_leave_and_gives_it_back(
    client, county, clock, post, proxy_item, token_for
):
    c, backup = county, post
    clock.set(MON)
    locked = open_proxy_case(c.a11, proxy_item)
    locked = case_transition(case=locked, action="assign", actor=c.a11.user)
    waiting = open_proxy_case(c.a11, proxy_item, applicant_name="李四")
    sent = case_transition(
        case=open_proxy_case(c.a11, proxy_item, applicant_name="王五"),
        action="forward",
        actor=c.a11.user,
    )
    other = open_proxy_case(c.a12, proxy_item)  # someone else's case stays put

    # The agent writes the request on the staff page; the township head approves through the API.
    client.force_login(c.a11.user)
    r = client.post(
        "/staffing/leave/new/",
        {"kind": "personal", "start": "2026-09-21", "end": "2026-09-24", "reason": "家中秋收"},
    )
    assert r.status_code == 302
    leave = LeaveRequest.objects.get(staff=c.a11)
    r = client.post(
        f"/api/v1/staffing/leave/{leave.pk}/decide",
        {"approved": True},
        content_type="application/json",
        **token_for("t01-head"),
    )
    assert r.status_code == 200, r.content
    assert r.json()["covered_by"] == "汉王备岗员"

    handovers = QueueHandover.objects.filter(leave=leave, ended_at=None)
    assert {h.case_id for h in handovers} == {locked.pk, waiting.pk, sent.pk}
    assert all(h.to_user == backup.user for h in handovers)
    locked.refresh_from_db()
    assert locked.assigned_to == backup.user  # the lock moved through the engine
    other.refresh_from_db()
    assert other.assigned_to is None
    assert not QueueHandover.objects.filter(case=other).exists()

    # The backup sees them as held for the absent agent, and can act on the locked case.
    r = client.get("/api/v1/staffing/queue", **token_for("v0101-b"))
    rows = {row["number"]: row for row in r.json()}
    assert set(rows) == {locked.number, waiting.number, sent.number}
    assert all(row["covering_for"] == "汉王代办员" for row in rows.values())
    r = client.get("/api/v1/staffing/queue", **token_for("v0101-agent"))
    assert {row["covered_by"] for row in r.json()} == {"汉王备岗员"}
    case_transition(case=waiting, action="assign", actor=backup.user)
    with pytest.raises(Conflict):  # the lock is the backup's now, not the absent holder's
        case_transition(case=locked, action="forward", actor=c.a11.user)

    # Back from leave on the staff page: everything goes back, the lock too.
    clock.set(MON + dt.timedelta(days=2))
    client.force_login(c.a11.user)
    assert client.post(f"/staffing/leave/{leave.pk}/return/").status_code == 302
    assert not QueueHandover.objects.filter(leave=leave, ended_at=None).exists()
    locked.refresh_from_db()
    assert locked.assigned_to == c.a11.user
    waiting.refresh_from_db()
    assert waiting.assigned_to == backup.user  # taken by the backup in their own name: stays

    # The timeline shows who held what, in order.
    actions = list(
        CaseEvent.objects.filter(case=locked).order_by("seq").values_list("action", "actor_id")
    )
    assert actions == [
        ("entrust", c.a11.user.pk),
        ("assign", c.a11.user.pk),
        ("ab_cover", c.t1_head.user.pk),
        ("release", c.a11.user.pk),
        ("assign", backup.user.pk),
        ("ab_return", c.a11.user.pk),
        ("release", backup.user.pk),
        ("assign", c.a11.user.pk),
    ]
    cover = CaseEvent.objects.get(case=sent, action="ab_cover")
    assert "汉王备岗员" in cover.note and cover.data["to"] == "v0101-b"
    holders = selectors.case_holders(viewer=c.t1_head.user, case=sent)
    assert [(h.from_user, h.to_user) for h in holders] == [(c.a11.user, backup.user)]
    assert holders[0].ended_at is not None


def test_future_leave_starts_and_ends_with_the_sweep(county, clock, post, proxy_item):
    c, backup = county, post
    clock.set(MON)
    case = open_proxy_case(c.a11, proxy_item)
    leave = services.leave_request(
        actor=c.a11.user,
        kind="annual",
        start=MON + dt.timedelta(days=1),
        end=MON + dt.timedelta(days=2),
        reason="年休",
    )
    services.leave_decide(leave=leave, approved=True, actor=c.t1_head.user)
    assert not QueueHandover.objects.exists()
    assert services.cover_for(staff=c.a11, day=MON) == c.a11
    assert services.cover_for(staff=c.a11, day=MON + dt.timedelta(days=1)) == backup
    clock.set(MON + dt.timedelta(days=1))
    assert services.leaves_sweep() == {"handed_over": 1, "handed_back": 0}
    assert QueueHandover.objects.get().case_id == case.pk
    new = open_proxy_case(c.a11, proxy_item, applicant_name="赵六")  # reached them while away
    assert services.leaves_sweep()["handed_over"] == 1
    clock.set(MON + dt.timedelta(days=3))
    assert services.leaves_sweep() == {"handed_over": 0, "handed_back": 2}
    leave.refresh_from_db()
    assert leave.returned_on == MON + dt.timedelta(days=3)
    assert set(
        Case.objects.filter(pk__in=[case.pk, new.pk]).values_list("first_responder", flat=True)
    ) == {c.a11.user.pk}


def test_roster_skips_staff_on_leave(county, clock, post):
    c, backup = county, post
    clock.set(MON)
    from bianmin.staffing.services.roster import working_days

    services.roster_rule_set(
        unit=c.s11, mode="rotation", members=[c.a11, backup], actor=c.t1_head.user
    )
    leave = services.leave_request(
        actor=c.a11.user,
        kind="annual",
        start=dt.date(2026, 10, 8),
        end=dt.date(2026, 10, 16),
        reason="年休",
    )
    services.leave_decide(leave=leave, approved=True, actor=c.t1_head.user)
    roster = services.roster_generate(unit=c.s11, month=dt.date(2026, 10, 1), actor=c.t1_head.user)
    for day in working_days(dt.date(2026, 10, 1)):
        staff = roster.days.get(date=day).staff
        if dt.date(2026, 10, 8) <= day <= dt.date(2026, 10, 16):
            assert staff == backup


def test_monthly_sheet_and_excel(client, county, clock):
    c = county
    clock.set(MON, hour=8)
    services.attendance_sign(actor=c.a11.user, action="in")
    lv = services.leave_request(actor=c.a12.user, kind="personal", start=MON, end=MON, reason="x")
    services.leave_decide(leave=lv, approved=True, actor=c.t1_head.user)
    sheet = selectors.attendance_sheet(viewer=c.t1_head.user, unit=c.s11, month=MON)
    row = sheet.rows[0]
    i = sheet.days.index(MON)
    assert row.staff == c.a11 and row.marks[i] == "√" and row.marks[i + 1] == ""
    assert row.absent == len([d for d in sheet.days if d < MON]) and row.present == 1
    s12 = selectors.attendance_sheet(viewer=c.t1_head.user, unit=c.s12, month=MON)
    assert s12.rows[0].marks[i] == "假" and s12.rows[0].leave == 1
    with pytest.raises(PermissionDenied):
        selectors.attendance_sheet(viewer=c.a21.user, unit=c.s11, month=MON)
    client.force_login(c.t1_head.user)
    r = client.get(f"/staffing/attendance/{c.s11.pk}/2026-09/?format=xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    person = next(x for x in rows if x[0] == "汉王代办员")
    assert person[1 + i] == "√" and person[-3:] == (1, 0, row.absent)
    client.force_login(c.a21.user)
    assert client.get(f"/staffing/attendance/{c.s11.pk}/2026-09/").status_code == 403


HTML = b"<!doctype html><svg onload=alert(document.cookie)></svg>"


def test_leave_document_is_stored_and_served_as_what_it_is(county, clock, client):
    """The uploader names nothing: not the stored file, not its type, not the download."""
    c = county
    clock.set(MON)

    def request(name: str, content: bytes) -> LeaveRequest:
        upload = SimpleUploadedFile(name, content, content_type="text/html")
        return services.leave_request(
            actor=c.a11.user, kind="sick", start=MON, end=MON, reason="发烧", document=upload
        )

    for name in ("x.pdf", "x.svg", "x.html", "x.exe"):
        with pytest.raises(ValidationFailed):
            request(name, HTML)
    leave = request("x.html", PDF)  # a real PDF under a hostile name
    assert re.fullmatch(r"staffing/leave/\d{4}/[0-9a-f]{32}\.pdf", leave.document.name)
    client.force_login(c.t1_head.user)
    r = client.get(f"/staffing/leave/{leave.pk}/document/")
    assert r["Content-Type"] == "application/pdf" and r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"] == f'attachment; filename="leave-{leave.pk}.pdf"'
    assert r["Cache-Control"] == "no-store, private"
    assert b"".join(r.streaming_content) == PDF
    # A file stored before uploads were checked, under its uploader's name: opaque bytes.
    leave.document.save("old.html", ContentFile(HTML))
    r = client.get(f"/staffing/leave/{leave.pk}/document/")
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"] == f'attachment; filename="leave-{leave.pk}.bin"'


def test_leave_api_multipart_with_document_and_list(client, county, clock, token_for):
    clock.set(MON)
    headers = token_for("v0101-agent")
    r = client.post(
        "/api/v1/staffing/leave",
        {
            "kind": "sick",
            "start": "2026-09-21",
            "end": "2026-09-22",
            "reason": "发烧",
            "document": SimpleUploadedFile("a.pdf", b"GIF89a not a pdf"),
        },
        **headers,
    )
    assert r.status_code == 422 and r.json()["field"] == "document"
    r = client.post(
        "/api/v1/staffing/leave",
        {
            "kind": "sick",
            "start": "2026-09-21",
            "end": "2026-09-22",
            "reason": "发烧",
            "document": SimpleUploadedFile("a.pdf", PDF),
        },
        **headers,
    )
    assert r.status_code == 201, r.content
    leave_id = r.json()["id"]
    assert r.json()["has_document"] is True and r.json()["status"] == "pending"
    r = client.get("/api/v1/staffing/leave?status=pending", **token_for("t01-head"))
    assert [x["id"] for x in r.json()] == [leave_id]
    r = client.post(
        f"/api/v1/staffing/leave/{leave_id}/decide",
        {"approved": True},
        content_type="application/json",
        **token_for("v0201-agent"),
    )
    assert r.status_code == 403
    client.force_login(county.t1_head.user)
    assert client.get(f"/staffing/leave/{leave_id}/document/").status_code == 200
    client.force_login(county.a21.user)
    assert client.get(f"/staffing/leave/{leave_id}/document/").status_code == 403
