"""The supervision queue (督办队列): one row per case whatever the number of its escalated
deadlines, and the supervisor's work on it through the page: 督办通知 to the responsible head,
督办期限, handling notes, closing with the result; Excel and print."""

import datetime as dt
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from bianmin.supervision.models import (
    Notification,
    OversightAction,
    OversightOrder,
    OversightRule,
    SupervisionRecord,
    SupervisionStep,
)
from bianmin.supervision.selectors import supervision_queue
from bianmin.supervision.services import supervision_sweep

from .conftest import proxy_case

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(county, items, clock):
    """A proxy case far past both its promised and its proxy deadline, both escalated."""
    case = proxy_case(county, items.five, on=D(2025, 9, 26), clock=clock)
    OversightRule.objects.create(days_over=1, action=OversightAction.SUPERVISOR_QUEUE)
    supervision_sweep(today=D(2025, 11, 3))
    clock.set(D(2025, 11, 3))
    return case


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_one_row_per_case_with_its_deadlines_inside(county, queued):
    escalations = OversightOrder.objects.filter(alert__case=queued, resolved=False)
    assert escalations.count() >= 2
    [entry] = supervision_queue(viewer=county.supervisor.user)
    assert entry.number == queued.number and len(entry.oversight_orders) == escalations.count()
    dues = [e.alert.due_on for e in entry.oversight_orders]
    assert dues == sorted(dues) and entry.first.alert.due_on == min(dues)
    body = _client(county.supervisor.user).get("/supervision/queue/").content.decode()
    assert body.count('class="queue-entry"') == 1
    assert body.count(f'name="number" value="{queued.number}"') == 4  # one per action


def test_notice_deadline_note_and_close_through_the_page(county, queued):
    client = _client(county.supervisor.user)
    post = {"kind": "case", "number": queued.number}
    r = client.post("/supervision/queue/", {**post, "action": "notice", "text": "请说明超时原因"})
    assert r.status_code == 302
    # The responsible unit (the township centre holding the case) hears it through its head.
    told = Notification.objects.get(text__startswith="督办通知")
    assert told.recipient == county.t1_head.user and told.link == f"/cases/{queued.number}/"

    r = client.post("/supervision/queue/", {**post, "action": "deadline", "due_on": "2025-10-01"})
    assert r.status_code == 422 and "督办期限不能早于今天" in r.content.decode()
    assert r.content.decode().count('value="2025-10-01"') == 1  # the form keeps what was typed
    assert not SupervisionRecord.objects.filter(step=SupervisionStep.DEADLINE).exists()
    r = client.post("/supervision/queue/", {**post, "action": "deadline", "due_on": "2025-11-07"})
    assert r.status_code == 302
    client.post("/supervision/queue/", {**post, "action": "note", "text": "已电话督促"})
    [entry] = supervision_queue(viewer=county.supervisor.user)
    assert entry.deadline == D(2025, 11, 7)
    assert [r.step for r in entry.records] == ["notice", "deadline", "note"]

    r = client.post("/supervision/queue/", {**post, "action": "close", "text": ""})
    assert r.status_code == 422 and "请填写督办结果" in r.content.decode()
    r = client.post("/supervision/queue/", {**post, "action": "close", "text": "已办结，约谈"})
    assert r.status_code == 302
    assert not OversightOrder.objects.filter(alert__case=queued, resolved=False).exists()
    assert set(
        OversightOrder.objects.filter(alert__case=queued).values_list("resolved_note", flat=True)
    ) == {"已办结，约谈"}
    assert supervision_queue(viewer=county.supervisor.user) == []
    r = client.post("/supervision/queue/", {**post, "action": "note", "text": "再记一笔"})
    assert r.status_code == 422 and "该督办事项已办结" in r.content.decode()


def test_only_a_supervisor_works_the_queue(county, queued):
    r = _client(county.t1_head.user).post(
        "/supervision/queue/",
        {"kind": "case", "number": queued.number, "action": "close", "text": "自行办结"},
    )
    assert r.status_code == 422 and "只有监察人员" in r.content.decode()
    assert OversightOrder.objects.filter(alert__case=queued, resolved=False).exists()
    assert not SupervisionRecord.objects.exists()


def test_excel_writes_typed_text_as_text_and_print_fits_a4(county, queued):
    client = _client(county.supervisor.user)
    client.post(
        "/supervision/queue/",
        {"kind": "case", "number": queued.number, "action": "note", "text": "=1+2"},
    )
    r = client.get("/supervision/queue/?format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [queued.number]  # one row per case
    note = ws.cell(row=3, column=8)
    assert note.data_type == "s" and note.value.endswith("处理记录：=1+2")
    body = client.get("/supervision/queue/print/").content.decode()
    assert "bianmin/print.css" in body and queued.number in body and "=1+2" in body


def test_api_gives_the_same_queue_and_actions(client, county, queued, token_for):
    sup = token_for("supervisor")
    r = client.get("/api/v1/supervision/queue/cases", **sup)
    assert r.status_code == 200
    [entry] = r.json()
    assert entry["number"] == queued.number and len(entry["escalations"]) >= 2
    url = f"/api/v1/supervision/queue/case/{queued.number}"
    r = client.post(
        f"{url}/deadline", {"due_on": "2025-10-01"}, content_type="application/json", **sup
    )
    assert r.status_code == 422
    r = client.post(f"{url}/close", {"text": "已整改"}, content_type="application/json", **sup)
    assert r.status_code == 200 and r.json()["step"] == "close"
    assert client.get("/api/v1/supervision/queue/cases", **sup).json() == []
    agent = token_for("v0101-agent")
    r = client.post(f"{url}/note", {"text": "x"}, content_type="application/json", **agent)
    assert r.status_code in (403, 404)
