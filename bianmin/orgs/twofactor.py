"""Two-factor login (等保 2.0 level 3, identity: two kinds of evidence for privileged users).

A person's second factor is one TOTP device (RFC 6238, an authenticator app on their phone) plus
one static device holding their one-time recovery codes, both from django-otp. Two-factor login is
on for a person once their TOTP device is confirmed with a first code; recovery codes only stand
in for the phone, never alone. Where `BIANMIN_REQUIRE_2FA` is on, administrators and supervisors
(the roles that change who may do what, and that read everything in their jurisdiction) may use
nothing until they have enrolled.

Wrong codes are limited by django-otp's throttling per device: after n consecutive failures the
next attempt is refused for 2^(n-1) seconds, so guessing six digits is hopeless while the owner,
who mistypes once or twice, waits a second or two.
"""

import logging
import re
from base64 import b32encode
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from bianmin.common.errors import DomainError, ErrorCode, PermissionDenied

from .models import RoleCode

logger = logging.getLogger("bianmin.security")

RECOVERY_CODES = 10
# Roles that must use a second factor wherever BIANMIN_REQUIRE_2FA is on.
REQUIRED_ROLES = (RoleCode.ADMINISTRATOR, RoleCode.SUPERVISOR)
DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery"


class CodeRefused(DomainError):
    status = 401
    code = ErrorCode.OTP_INVALID


class CodeThrottled(DomainError):
    status = 429
    code = ErrorCode.OTP_THROTTLED


def twofactor_required(user) -> bool:
    """Whether `user` must have a second factor: administrators (including Django superusers,
    who reach the admin site) and supervisors, where the setting says so."""
    if not settings.BIANMIN_REQUIRE_2FA:
        return False
    if user.is_superuser:
        return True
    staff = getattr(user, "staff", None)
    return staff is not None and staff.has_role(*REQUIRED_ROLES)


def totp_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None when two-factor login is off for them."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def twofactor_enabled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_pending(*, user) -> TOTPDevice:
    """The authenticator being set up: kept until confirmed, so reloading the enrolment page
    shows the same secret the person may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key in base32, as authenticator apps take it when typed in."""
    return b32encode(device.bin_key).decode("ascii")


def _clean_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _verify(user, device: Device, code: str) -> bool:
    allowed, info = device.verify_is_allowed()
    if not allowed:
        wait = int((info["locked_until"] - timezone.now()).total_seconds()) + 1
        raise CodeThrottled(
            _("验证码错误次数过多，请 %(s)s 秒后再试") % {"s": max(wait, 1)},
            extra={"retry_after": max(wait, 1)},
        )
    return verify_token(user, device.persistent_id, code) is not None


def totp_confirm(*, user, code: str) -> list[str]:
    """Turn two-factor login on: the first code from the app proves it holds the secret.
    Returns the new recovery codes, shown once."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise DomainError(_("请重新打开两步验证页面扫描二维码"), code=ErrorCode.OTP_NO_PENDING)
    if not _verify(user, device, _clean_code(code)):
        raise CodeRefused(_("验证码不正确，请查看手机上当前的6位数字"), field="code")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = recovery_codes_issue(user=user)
    logger.info("two-factor login enabled for %s", user.get_username())
    return codes


def recovery_codes_issue(*, user) -> list[str]:
    """A fresh set of recovery codes; the old ones stop working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def twofactor_disable(*, user) -> None:
    """Turn two-factor login off (also the way to move to a new phone: enrol again)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
    logger.info("two-factor login disabled for %s", user.get_username())


def twofactor_verify(*, user, code: str, field: str = "code") -> Device:
    """The device that accepts `code`: six digits are the authenticator's, anything else a
    recovery code (used up by this). Raises CodeRefused or CodeThrottled."""
    code = _clean_code(code)
    if not code:
        raise CodeRefused(_("请输入验证码"), code=ErrorCode.OTP_REQUIRED, field=field)
    if code.isdigit() and len(code) == 6:
        device: Device | None = totp_device(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not _verify(user, device, code):
        raise CodeRefused(_("验证码或恢复码不正确"), field=field)
    return device


def twofactor_token_check(*, user, otp: str | None) -> None:
    """The second factor for an API token, checked after the password: required from whoever
    has an authenticator, and refused to a role that must have one but has none."""
    if twofactor_enabled(user):
        if not otp:
            raise CodeRefused(
                _("该账号已开启两步验证，请在 otp 字段提供验证码"),
                code=ErrorCode.OTP_REQUIRED,
                field="otp",
            )
        twofactor_verify(user=user, code=otp, field="otp")
    elif twofactor_required(user):
        raise PermissionDenied(
            _("管理员和监察人员须先在工作台开启两步验证，才能使用接口"),
            code=ErrorCode.TWOFACTOR_ENROLMENT_REQUIRED,
        )


@dataclass(frozen=True)
class DemoEnrolment:
    secret: str
    url: str
    recovery_codes: list[str]


def demo_enrolment(*, user) -> DemoEnrolment:
    """For `bianmin demo-accounts --enrol-2fa`: enrol `user` through `totp_confirm` with the
    current code, unless already enrolled, and say what their authenticator app needs."""
    device = totp_device(user)
    if device is None:
        pending = totp_pending(user=user)
        code = totp(pending.bin_key, pending.step, pending.t0, pending.digits, pending.drift)
        totp_confirm(user=user, code=f"{code:0{pending.digits}d}")
        device = TOTPDevice.objects.get(pk=pending.pk)
    codes = list(
        StaticToken.objects.filter(device__user=user).order_by("pk").values_list("token", flat=True)
    )
    return DemoEnrolment(secret=totp_secret(device), url=device.config_url, recovery_codes=codes)
