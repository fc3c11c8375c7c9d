"""Identifier checks from the national standards (see shared RULES.md)."""

import datetime as dt
import hmac
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import ErrorCode
from bianmin.common.inputs import nfkc

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def id_number_check_char(first17: str) -> str:
    """GB 11643-1999, ISO 7064 MOD 11-2."""
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def normalize_id_number(value: str, *, today: dt.date | None = None) -> str:
    """Return the 居民身份证号 in canonical form (half-width digits, uppercase X) or raise
    ValidationError. A Chinese input method types full-width digits (６１０７…); stored as typed
    they would never equal the same number typed half-width, and duplicate and blacklist checks
    compare numbers."""
    value = nfkc((value or "").strip()).strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise ValidationError(
            _("居民身份证号应为18位，前17位为数字，末位为数字或X"), code=ErrorCode.ID_FORMAT
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("居民身份证号中的出生日期不存在"), code=ErrorCode.ID_BIRTH
        ) from None
    if birth > (today or timezone.localdate()) or birth.year < 1880:
        raise ValidationError(_("居民身份证号中的出生日期不合理"), code=ErrorCode.ID_BIRTH)
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(_("居民身份证号校验位错误"), code=ErrorCode.ID_CHECK)
    return value


def mask_id_number(value: str) -> str:
    """Show region and check character only: 610702********123X style."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    def val(c: str) -> int:
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10

    c = 11 - sum(val(ch) * w for ch, w in zip(first8, ORG_WEIGHTS, strict=True)) % 11
    return {10: "X", 11: "0"}.get(c, str(c))


def normalize_credit_code(value: str) -> str:
    """统一社会信用代码 per GB 32100-2015, including the embedded organisation code check; full-width
    characters are read as their half-width forms, as for ID numbers."""
    value = nfkc((value or "").strip()).strip().upper()
    if len(value) != 18 or any(c not in USCC_CHARSET for c in value):
        raise ValidationError(
            _("统一社会信用代码应为18位，由数字和大写字母组成（不含I、O、Z、S、V）"),
            code=ErrorCode.USCC_FORMAT,
        )
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位错误"), code=ErrorCode.USCC_CHECK)
    org = value[8:17]
    if re.fullmatch(r"[0-9A-Z]{8}[0-9X]", org) and org_code_check_char(org[:8]) != org[8]:
        raise ValidationError(
            _("统一社会信用代码中的组织机构代码校验位错误"), code=ErrorCode.USCC_ORG_CHECK
        )
    return value


def validate_phone(value: str) -> None:
    if not PHONE_RE.match((value or "").strip()):
        raise ValidationError(
            _("电话号码格式不正确（手机11位，或区号-号码）"), code=ErrorCode.PHONE
        )


PHONE_TAIL_RE = re.compile(r"[0-9]{4}")


def phone_tail_matches(phone: str, tail: str) -> bool:
    """Whether `tail` is the last four digits of `phone`: the proof of ownership every public
    check (status lookup, online supplement, complaint lookup, ratings, appointments) asks for.

    The tail must be exactly four ASCII digits once NFKC has turned full-width digits (１２３４,
    typed on a Chinese input method) into ASCII; surrounding spaces are trimmed, nothing else is
    forgiven, so " ", "" or "45678" never match. The comparison runs in constant time so the
    answer's timing does not leak how many digits were right.
    """
    tail = nfkc(tail or "").strip()
    if not PHONE_TAIL_RE.fullmatch(tail):
        return False
    digits = "".join(ch for ch in nfkc(phone or "") if "0" <= ch <= "9")
    return len(digits) >= 4 and hmac.compare_digest(digits[-4:].encode(), tail.encode())


def mask_phone(value: str) -> str:
    if not value or len(value) < 7:
        return value or ""
    return value[:3] + "****" + value[-4:]


def validate_division_code(value: str) -> None:
    """12-digit statistical division code (county 6 + township 3 + village 3)."""
    if not re.fullmatch(r"\d{12}", value or ""):
        raise ValidationError(_("区划代码应为12位数字"), code=ErrorCode.DIVISION_FORMAT)
