"""The Aliyun SMS adapter: its documented signature, and a send against a local fake gateway."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qsl, urlsplit

import pytest

from bianmin.sms.models import SmsStatus
from bianmin.sms.senders import aliyun_signature
from bianmin.sms.services import sms_enqueue, sms_send


def test_signature_matches_the_documented_example():
    """The worked example of Aliyun's SMS documentation (HTTP协议及签名): these parameters,
    AccessKey secret testSecret, give zJDF+Lrzhj/ThnlvIToysFRq6t4=."""
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_signature(params, "testSecret") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


class FakeGateway(BaseHTTPRequestHandler):
    answers: list[dict] = []
    seen: list[dict] = []

    def do_GET(self):
        FakeGateway.seen.append(dict(parse_qsl(urlsplit(self.path).query)))
        body = json.dumps(FakeGateway.answers.pop(0)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGateway.seen, FakeGateway.answers = [], []
    settings.BIANMIN_SMS_SENDER = "bianmin.sms.senders.AliyunSender"
    settings.BIANMIN_SMS_ALIYUN_ACCESS_KEY_ID = "test-key"
    settings.BIANMIN_SMS_ALIYUN_ACCESS_KEY_SECRET = "test-secret"
    settings.BIANMIN_SMS_ALIYUN_SIGN_NAME = "汉台政务"
    settings.BIANMIN_SMS_ALIYUN_ENDPOINT = f"http://127.0.0.1:{server.server_port}/"
    yield FakeGateway
    server.shutdown()
    server.server_close()


def _queued():
    from bianmin.sms.models import SmsTemplate

    SmsTemplate.objects.filter(code="ready").update(provider_template="SMS_000001")
    return sms_enqueue(
        code="ready",
        phone="13912345678",
        context={"case_number": "HT-1", "item": "临时救助申请", "unit": "武乡镇便民服务中心"},
        reference="HT-1",
    )


@pytest.mark.django_db
def test_sends_the_approved_template_with_its_params_signed(gateway):
    gateway.answers.append({"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0"})
    message = sms_send(message_id=_queued().pk)
    assert message.status == SmsStatus.SENT and message.provider_id == "900619746936498440^0"
    (query,) = gateway.seen
    signature = query.pop("Signature")
    assert signature == aliyun_signature(query, "test-secret")
    assert query["PhoneNumbers"] == "13912345678" and query["TemplateCode"] == "SMS_000001"
    assert query["SignName"] == "汉台政务" and query["AccessKeyId"] == "test-key"
    assert json.loads(query["TemplateParam"]) == {
        "item": "临时救助申请",
        "case_number": "HT-1",
        "unit": "武乡镇便民服务中心",
    }


@pytest.mark.django_db
def test_a_refused_number_fails_at_once_and_a_limit_is_retried(gateway):
    gateway.answers += [
        {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"},
        {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"},
    ]
    limited = sms_send(message_id=_queued().pk)
    assert limited.status == SmsStatus.QUEUED and "BUSINESS_LIMIT_CONTROL" in limited.last_error
    refused = sms_send(message_id=_queued().pk)
    assert refused.status == SmsStatus.FAILED and refused.attempts == 1
    assert refused.last_error == "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号"


@pytest.mark.django_db
def test_without_a_provider_template_it_fails_without_calling(gateway):
    message = sms_enqueue(
        code="accepted", phone="13912345678", context={"case_number": "HT-2"}, reference="HT-2"
    )
    message = sms_send(message_id=message.pk)
    assert message.status == SmsStatus.FAILED and "服务商模板编号" in message.last_error
    assert gateway.seen == []
