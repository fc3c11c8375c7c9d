"""The applicant's short messages at the moments they act on (issue 14 item 2), written by the
engine with the transition and never holding it up."""

import pytest
from django.db import DatabaseError, transaction

from bianmin.cases.models import Case
from bianmin.cases.tests.helpers import do, promised_at, register
from bianmin.sms.models import SmsMessage, SmsStatus, SmsTemplate
from bianmin.sms.senders import SmsSendError
from bianmin.sms.services import sms_send

pytestmark = pytest.mark.django_db

PHONE = "13800000001"  # conftest.PERSON's


class BrokenSender:
    def send(self, message):
        raise SmsSendError("网关超时")


def outbox(case) -> list[tuple[str, str, str]]:
    rows = SmsMessage.objects.filter(reference=case.number).order_by("pk")
    return [(m.code, m.phone, m.status) for m in rows]


def test_a_proxied_route_tells_acceptance_decision_ready_and_rating(county, items):
    case = promised_at(county, items, "closed")
    assert outbox(case) == [
        ("accepted", PHONE, "queued"),
        ("decided", PHONE, "queued"),
        ("ready", PHONE, "queued"),  # back at the township that took it in, not at the county
        ("rating", PHONE, "queued"),
    ]
    texts = dict(SmsMessage.objects.filter(reference=case.number).values_list("code", "text"))
    name = items.promised.name
    assert texts["accepted"].startswith(f"您申请的{name}已由武乡镇便民服务中心受理")
    assert case.number in texts["accepted"] and f"/status/{case.number}/" in texts["accepted"]
    assert "区民政局已作出决定：准予" in texts["decided"]
    assert "办理结果已到武乡镇便民服务中心" in texts["ready"]
    assert "欢迎评价" in texts["rating"] and f"/status/{case.number}/" in texts["rating"]


def test_the_one_time_notice_names_the_missing_materials(county, items):
    case = promised_at(county, items, "awaiting_materials")
    message = SmsMessage.objects.get(reference=case.number)
    assert message.code == "notice" and "需补正：申请表" in message.text


def test_an_immediate_case_is_decided_and_ready_at_once(county, items):
    case = register(county, items.immediate)
    case = do(case, "accept", county.t1_staff)
    case = do(case, "conclude", county.t1_staff)
    assert [code for code, _p, _s in outbox(case)] == ["accepted", "decided", "ready"]


def test_a_disabled_template_does_not_stop_the_case(county, items):
    SmsTemplate.objects.filter(code="accepted").update(enabled=False)
    case = promised_at(county, items, "accepted")
    assert case.state == "accepted"
    assert outbox(case) == [("accepted", PHONE, "skipped")]


def test_a_database_error_in_the_outbox_does_not_roll_back_the_case(county, items, monkeypatch):
    def broken(self, *args, **kwargs):
        raise DatabaseError("disk I/O error")

    monkeypatch.setattr(SmsMessage, "save", broken)
    case = promised_at(county, items, "accepted")
    assert Case.objects.get(pk=case.pk).state == "accepted"
    assert case.events.filter(action="accept").exists()
    assert not SmsMessage.objects.exists()


def test_a_rolled_back_action_leaves_no_message(county, items):
    case = register(county, items.promised)
    with pytest.raises(RuntimeError), transaction.atomic():
        do(case, "accept", county.t1_staff)
        raise RuntimeError("the surrounding work failed")
    assert Case.objects.get(pk=case.pk).state == "submitted"
    assert not SmsMessage.objects.exists()


def test_a_failing_sender_retries_and_fails_without_touching_the_case(county, items, settings):
    settings.BIANMIN_SMS_SENDER = f"{__name__}.BrokenSender"
    settings.BIANMIN_SMS_MAX_ATTEMPTS = 2
    case = promised_at(county, items, "accepted")
    before = (case.state, case.lock_version, case.events.count())
    message = SmsMessage.objects.get(reference=case.number)
    assert sms_send(message_id=message.pk).status == SmsStatus.QUEUED
    message.refresh_from_db()
    message = sms_send(message_id=message.pk, now=message.next_attempt_at)
    assert message.status == SmsStatus.FAILED and message.attempts == 2
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.lock_version, case.events.count()) == before
