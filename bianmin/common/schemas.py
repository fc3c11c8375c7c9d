"""The API's side of the input gate: annotated types for ninja schemas and query parameters.

Each type runs the matching check of `bianmin.common.inputs` (the one the pages' forms run too)
and publishes its limits in the OpenAPI schema (maxLength, a pattern without control characters,
minimum and maximum, enum), so a client, schemathesis and the generated test all see the same
rules the server applies. A refusal is a pydantic error carrying the Chinese message and the
`ErrorCode`; `bianmin.api.api` turns the first one into the one error shape, naming the field.

    name: Text[100]              short text: trimmed, no control characters, no newline
    note: LongText[2000]         long text: newline and tab allowed
    id_number: Identifier[18]    NFKC first (full-width digits), then as short text
    day: Day                     a date from 1949-10-01 to ten years ahead
    month: Month                 YYYY-MM, bounded like a date, as the month's first day
    unit: Id                     a database id (1 .. 2^31-1)
    offset: Offset, limit: Limit(200)
    channel: choice(Channel.values)
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from ninja import Schema
from pydantic import AfterValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from bianmin.common import inputs
from bianmin.common.errors import ErrorCode, ValidationFailed

# Limits of free text kept in columns without one (TextField): notes, reasons, opinions,
# comments; and longer documents (an entrustment letter).
NOTE = inputs.LONG_TEXT_MAX
DOCUMENT = 10000

# Text without C0/C1 controls (newline and tab allowed only in long text); mirrors
# `inputs._ALWAYS_REFUSED` for the schema so generated clients stay inside it.
_SHORT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f\ufffe\uffff]*$"
_LONG_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]*$"


def _raise(error: ValidationFailed) -> None:
    raise PydanticCustomError(str(error.code), "{message}", {"message": error.message}) from None


def _text_check(max_length: int, *, multiline: bool = False, identifier: bool = False):
    def check(value: str, info: ValidationInfo) -> str:
        try:
            return inputs.clean_text(
                value,
                max_length=max_length,
                field=info.field_name,
                multiline=multiline,
                identifier=identifier,
            )
        except ValidationFailed as error:
            _raise(error)
            raise  # unreachable: _raise always raises

    return check


class _TextFactory:
    """`Text[100]` reads like a column: `CharField(max_length=100)`."""

    def __init__(self, *, multiline: bool = False, identifier: bool = False) -> None:
        self.multiline = multiline
        self.identifier = identifier

    def __getitem__(self, max_length: int) -> Any:
        schema: dict[str, Any] = {
            "type": "string",
            "maxLength": max_length,
            "pattern": _LONG_PATTERN if self.multiline else _SHORT_PATTERN,
        }
        return Annotated[
            str,
            AfterValidator(
                _text_check(max_length, multiline=self.multiline, identifier=self.identifier)
            ),
            WithJsonSchema(schema),
        ]


Text = _TextFactory()
LongText = _TextFactory(multiline=True)
Identifier = _TextFactory(identifier=True)


def _date_check(years_back: int | None):
    def check(value: dt.date, info: ValidationInfo) -> dt.date:
        earliest = inputs.EARLIEST_DATE
        if years_back is not None:
            earliest = inputs.years_before(timezone.localdate(), years_back)
        try:
            return inputs.bounded_date(value, field=info.field_name, earliest=earliest)
        except ValidationFailed as error:
            _raise(error)
            raise

    return check


def DayWithin(years_back: int | None = None) -> Any:  # noqa: N802 - a type, as it is used
    """A date from 1949-10-01 (or `years_back` years before today) to ten years ahead."""
    return Annotated[
        dt.date,
        AfterValidator(_date_check(years_back)),
        WithJsonSchema({"type": "string", "format": "date"}),
    ]


Day = DayWithin()


MONTH_PATTERN = r"^[1-9]\d{3}-(0[1-9]|1[0-2])$"


def _month_check(value: str, info: ValidationInfo) -> dt.date:
    try:
        return inputs.parse_month(value, field=info.field_name)
    except ValidationFailed as error:
        _raise(error)
        raise


Month = Annotated[
    str,
    AfterValidator(_month_check),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN, "maxLength": 7}),
]


def Bounded(lo: int, hi: int) -> Any:  # noqa: N802 - a type, as it is used
    """An integer in [lo, hi]; a number past the bound (2^63 and beyond) is a 422, never a
    database overflow."""
    return Annotated[int, Field(ge=lo, le=hi)]


Id = Bounded(1, inputs.INT_MAX)
Offset = Bounded(0, 100_000)


def Limit(hi: int) -> Any:  # noqa: N802
    return Bounded(1, hi)


def choice(values: Any) -> Any:
    """One of `values` (a model's choices): an unknown value is a 422 naming the field, and the
    OpenAPI schema lists the values."""
    return Literal[tuple(values)]


class ErrorItem(Schema):
    field: str | None = None
    code: str
    detail: str


class ErrorOut(Schema):
    """The one shape of every API error (docs/api.md "Errors")."""

    detail: str = Field(description="one Chinese message, naming the field at fault")
    code: str = Field(description="an ErrorCode value (docs/api.md)")
    field: str | None = Field(None, description="the field at fault, if one is")
    errors: list[ErrorItem] | None = Field(None, description="every problem found, when several")


# Error responses an operation documents, spread into its `response=` dict.
STAFF_ERRORS: dict[int, Any] = {s: ErrorOut for s in (400, 401, 403, 404, 409, 422)}
PUBLIC_ERRORS: dict[int, Any] = {s: ErrorOut for s in (400, 404, 409, 422, 429)}


# pydantic's error types, worded in Chinese and given our ErrorCode; the custom errors raised
# above already carry both.
_PYDANTIC: dict[str, tuple[str, Any]] = {
    "missing": (ErrorCode.REQUIRED, gettext_lazy("%(f)s必须填写")),
    "string_too_long": (ErrorCode.TOO_LONG, gettext_lazy("%(f)s太长")),
    "string_too_short": (ErrorCode.REQUIRED, gettext_lazy("%(f)s必须填写")),
    "less_than_equal": (ErrorCode.OUT_OF_RANGE, gettext_lazy("%(f)s不应大于 %(le)s")),
    "less_than": (ErrorCode.OUT_OF_RANGE, gettext_lazy("%(f)s应小于 %(lt)s")),
    "greater_than_equal": (ErrorCode.OUT_OF_RANGE, gettext_lazy("%(f)s不应小于 %(ge)s")),
    "greater_than": (ErrorCode.OUT_OF_RANGE, gettext_lazy("%(f)s应大于 %(gt)s")),
    "int_parsing": (ErrorCode.INVALID_INTEGER, gettext_lazy("%(f)s应为整数")),
    "int_parsing_size": (ErrorCode.OUT_OF_RANGE, gettext_lazy("%(f)s超出范围")),
    "int_type": (ErrorCode.INVALID_INTEGER, gettext_lazy("%(f)s应为整数")),
    "int_from_float": (ErrorCode.INVALID_INTEGER, gettext_lazy("%(f)s应为整数")),
    "decimal_parsing": (ErrorCode.INVALID_NUMBER, gettext_lazy("%(f)s应为数字")),
    "decimal_type": (ErrorCode.INVALID_NUMBER, gettext_lazy("%(f)s应为数字")),
    "float_parsing": (ErrorCode.INVALID_NUMBER, gettext_lazy("%(f)s应为数字")),
    "date_parsing": (ErrorCode.INVALID_DATE, gettext_lazy("%(f)s应为日期，格式 YYYY-MM-DD")),
    "date_from_datetime_parsing": (
        ErrorCode.INVALID_DATE,
        gettext_lazy("%(f)s应为日期，格式 YYYY-MM-DD"),
    ),
    "date_from_datetime_inexact": (
        ErrorCode.INVALID_DATE,
        gettext_lazy("%(f)s应为日期，格式 YYYY-MM-DD"),
    ),
    "date_type": (ErrorCode.INVALID_DATE, gettext_lazy("%(f)s应为日期，格式 YYYY-MM-DD")),
    "literal_error": (ErrorCode.INVALID_CHOICE, gettext_lazy("%(f)s应为以下之一：%(expected)s")),
    "enum": (ErrorCode.INVALID_CHOICE, gettext_lazy("%(f)s应为以下之一：%(expected)s")),
    "bool_parsing": (ErrorCode.INVALID_TYPE, gettext_lazy("%(f)s应为 true 或 false")),
    "bool_type": (ErrorCode.INVALID_TYPE, gettext_lazy("%(f)s应为 true 或 false")),
    "json_invalid": (ErrorCode.MALFORMED_REQUEST, gettext_lazy("请求内容不是合法的 JSON")),
}


def _field_of(loc: Any) -> str | None:
    """`("body", "payload", "materials", "3")` -> "materials.3"; `("query", "unit")` -> "unit"."""
    # pydantic names union branches ("dict[...]", "function-wrap[...]") and dict keys ("[key]")
    # in the location too: they say nothing to a client.
    parts = [str(p) for p in (loc or ()) if "[" not in str(p)]
    if parts and parts[0] in {"body", "form", "file", "query", "path", "header", "cookie"}:
        source, parts = parts[0], parts[1:]
        if source in {"body", "form"} and len(parts) > 1:
            parts = parts[1:]  # the handler's parameter name (payload)
    return ".".join(parts) or None


def validation_item(error: dict) -> dict:
    """One pydantic/ninja error as {"field", "code", "detail"} with a Chinese detail."""
    field = _field_of(error.get("loc"))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if "message" in ctx:  # our own PydanticCustomError: code and Chinese text already set
        return {"field": field, "code": kind, "detail": str(ctx["message"])}
    code, text = _PYDANTIC.get(kind, (ErrorCode.VALIDATION, gettext_lazy("%(f)s格式不正确")))
    values = {k: str(v) for k, v in ctx.items()}
    values["f"] = f"“{field}”" if field else gettext("输入")
    try:
        detail = str(text) % values
    except (KeyError, ValueError, TypeError):
        detail = gettext("%(f)s格式不正确") % values
    return {"field": field, "code": str(code), "detail": detail}
