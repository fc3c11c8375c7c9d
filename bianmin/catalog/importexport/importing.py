"""Import: parse every cell, validate every row, then write all or nothing."""

import io
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from bianmin.common.admin_log import admin_action_record
from bianmin.common.errors import ErrorCode, ValidationFailed
from bianmin.common.models import AdminActionKind
from bianmin.orgs.models import Unit

from .. import services
from ..models import CaseClass, Fee, Item, ItemVersion, Material, StepTemplate
from .cells import CellError, cell_text, cell_value
from .columns import (
    FEE_COLUMNS,
    ITEM_COLUMNS,
    KEY,
    MATERIAL_COLUMNS,
    SHEET_FEES,
    SHEET_ITEMS,
    SHEET_MATERIALS,
    SHEET_STEPS,
    STEP_COLUMNS,
    RowError,
)
from .content import money, version_content


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # local codes that got a new version
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    bad: set[str]  # attrs whose cell did not parse


def _read_sheet(wb, title: str, columns, errors: list[RowError], units) -> list[ParsedRow]:
    if title not in wb.sheetnames:
        errors.append(RowError(title, 1, "", _("缺少工作表“%(s)s”") % {"s": title}))
        return []
    ws = wb[title]
    rows = ws.iter_rows(values_only=True)
    header = [cell_text(h) for h in next(rows, ())]
    index = {h: i for i, h in enumerate(header) if h}
    present = [c for c in columns if c.header in index]
    for c in columns:
        if c.required and c.header not in index:
            errors.append(RowError(title, 1, c.header, _("缺少该列")))
    parsed = []
    for number, cells in enumerate(rows, start=2):
        if all(cell_text(v) == "" for v in cells):
            continue
        values, bad = {}, set()
        for c in present:
            i = index[c.header]
            try:
                values[c.attr] = cell_value(c, cells[i] if i < len(cells) else None, units)
            except CellError as exc:
                bad.add(c.attr)
                errors.append(RowError(title, number, c.header, str(exc)))
        parsed.append(ParsedRow(number, values, bad))
    return parsed


def _model_errors(obj, *, exclude, sheet, row, columns, errors: list[RowError]) -> None:
    headers = {c.attr: c.header for c in columns}
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        for attr, messages in exc.message_dict.items():
            if attr in exclude:
                continue
            for m in messages:
                errors.append(RowError(sheet, row, headers.get(attr, ""), str(m)))


@dataclass
class ParsedItem:
    row: int
    fields: dict[str, Any]
    joint_units: list[Unit]
    materials: list[dict] = field(default_factory=list)
    fees: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)

    def content(self) -> dict[str, Any]:
        window = self.fields.get("county_window")
        fields = dict(
            self.fields,
            implementing_unit=self.fields["implementing_unit"].code,
            county_window=window.code if window else "",
        )
        return {
            "fields": fields,
            "joint_units": [u.code for u in self.joint_units],
            "materials": sorted(self.materials, key=lambda m: (m["position"], m["name"])),
            "fees": sorted(self.fees, key=lambda f: (f["name"], f["amount"])),
            "steps": sorted(self.steps, key=lambda s: (s["position"], s["name"])),
        }


def _check_workbook(wb, *, publish: bool) -> tuple[dict[str, ParsedItem], list[RowError]]:
    errors: list[RowError] = []
    units = {u.code: u for u in Unit.objects.all()}
    items: dict[str, ParsedItem] = {}

    for pr in _read_sheet(wb, SHEET_ITEMS, ITEM_COLUMNS, errors, units):
        code = pr.values.pop("local_code", "")
        if not code:
            errors.append(RowError(SHEET_ITEMS, pr.row, KEY, _("不能为空")))
            continue
        if code in items:
            errors.append(
                RowError(
                    SHEET_ITEMS,
                    pr.row,
                    KEY,
                    _("与第%(r)s行重复") % {"r": items[code].row},
                )
            )
            continue
        joint = pr.values.pop("joint_units", [])
        exclude = ["item", "number", *pr.bad]
        # A missing required column is reported once above, not again on every row.
        exclude += [c.attr for c in ITEM_COLUMNS if c.required and c.attr not in pr.values]
        fields = _complete(ItemVersion, pr.values)
        version = ItemVersion(**{k: v for k, v in fields.items() if k not in pr.bad})
        _model_errors(
            version,
            exclude=exclude,
            sheet=SHEET_ITEMS,
            row=pr.row,
            columns=ITEM_COLUMNS,
            errors=errors,
        )
        if (
            publish
            and fields.get("case_class") == CaseClass.JOINT
            and not joint
            and "joint_units" not in pr.bad
        ):
            errors.append(RowError(SHEET_ITEMS, pr.row, "联办部门", _("联办件须指定联办部门")))
        items[code] = ParsedItem(pr.row, fields, joint)

    for title, columns, model, bucket in (
        (SHEET_MATERIALS, MATERIAL_COLUMNS, Material, "materials"),
        (SHEET_FEES, FEE_COLUMNS, Fee, "fees"),
        (SHEET_STEPS, STEP_COLUMNS, StepTemplate, "steps"),
    ):
        for pr in _read_sheet(wb, title, columns, errors, units):
            code = pr.values.pop("local_code", "")
            target = items.get(code)
            if target is None:
                message = _("不能为空") if not code else _("“事项”表中没有该编码")
                errors.append(RowError(title, pr.row, KEY, message))
                continue
            values = pr.values
            if bucket != "fees" and values.get("position") is None:
                # No 序号: the rows keep their order in the sheet.
                values["position"] = len(getattr(target, bucket)) + 1
            obj = model(**{k: v for k, v in values.items() if k not in pr.bad})
            _model_errors(
                obj,
                exclude=["version", *pr.bad],
                sheet=title,
                row=pr.row,
                columns=columns,
                errors=errors,
            )
            if (
                publish
                and bucket == "materials"
                and values.get("pledgeable")
                and not target.fields.get("pledge_allowed")
            ):
                errors.append(
                    RowError(
                        title, pr.row, "可告知承诺", _("事项未允许告知承诺，材料不能标为可告知承诺")
                    )
                )
            getattr(target, bucket).append(_complete(model, values))
    return items, errors


def _complete(model, values: dict) -> dict:
    """The row with model defaults for columns the sheet left out, as the content check sees it."""
    names = {
        ItemVersion: services.CONTENT_FIELDS,
        Material: services.MATERIAL_FIELDS,
        Fee: services.FEE_FIELDS,
        StepTemplate: services.STEP_FIELDS,
    }[model]
    out = {}
    for name in names:
        if name in values:
            out[name] = values[name]
        else:
            f = model._meta.get_field(name)
            out[name] = None if f.is_relation else f.get_default()
    if model is Fee and isinstance(out["amount"], Decimal):
        out["amount"] = money(out["amount"])
    return out


def _open(source):
    try:
        if isinstance(source, bytes | bytearray):
            source = io.BytesIO(source)
        elif isinstance(source, str | Path):
            source = Path(source)
        return load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise ValidationFailed(
            _("无法读取文件：不是有效的 Excel 工作簿（.xlsx）"), code=ErrorCode.BAD_FILE
        ) from exc


@transaction.atomic
def catalog_import(*, source, actor, publish: bool = False) -> ImportResult:
    """Import the catalog workbook: every row is checked first, then all of it is stored or none.

    Row problems (unknown codes, promised limit over statutory, a proxy fee, unknown units, ...)
    raise ValidationFailed with `extra={"errors": [{"sheet", "row", "field", "message"}, ...]}`.
    An item whose content equals its newest version is left alone; otherwise it gets a new
    version through `item_version_create`, published when `publish` is set (the newest draft of an
    unchanged item is published too).
    """
    wb = _open(source)
    try:
        parsed, errors = _check_workbook(wb, publish=publish)
    finally:
        wb.close()
    if errors:
        raise ValidationFailed(
            _("导入失败：发现 %(n)s 处错误，未导入任何内容") % {"n": len(errors)},
            code=ErrorCode.IMPORT_FAILED,
            extra={"errors": [asdict(e) for e in errors]},
        )
    result = ImportResult()
    existing = {i.local_code: i for i in Item.objects.filter(local_code__in=list(parsed))}
    for code, p in parsed.items():
        item = existing.get(code)
        newest = item.versions.order_by("-number").first() if item else None
        if newest is not None and version_content(newest) == p.content():
            version = newest
            result.unchanged.append(code)
        else:
            version = services.item_version_create(
                local_code=code,
                materials=p.materials,
                fees=p.fees,
                steps=p.steps,
                joint_units=p.joint_units,
                actor=actor,
                **p.fields,
            )
            result.created.append(code)
        if publish and version.is_draft:
            services.item_version_publish(version=version, actor=actor)
            result.published.append(code)
    admin_action_record(
        actor=actor,
        action=AdminActionKind.IMPORT,
        note=_("导入事项目录：新建版本 %(c)s 个，发布 %(p)s 个，未变化 %(u)s 个")
        % {"c": len(result.created), "p": len(result.published), "u": len(result.unchanged)},
    )
    return result
