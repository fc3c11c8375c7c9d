"""One gate for input: text, dates, months and integers are checked here, once, before any rule.

Pages (through `bianmin.common.forms`) and the API (through `bianmin.common.schemas`) both call
these functions, so a name is limited, trimmed and refused for control characters the same way
whether it came from the public form, a staff page or a bearer token. Every failure is a
`ValidationFailed` naming the field, which the API answers as 422 and a page shows beside the field.
"""

import datetime as dt
import unicodedata

from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import ErrorCode, ValidationFailed

# The People's Republic's founding day: no record this system keeps is older.
EARLIEST_DATE = dt.date(1949, 10, 1)
# How far ahead a date or month parameter may reach (plans, calendars, expiry dates).
YEARS_AHEAD = 10
# Free text a person types into a box (a note, reason, opinion, comment, reply) whose column has
# no length of its own: two pages of a paper form.
LONG_TEXT_MAX = 2000
# Largest integer any parameter or field accepts: fits every integer column on both databases.
INT_MAX = 2**31 - 1

# Newline and tab are allowed in long text only; every other C0/C1 control, lone surrogates and
# the Unicode non-characters are refused: Excel, PDF and some terminals choke on them, and a NUL
# cannot be stored in PostgreSQL text at all.
_ALWAYS_REFUSED = {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {
    chr(c) for c in range(0x7F, 0xA0)
}
_ALWAYS_REFUSED |= {"\ufffe", "\uffff"}


def latest_date(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def years_before(today: dt.date, years: int) -> dt.date:
    """The same day `years` years earlier (28 February for a 29th): the lower bound of a date
    that, unlike most, may only reach back a few years (the supervision dashboard's day)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def _label(field: str | None) -> str:
    return f"“{field}”" if field else _("输入")


def nfkc(value: str) -> str:
    """Full-width digits and letters (１２３, ＡＢＣ) to their ASCII forms: identifiers and phones
    typed on a Chinese input method compare equal to the same typed in half-width."""
    return unicodedata.normalize("NFKC", value)


def clean_text(
    value: object,
    *,
    max_length: int | None,
    field: str | None = None,
    multiline: bool = False,
    identifier: bool = False,
) -> str:
    """Return `value` as trimmed text, or raise ValidationFailed naming `field`.

    `multiline` allows newline and tab (notes, reasons, opinions) and turns CRLF into LF;
    `identifier` applies NFKC (ID numbers, phones, codes, case numbers)."""
    text = "" if value is None else str(value)
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip()
    if identifier:
        text = nfkc(text)
    bad = next(
        (
            ch
            for ch in text
            if ch in _ALWAYS_REFUSED
            or (not multiline and ch in "\n\t")
            or 0xD800 <= ord(ch) <= 0xDFFF
        ),
        None,
    )
    if bad is not None:
        raise ValidationFailed(
            _("%(f)s含有不允许的控制字符（U+%(c)04X），请删除后重试")
            % {"f": _label(field), "c": ord(bad)},
            code=ErrorCode.CONTROL_CHARACTER,
            field=field,
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed(
            _("%(f)s最多 %(n)d 个字，现有 %(m)d 个字")
            % {"f": _label(field), "n": max_length, "m": len(text)},
            code=ErrorCode.TOO_LONG,
            field=field,
        )
    return text


def bounded_date(
    value: dt.date,
    *,
    field: str | None = None,
    earliest: dt.date = EARLIEST_DATE,
    latest: dt.date | None = None,
) -> dt.date:
    latest = latest or latest_date()
    if not earliest <= value <= latest:
        raise ValidationFailed(
            _("%(f)s应在 %(a)s 至 %(b)s 之间")
            % {"f": _label(field), "a": earliest.isoformat(), "b": latest.isoformat()},
            code=ErrorCode.OUT_OF_RANGE,
            field=field,
        )
    return value


def parse_date(
    raw: object,
    *,
    field: str | None = None,
    earliest: dt.date = EARLIEST_DATE,
    latest: dt.date | None = None,
) -> dt.date:
    """A YYYY-MM-DD parameter, parsed and bounded."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return bounded_date(raw, field=field, earliest=earliest, latest=latest)
    try:
        value = dt.date.fromisoformat(clean_text(raw, max_length=10, field=field))
    except ValueError:
        raise ValidationFailed(
            _("%(f)s应为日期，格式 YYYY-MM-DD") % {"f": _label(field)},
            code=ErrorCode.INVALID_DATE,
            field=field,
        ) from None
    return bounded_date(value, field=field, earliest=earliest, latest=latest)


def parse_month(
    raw: object,
    *,
    field: str | None = None,
    earliest: dt.date = EARLIEST_DATE,
    latest: dt.date | None = None,
) -> dt.date:
    """A YYYY-MM parameter, as the first day of that month, bounded like a date."""
    text = clean_text(raw, max_length=7, field=field)
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        value = dt.date(int(year), int(month), 1)
    except ValueError:
        raise ValidationFailed(
            _("%(f)s应为月份，格式 YYYY-MM") % {"f": _label(field)},
            code=ErrorCode.INVALID_MONTH,
            field=field,
        ) from None
    return bounded_date(value, field=field, earliest=earliest.replace(day=1), latest=latest)


def bounded_int(raw: object, *, field: str | None = None, lo: int = 0, hi: int = INT_MAX) -> int:
    """An integer parameter within [lo, hi]; text longer than the bound's digits is refused
    before conversion, so a 10,000-digit number costs nothing."""
    if isinstance(raw, bool):
        raw = str(raw)
    if isinstance(raw, int):
        value = raw
    else:
        text = clean_text(raw, max_length=len(str(hi)) + 2, field=field)
        try:
            value = int(text)
        except ValueError:
            raise ValidationFailed(
                _("%(f)s应为整数") % {"f": _label(field)},
                code=ErrorCode.INVALID_INTEGER,
                field=field,
            ) from None
    if not lo <= value <= hi:
        raise ValidationFailed(
            _("%(f)s应在 %(a)d 至 %(b)d 之间") % {"f": _label(field), "a": lo, "b": hi},
            code=ErrorCode.OUT_OF_RANGE,
            field=field,
        )
    return value
