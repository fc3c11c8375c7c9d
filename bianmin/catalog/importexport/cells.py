"""Import, one cell at a time: a cell's text read as its column's kind, or a `CellError` that says
why not."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from bianmin.orgs.models import Unit

from .columns import DEFAULTS, LIST_SEP, NO, YES, Column
from .content import money


class CellError(Exception):
    pass


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice(choices, raw: str) -> str:
    if raw in choices.values:
        return raw
    width = max(len(v) for v in choices.values)
    if raw.isdigit() and raw.zfill(width) in choices.values:
        # Excel drops leading zeros from codes such as 01 typed into a number cell.
        return raw.zfill(width)
    with translation.override("zh-hans"):
        by_label = {str(label): value for value, label in choices.choices}
    if raw in by_label:
        return by_label[raw]
    raise CellError(_("未知代码“%(v)s”") % {"v": raw})


def _split(raw: str) -> list[str]:
    for sep in (",", "，", ";", "；", "/", " "):
        raw = raw.replace(sep, LIST_SEP)
    return [part.strip() for part in raw.split(LIST_SEP) if part.strip()]


def _int(col: Column, raw: str) -> int | None:
    if raw == "":
        if col.attr == "position":
            return None
        if col.attr in DEFAULTS:
            return DEFAULTS[col.attr]
        raise CellError(_("不能为空"))
    try:
        return int(raw)
    except ValueError:
        raise CellError(_("应为整数，实为“%(v)s”") % {"v": raw}) from None


def _decimal(raw: str) -> Decimal:
    try:
        return money(Decimal(raw))
    except (InvalidOperation, ValueError):
        raise CellError(_("应为金额（数字），实为“%(v)s”") % {"v": raw}) from None


def _bool(col: Column, raw: str) -> bool:
    if raw == "":
        return DEFAULTS.get(col.attr, False)
    low = raw.lower()
    if low in (YES, "y", "yes", "true", "1", "√"):
        return True
    if low in (NO, "n", "no", "false", "0", "×"):
        return False
    raise CellError(_("应填“是”或“否”，实为“%(v)s”") % {"v": raw})


def _units(col: Column, raw: str, units: dict[str, Unit]) -> Unit | list[Unit] | None:
    if col.kind == "window" and not raw:
        return None  # no county window: the township sends the item to its department
    codes = _split(raw) if col.kind == "units" else ([raw] if raw else [])
    if col.kind == "unit" and not codes:
        raise CellError(_("不能为空"))
    missing = [c for c in codes if c not in units]
    if missing:
        raise CellError(_("未找到单位编码：%(c)s") % {"c": LIST_SEP.join(missing)})
    found = [units[c] for c in codes]
    return sorted(found, key=lambda u: u.code) if col.kind == "units" else found[0]


def cell_value(col: Column, value: Any, units: dict[str, Unit]) -> Any:
    """The cell's value as its column's kind (`Column.kind`); a `CellError` when it is not one."""
    raw = cell_text(value)
    if col.kind in ("str", "file"):
        return raw
    if col.kind == "int":
        return _int(col, raw)
    if col.kind == "decimal":
        return _decimal(raw)
    if col.kind == "bool":
        return _bool(col, raw)
    if col.kind == "choice":
        if raw == "":
            raise CellError(_("不能为空"))
        return _choice(col.choices, raw)
    if col.kind == "codes":
        return [_choice(col.choices, part) for part in _split(raw)]
    if col.kind in ("unit", "units", "window"):
        return _units(col, raw, units)
    raise AssertionError(col.kind)
