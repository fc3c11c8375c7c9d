"""The input gate for pages: every form field checked by `bianmin.common.inputs`, once.

`GateMixin` goes first in a form's bases (`class F(GateMixin, forms.Form)`). At validation it
routes every text field through `clean_text` (its own max_length, newline and tab only in a
Textarea, NFKC for the names in `identifier_fields`), every date through the project's bounds
(1949-10-01 to ten years ahead) and every integer through `bounded_int`, so a page refuses what
the API refuses with the same Chinese message beside the field. A text field without a
max_length is a programming error: the form refuses to be built.

Views that read a few posted values by hand use `posted_text`, which takes the limit from the
model column, so the page and the database cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.db.models import Model

from .errors import ValidationFailed
from .inputs import INT_MAX, LONG_TEXT_MAX, bounded_date, bounded_int, clean_text, parse_month

# Longer than any integer column holds: refused before int() sees it.
_INT_TEXT_MAX = len(str(INT_MAX)) + 2


def _label(field: forms.Field, name: str) -> str:
    return str(field.label or name)


def _as_form_error(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except ValidationFailed as e:
        raise ValidationError(e.message, code=e.code) from None


def _gate_text(field: forms.CharField, name: str, identifier: bool) -> None:
    if field.max_length is None:
        raise ImproperlyConfigured(f"text field {name!r} declares no max_length")
    original = field.to_python
    multiline = isinstance(field.widget, forms.Textarea)

    def to_python(value: Any) -> Any:
        value = original(value)
        if value in field.empty_values:
            return value
        return _as_form_error(
            lambda: clean_text(
                value,
                max_length=field.max_length,
                field=_label(field, name),
                multiline=multiline,
                identifier=identifier,
            )
        )

    field.to_python = to_python  # type: ignore[method-assign]


def _gate_date(field: forms.DateField, name: str) -> None:
    original = field.to_python

    def to_python(value: Any) -> Any:
        if isinstance(value, str) and len(value) > 32:
            raise ValidationError(field.error_messages["invalid"], code="invalid")
        value = original(value)
        if value is None:
            return value
        day = value.date() if isinstance(value, dt.datetime) else value
        _as_form_error(lambda: bounded_date(day, field=_label(field, name)))
        return value

    field.to_python = to_python  # type: ignore[method-assign]


def _gate_int(field: forms.IntegerField, name: str) -> None:
    original = field.to_python
    low: Any = field.min_value
    high: Any = field.max_value
    lo = -INT_MAX if low is None else max(int(low), -INT_MAX)
    hi = INT_MAX if high is None else min(int(high), INT_MAX)

    def to_python(value: Any) -> Any:
        if isinstance(value, str) and len(value.strip()) > _INT_TEXT_MAX:
            # bounded_int refuses the length before int() spends time on the digits.
            _as_form_error(lambda: bounded_int(value, field=_label(field, name), lo=lo, hi=hi))
        value = original(value)
        if value is None:
            return value
        return _as_form_error(lambda: bounded_int(value, field=_label(field, name), lo=lo, hi=hi))

    field.to_python = to_python  # type: ignore[method-assign]


class MonthField(forms.CharField):
    """A YYYY-MM month, cleaned to its first day and bounded like a date."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("widget", forms.TextInput({"type": "month"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        return _as_form_error(lambda: parse_month(text, field=str(self.label or "")))


def gate_field(field: forms.Field, name: str, *, identifier: bool = False) -> None:
    """Put one field behind the gate (idempotent); fields a form adds after construction too."""
    if getattr(field, "_gated", False):
        return
    if isinstance(field, MonthField):
        pass  # parses and bounds itself
    elif isinstance(field, forms.CharField):
        _gate_text(field, name, identifier)
    elif isinstance(field, forms.DateField | forms.DateTimeField):
        _gate_date(field, name)  # type: ignore[arg-type]
    elif isinstance(field, forms.IntegerField):
        _gate_int(field, name)
    field._gated = True  # type: ignore[attr-defined]


class GateMixin:
    """See the module docstring. `identifier_fields`: ID numbers, phones, codes (NFKC)."""

    identifier_fields: tuple[str, ...] = ()
    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate()

    def gate(self) -> None:
        for name, field in self.fields.items():
            gate_field(field, name, identifier=name in self.identifier_fields)

    def full_clean(self) -> None:
        self.gate()  # fields added after __init__ (a checklist row per material)
        super().full_clean()  # type: ignore[misc]


def column_length(model: type[Model], column: str) -> int:
    length = getattr(model._meta.get_field(column), "max_length", None)
    if length is None:
        raise ImproperlyConfigured(f"{model.__name__}.{column} has no max_length")
    return int(length)


def posted_text(
    data: Any,
    name: str,
    *,
    max_length: int | None = None,
    model: type[Model] | None = None,
    column: str | None = None,
    label: str | None = None,
    multiline: bool | None = None,
    identifier: bool = False,
) -> str:
    """One posted text value through the gate, for views without a form. With `model` (and
    `column`, defaulting to `name`) the limit and label are the column's, and a TextField is
    multi-line text of at most LONG_TEXT_MAX. Raises ValidationFailed naming `name`, which the
    view shows like any refusal from a service."""
    if model is not None:
        db_field = model._meta.get_field(column or name)
        is_text = isinstance(db_field, models.TextField)
        if max_length is None:
            max_length = LONG_TEXT_MAX if is_text else column_length(model, column or name)
        if label is None:
            label = str(getattr(db_field, "verbose_name", name))
        if multiline is None:
            multiline = is_text
    if max_length is None:
        raise ImproperlyConfigured(f"posted text {name!r} needs a max_length or a model")
    try:
        return clean_text(
            data.get(name, ""),
            max_length=max_length,
            field=label or name,
            multiline=bool(multiline),
            identifier=identifier,
        )
    except ValidationFailed as e:
        raise ValidationFailed(e.message, code=e.code, field=name) from None


def posted_ids(data: Any, name: str) -> list[int]:
    """The ids ticked in a list of checkboxes; anything that is not an id a column can hold is
    left out (int() of a 5,000-digit string raises, and a 20-digit one overflows the query)."""
    if not hasattr(data, "getlist"):
        return []
    return [pk for pk in map(as_id, data.getlist(name)) if pk is not None]


def as_id(raw: Any) -> int | None:
    """`raw` as a row id (1..INT_MAX), or None: a lookup by a malformed id simply finds nothing."""
    text = str(raw if raw is not None else "").strip()
    if text.isascii() and text.isdigit() and len(text) <= len(str(INT_MAX)):
        value = int(text)
        if 1 <= value <= INT_MAX:
            return value
    return None
