"""How a message leaves: a sender interface, the file/log sender and the Aliyun SMS adapter.

`BIANMIN_SMS_SENDER` names the sender class by dotted path. A sender's `send(message)` returns the
provider's receipt id or raises `SmsSendError`; `permanent=True` says a retry cannot help (a number
or template the provider refuses), so the message fails at once.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid
from pathlib import Path
from typing import Protocol
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import SmsMessage

logger = logging.getLogger("bianmin.sms")

DEFAULT_SENDER = "bianmin.sms.senders.FileSender"


class SmsSendError(Exception):
    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class SmsSender(Protocol):
    def send(self, message: SmsMessage) -> str: ...


def sender_get() -> SmsSender:
    return import_string(getattr(settings, "BIANMIN_SMS_SENDER", "") or DEFAULT_SENDER)()


class FileSender:
    """Sends nothing: appends the message to `BIANMIN_SMS_LOG` (default var/sms-outbox.log) and
    the `bianmin.sms` logger. The default, for the demo and for counties without a provider."""

    def send(self, message: SmsMessage) -> str:
        path = Path(
            getattr(settings, "BIANMIN_SMS_LOG", "") or Path(settings.VAR_DIR) / "sms-outbox.log"
        )
        line = "\t".join(
            [
                timezone.localtime().isoformat(timespec="seconds"),
                message.phone,
                message.code,
                message.reference,
                message.text.replace("\n", " "),
            ]
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
        except OSError as error:
            raise SmsSendError(f"{path}: {error}") from error
        logger.info("sms %s to %s: %s", message.code, message.phone, message.text)
        return f"file-{message.pk}"


# --- Aliyun SMS (dysmsapi SendSms, RPC signature version 1.0) ---------------------------------


def _aliyun_encode(value: str) -> str:
    """RFC 3986 percent-encoding as Aliyun's signature wants it (space %20, * %2A, ~ kept)."""
    return quote(str(value), safe="~")


def aliyun_signature(params: dict[str, str], secret: str, method: str = "GET") -> str:
    """Aliyun RPC signature 1.0: HMAC-SHA1 over METHOD&%2F&encode(sorted canonical query), keyed
    with the AccessKey secret plus "&", base64 (help.aliyun.com, 短信服务 "HTTP协议及签名")."""
    canonical = "&".join(
        f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in sorted(params.items())
    )
    to_sign = f"{method}&{_aliyun_encode('/')}&{_aliyun_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


# Answers a retry cannot change: the number, the sign or the template is wrong.
ALIYUN_PERMANENT = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.SMS_SIGNATURE_ILLEGAL",
        "isv.SMS_TEMPLATE_ILLEGAL",
        "isv.TEMPLATE_MISSING_PARAMETERS",
        "isv.INVALID_PARAMETERS",
        "isv.INVALID_JSON_PARAM",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.BLACK_KEY_CONTROL_LIMIT",
    }
)


class AliyunSender:
    """Aliyun SMS (阿里云短信服务) SendSms over HTTPS with the standard library.

    Settings (from the environment in settings.py): BIANMIN_SMS_ALIYUN_ACCESS_KEY_ID,
    BIANMIN_SMS_ALIYUN_ACCESS_KEY_SECRET, BIANMIN_SMS_ALIYUN_SIGN_NAME (the approved 签名),
    BIANMIN_SMS_ALIYUN_ENDPOINT (default https://dysmsapi.aliyuncs.com/) and
    BIANMIN_SMS_ALIYUN_REGION (default cn-hangzhou). Each template needs its approved provider
    template id (`SmsTemplate.provider_template`); the provider fills it with the message's
    params, so the text stored here is our copy of what the applicant reads.
    """

    def __init__(self):
        self.key_id = getattr(settings, "BIANMIN_SMS_ALIYUN_ACCESS_KEY_ID", "")
        self.secret = getattr(settings, "BIANMIN_SMS_ALIYUN_ACCESS_KEY_SECRET", "")
        self.sign_name = getattr(settings, "BIANMIN_SMS_ALIYUN_SIGN_NAME", "")
        self.endpoint = (
            getattr(settings, "BIANMIN_SMS_ALIYUN_ENDPOINT", "") or "https://dysmsapi.aliyuncs.com/"
        )
        self.region = getattr(settings, "BIANMIN_SMS_ALIYUN_REGION", "") or "cn-hangzhou"
        self.timeout = float(getattr(settings, "BIANMIN_SMS_TIMEOUT", 10))

    def request_params(self, message: SmsMessage, *, template: str) -> dict[str, str]:
        return {
            "AccessKeyId": self.key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": message.phone,
            "RegionId": self.region,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": str(uuid.uuid4()),
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(message.params, ensure_ascii=False),
            "Timestamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }

    def send(self, message: SmsMessage) -> str:
        if not (self.key_id and self.secret and self.sign_name):
            raise SmsSendError("阿里云短信未配置 AccessKey 或签名", permanent=True)
        template = message.provider_template
        if not template:
            raise SmsSendError("短信模板未填写服务商模板编号", permanent=True)
        params = self.request_params(message, template=template)
        params["Signature"] = aliyun_signature(params, self.secret)
        query = "&".join(f"{_aliyun_encode(k)}={_aliyun_encode(v)}" for k, v in params.items())
        url = f"{self.endpoint.rstrip('/')}/?{query}"
        if not url.startswith(("https://", "http://")):
            raise SmsSendError(f"短信服务地址不正确：{self.endpoint}", permanent=True)
        try:
            with urlopen(Request(url, method="GET"), timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except HTTPError as error:
            body = error.read()
            if error.code >= 500:
                raise SmsSendError(f"HTTP {error.code}") from error
        except (URLError, TimeoutError, OSError) as error:
            raise SmsSendError(f"短信服务无法连接：{error}") from error
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise SmsSendError(f"短信服务回复无法解析：{body[:200]!r}") from error
        code = answer.get("Code", "")
        if code != "OK":
            raise SmsSendError(
                f"{code}: {answer.get('Message', '')}", permanent=code in ALIYUN_PERMANENT
            )
        return str(answer.get("BizId", ""))
