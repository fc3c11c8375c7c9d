"""The outbox: written with the event, sent by the worker with retries, never raising."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bianmin.sms.models import SmsEvent, SmsMessage, SmsStatus, SmsTemplate
from bianmin.sms.senders import SmsSendError
from bianmin.sms.services import mobile_normalise, sms_enqueue, sms_send, sms_send_due

pytestmark = pytest.mark.django_db

CONTEXT = {"case_number": "HT-2026-0001", "item": "临时救助申请", "unit": "武乡镇便民服务中心"}


class BrokenSender:
    calls = 0

    def send(self, message):
        BrokenSender.calls += 1
        raise SmsSendError("网关超时")


class RefusingSender:
    def send(self, message):
        raise SmsSendError("isv.MOBILE_NUMBER_ILLEGAL", permanent=True)


@pytest.fixture
def log_file(settings, tmp_path):
    settings.BIANMIN_SMS_SENDER = "bianmin.sms.senders.FileSender"
    settings.BIANMIN_SMS_LOG = tmp_path / "sms-outbox.log"
    return settings.BIANMIN_SMS_LOG


def _queued(**kw) -> SmsMessage:
    message = sms_enqueue(code="accepted", phone="13912345678", context=CONTEXT, reference="HT-1")
    assert message is not None and message.status == SmsStatus.QUEUED
    return message


def test_default_templates_are_seeded_for_every_moment():
    assert set(SmsTemplate.objects.values_list("code", flat=True)) == {
        "notice", "accepted", "decided", "ready", "rating", "complaint_reply"
    }  # fmt: skip


def test_enqueue_renders_the_template_and_sends_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = sms_enqueue(
            code="accepted",
            phone="139 1234 5678",
            context={**CONTEXT, "due_on": "2026年12月17日", "link": "http://x/status/HT-1/"},
            reference="HT-2026-0001",
        )
    message.refresh_from_db()
    assert message.phone == "13912345678" and message.reference == "HT-2026-0001"
    assert message.text.startswith("您申请的临时救助申请已由武乡镇便民服务中心受理")
    assert "承诺办结：2026年12月17日" in message.text
    assert message.params == {
        "item": "临时救助申请",
        "unit": "武乡镇便民服务中心",
        "case_number": "HT-2026-0001",
        "due_on": "2026年12月17日",
        "link": "http://x/status/HT-1/",
    }
    assert len(callbacks) == 1
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [message.pk]


def test_enqueue_in_a_transaction_that_rolls_back_leaves_nothing(
    django_capture_on_commit_callbacks,
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        assert sms_enqueue(code="accepted", phone="13912345678", context=CONTEXT)
        raise RuntimeError("the case action failed")
    assert not SmsMessage.objects.exists()
    assert callbacks == []


@pytest.mark.parametrize(
    ("phone", "why"),
    [("", "没有可接收短信的手机号"), ("0916-2345678", "没有可接收短信的手机号")],
)
def test_no_mobile_is_recorded_not_sent(phone, why, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        message = sms_enqueue(code="accepted", phone=phone, context=CONTEXT)
    assert message.status == SmsStatus.SKIPPED and message.last_error == why
    assert callbacks == []


def test_disabled_or_missing_template_is_recorded_not_sent():
    SmsTemplate.objects.filter(code="accepted").update(enabled=False)
    SmsTemplate.objects.filter(code="ready").delete()
    for code in ("accepted", "ready"):
        message = sms_enqueue(code=code, phone="13912345678", context=CONTEXT)
        assert message.status == SmsStatus.SKIPPED
        assert message.last_error == "短信模板不存在或未启用"
        assert message.text == ""


def test_a_template_with_an_unknown_or_broken_placeholder_is_refused_in_the_admin():
    from django.core.exceptions import ValidationError

    template = SmsTemplate.objects.get(code="accepted")
    template.text = "办件{case_numbr}已受理"
    with pytest.raises(ValidationError, match="case_numbr"):
        template.full_clean()
    template.text = "办件{case_number已受理"
    with pytest.raises(ValidationError, match="花括号"):
        template.full_clean()


def test_a_broken_template_saved_anyway_never_raises_into_the_caller():
    SmsTemplate.objects.filter(code="accepted").update(text="办件{case_number.x}已受理")
    message = sms_enqueue(code="accepted", phone="13912345678", context=CONTEXT)
    assert message.status == SmsStatus.SKIPPED and "格式错误" in message.last_error


def test_mobile_normalise():
    assert mobile_normalise("+86 139-1234-5678") == "13912345678"
    assert mobile_normalise("8613912345678") == "13912345678"
    assert mobile_normalise("12912345678") == ""
    assert mobile_normalise("0916-2345678") == ""


def test_file_sender_sends_and_writes_the_log(log_file, caplog):
    message = _queued()
    with caplog.at_level("INFO", logger="bianmin.sms"):
        sent = sms_send(message_id=message.pk)
    assert sent.status == SmsStatus.SENT and sent.attempts == 1 and sent.sent_at
    line = log_file.read_text(encoding="utf-8").strip()
    assert line.split("\t")[1:4] == ["13912345678", "accepted", "HT-1"]
    assert line.endswith(message.text)
    assert message.text in caplog.text
    # Sent once: a second worker or the cron job finds nothing to do.
    assert sms_send(message_id=message.pk) is None
    assert len(log_file.read_text(encoding="utf-8").splitlines()) == 1


def test_a_failing_sender_retries_with_backoff_then_fails(settings):
    settings.BIANMIN_SMS_SENDER = f"{__name__}.BrokenSender"
    settings.BIANMIN_SMS_MAX_ATTEMPTS = 3
    settings.BIANMIN_SMS_RETRY_SECONDS = 60
    BrokenSender.calls = 0
    message = _queued()
    now = timezone.now()
    first = sms_send(message_id=message.pk, now=now)
    assert first.status == SmsStatus.QUEUED and first.attempts == 1
    assert first.last_error == "网关超时"
    assert first.next_attempt_at == now + dt.timedelta(seconds=60)
    # The retry is on the queue to run after its backoff; before that nothing is sent.
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs["args"] == [message.pk] and retry.run_after == first.next_attempt_at
    assert sms_send(message_id=message.pk, now=now + dt.timedelta(seconds=59)) is None
    second = sms_send(message_id=message.pk, now=now + dt.timedelta(seconds=60))
    assert second.attempts == 2
    assert second.next_attempt_at == now + dt.timedelta(seconds=180)  # 60 + 120
    third = sms_send(message_id=message.pk, now=second.next_attempt_at)
    assert third.status == SmsStatus.FAILED and third.attempts == 3
    assert third.next_attempt_at is None and BrokenSender.calls == 3
    assert DBTaskResult.objects.count() == 2  # no retry after the last attempt
    assert sms_send(message_id=message.pk, now=now + dt.timedelta(days=1)) is None


def test_a_permanent_refusal_fails_at_once(settings):
    settings.BIANMIN_SMS_SENDER = f"{__name__}.RefusingSender"
    message = sms_send(message_id=_queued().pk)
    assert message.status == SmsStatus.FAILED and message.attempts == 1
    assert message.last_error == "isv.MOBILE_NUMBER_ILLEGAL"
    assert not DBTaskResult.objects.exists()


def test_send_due_and_the_command_send_only_what_is_due(log_file):
    from io import StringIO

    from django.core.management import call_command

    due, later = _queued(), _queued()
    SmsMessage.objects.filter(pk=later.pk).update(
        next_attempt_at=timezone.now() + dt.timedelta(minutes=5)
    )
    out = StringIO()
    call_command("sms_send", stdout=out)
    assert out.getvalue().strip() == '{"sent": 1}'
    assert SmsMessage.objects.get(pk=due.pk).status == SmsStatus.SENT
    assert SmsMessage.objects.get(pk=later.pk).status == SmsStatus.QUEUED
    assert sms_send_due(now=timezone.now() + dt.timedelta(minutes=6)) == {"sent": 1}


def test_administrators_edit_templates_and_only_read_the_outbox(county, client):
    message = _queued()
    client.force_login(county.admin.user)
    template = SmsTemplate.objects.get(code="accepted")
    url = f"/admin/sms/smstemplate/{template.pk}/change/"
    form = {"text": "办件{case_number}已受理", "provider_template": "SMS_1", "enabled": "on"}
    assert client.post(url, form).status_code == 302
    template.refresh_from_db()
    assert (template.text, template.provider_template) == ("办件{case_number}已受理", "SMS_1")
    refused = client.post(url, {**form, "text": "办件{numbr}已受理"})
    assert refused.status_code == 200 and "未知的占位符" in refused.content.decode()
    page = client.get(f"/admin/sms/smsmessage/{message.pk}/change/")
    assert page.status_code == 200 and message.text in page.content.decode()
    assert client.post(f"/admin/sms/smsmessage/{message.pk}/change/", {}).status_code == 403
    assert client.get(f"/admin/sms/smsmessage/{message.pk}/delete/").status_code == 403
    client.force_login(county.t1_staff.user)
    assert client.get("/admin/sms/smsmessage/").status_code in (302, 403)


def test_an_administrator_queues_failed_messages_again(
    county, client, settings, django_capture_on_commit_callbacks
):
    settings.BIANMIN_SMS_SENDER = f"{__name__}.RefusingSender"
    failed, sent = sms_send(message_id=_queued().pk), _queued()
    SmsMessage.objects.filter(pk=sent.pk).update(status=SmsStatus.SENT)
    client.force_login(county.admin.user)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            "/admin/sms/smsmessage/",
            {"action": "retry", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert "已重新排队 1 条短信" in page.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == ("queued", 0, None)
    assert SmsMessage.objects.get(pk=sent.pk).status == SmsStatus.SENT
    # Each change is recorded (the retry would otherwise leave no trace).
    events = SmsEvent.objects.filter(message=failed).values_list("action", "from_state", "to_state")
    assert list(events) == [("fail", "queued", "failed"), ("retry", "failed", "queued")]
    assert [t.args_kwargs["args"] for t in DBTaskResult.objects.all()] == [[failed.pk]]
