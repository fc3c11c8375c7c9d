"""The whole catalog as one Excel workbook (openpyxl): export, and import that is all or nothing.

Format (docs/catalog.md): sheets 事项, 材料, 收费, 环节 with Chinese headers in row 1, one row per
item / material / fee / step; child rows name their item by 本地编码. Choices are written as their
codes (a Chinese label is accepted on import), lists as codes joined by 、, units by Unit.code,
yes/no as 是/否. A sheet 代码表 lists the codes and is ignored on import.

Import validates every row first and, if any row is broken, raises ValidationFailed listing every
problem (sheet, row, field, message) and stores nothing; otherwise, in one transaction, each item
whose content differs from its newest version gets a new version (draft, or published on request).
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from bianmin.common.admin_log import admin_action_record
from bianmin.common.errors import ErrorCode, ValidationFailed
from bianmin.common.models import AdminActionKind
from bianmin.common.sheets import Sheet, workbook_bytes
from bianmin.orgs.models import Unit

from . import services
from .models import (
    CaseClass,
    Fee,
    Item,
    ItemType,
    ItemVersion,
    LifeEvent,
    Material,
    PowerSource,
    ServiceObject,
    StepTemplate,
    Tier,
)

SHEET_ITEMS = "事项"
SHEET_MATERIALS = "材料"
SHEET_FEES = "收费"
SHEET_STEPS = "环节"
SHEET_CODES = "代码表"
KEY = "本地编码"
LIST_SEP = "、"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    attr: str
    kind: str  # str | int | bool | decimal | choice | codes | unit | units | window | file
    choices: type | None = None
    required: bool = False  # the header must be present in the sheet


# Headers are fixed Chinese strings, not gettext: the workbook is a data format and must read the
# same whatever the UI language.
ITEM_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("基本编码", "basic_code", "str", required=True),
    Column("实施编码", "implementation_code", "str", required=True),
    Column("事项名称", "name", "str", required=True),
    Column("事项类型", "item_type", "choice", ItemType, required=True),
    Column("服务对象", "service_objects", "codes", ServiceObject),
    Column("权力来源", "power_source", "choice", PowerSource, required=True),
    Column("设定依据", "legal_basis", "str", required=True),
    Column("实施主体", "implementing_unit", "unit", required=True),
    Column("受理条件", "acceptance_conditions", "str"),
    Column("法定办结时限(工作日)", "statutory_limit", "int", required=True),
    Column("承诺办结时限(工作日)", "promised_limit", "int", required=True),
    Column("办件类型", "case_class", "choice", CaseClass, required=True),
    Column("联办部门", "joint_units", "units"),
    Column("受理层级", "accept_tier", "choice", Tier, required=True),
    Column("办理(决定)层级", "decide_tier", "choice", Tier, required=True),
    Column("县级收件窗口", "county_window", "window"),
    Column("村级可代办", "village_proxy", "bool"),
    Column("可网上申报", "online", "bool"),
    Column("可告知承诺", "pledge_allowed", "bool"),
    Column("高风险事项", "high_risk", "bool"),
    Column("主题(人生事件)", "life_events", "codes", LifeEvent),
    Column("咨询电话", "contact_phone", "str"),
    Column("投诉电话", "complaint_phone", "str"),
    Column("办理地点", "location", "str"),
    Column("审批结果名称", "result_name", "str"),
    Column("结果为证照", "result_is_certificate", "bool"),
    Column("备注", "notes", "str"),
)
MATERIAL_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("序号", "position", "int"),
    Column("材料名称", "name", "str", required=True),
    Column("必要", "required", "bool"),
    Column("可容缺", "deferrable", "bool"),
    Column("可告知承诺", "pledgeable", "bool"),
    Column("原件份数", "originals", "int"),
    Column("复印件份数", "copies", "int"),
    Column("来源渠道", "source", "str"),
    Column("空白表格", "template", "file"),
    Column("示例样表", "sample", "file"),
    Column("填报须知", "note", "str"),
)
FEE_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("收费项目", "name", "str", required=True),
    Column("收费标准(元)", "amount", "decimal", required=True),
    Column("标准说明", "standard", "str"),
    Column("收费依据", "legal_basis", "str"),
)
STEP_COLUMNS = (
    Column(KEY, "local_code", "str", required=True),
    Column("序号", "position", "int"),
    Column("环节", "name", "str", required=True),
    Column("层级", "tier", "choice", Tier, required=True),
    Column("环节时限(工作日)", "limit_days", "int"),
)
SHEETS = {
    SHEET_ITEMS: ITEM_COLUMNS,
    SHEET_MATERIALS: MATERIAL_COLUMNS,
    SHEET_FEES: FEE_COLUMNS,
    SHEET_STEPS: STEP_COLUMNS,
}
# Cells a spreadsheet would otherwise turn into numbers (leading zeros, long digit strings).
TEXT_KINDS = {"str", "choice", "codes", "unit", "units", "window", "file"}
# A missing cell takes the model's default rather than failing as "not a number".
DEFAULTS = {"required": True, "copies": 1, "originals": 0, "limit_days": 0}


@dataclass
class RowError:
    sheet: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = _("“%(s)s”表第%(r)s行") % {"s": self.sheet, "r": self.row}
        return f"{where} {self.field}：{self.message}" if self.field else f"{where}：{self.message}"


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)  # local codes that got a new version
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Content: one plain representation shared by export, import and the change check.


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def version_content(version: ItemVersion) -> dict[str, Any]:
    """A version's catalog content as plain data (units by code, files by name).

    Two versions with equal content are the same entry for import and for the round-trip check.
    """
    snap = services.version_snapshot(version)
    fields = dict(snap["fields"])
    fields["implementing_unit"] = version.implementing_unit.code
    fields.pop("implementing_unit_id", None)
    fields["county_window"] = version.county_window.code if version.county_window_id else ""
    return {
        "fields": fields,
        "joint_units": sorted(u.code for u in snap["joint_units"]),
        "materials": sorted(
            (
                dict(m, template=m["template"] or "", sample=m["sample"] or "")
                for m in snap["materials"]
            ),
            key=lambda m: (m["position"], m["name"]),
        ),
        "fees": sorted(
            (dict(f, amount=_money(f["amount"])) for f in snap["fees"]),
            key=lambda f: (f["name"], f["amount"]),
        ),
        "steps": sorted(snap["steps"], key=lambda s: (s["position"], s["name"])),
    }


def catalog_versions(*, published_only: bool = False) -> list[ItemVersion]:
    """The versions an export holds: per live item its newest version (drafts carry pending
    edits), or only the published ones. Retired items are left out."""
    items = (
        Item.objects.filter(retired_at__isnull=True)
        .select_related("published_version")
        .order_by("local_code")
    )
    if published_only:
        ids = [i.published_version_id for i in items if i.published_version_id]
    else:
        newest: dict[int, int] = {}
        for item_id, pk, number in ItemVersion.objects.filter(
            item__retired_at__isnull=True
        ).values_list("item_id", "pk", "number"):
            if item_id not in newest or number > newest[item_id][1]:
                newest[item_id] = (pk, number)
        ids = [pk for pk, _n in newest.values()]
    return list(
        ItemVersion.objects.filter(pk__in=ids)
        .select_related("item", "implementing_unit")
        .prefetch_related(
            Prefetch("materials", queryset=Material.objects.order_by("position", "pk")),
            Prefetch("fees", queryset=Fee.objects.order_by("pk")),
            Prefetch("steps", queryset=StepTemplate.objects.order_by("position", "pk")),
            Prefetch("joint_units", queryset=Unit.objects.order_by("code")),
        )
        .order_by("item__local_code")
    )


# ---------------------------------------------------------------------------------------------
# Export


def _cell(kind: str, value: Any) -> Any:
    if kind == "bool":
        return YES if value else NO
    if kind in ("codes", "units"):
        return LIST_SEP.join(value)
    if kind == "decimal":
        return float(value)
    if value is None:
        return ""
    if isinstance(value, Unit):
        return value.code
    return value


def _sheet(title: str, columns, rows: list[dict]) -> Sheet:
    return Sheet(
        title=title,
        headers=[c.header for c in columns],
        rows=[[_cell(c.kind, row.get(c.attr)) for c in columns] for row in rows],
        widths=[max(10, min(40, len(c.header) * 2 + 4)) for c in columns],
        formats=[
            "@" if c.kind in TEXT_KINDS else "0.00" if c.kind == "decimal" else None
            for c in columns
        ],
        frozen_columns=1,
    )


def _codes_sheet() -> Sheet:
    with translation.override("zh-hans"):
        rows = [
            [header, value, str(label)]
            for header, choices in (
                ("事项类型", ItemType),
                ("服务对象", ServiceObject),
                ("权力来源", PowerSource),
                ("办件类型", CaseClass),
                ("受理层级/办理(决定)层级/层级", Tier),
                ("主题(人生事件)", LifeEvent),
            )
            for value, label in choices.choices
        ]
    return Sheet(title=SHEET_CODES, headers=["字段", "代码", "含义"], rows=rows)


def catalog_sheets(*, published_only: bool = False) -> list[Sheet]:
    """The sheets of the catalog workbook: items, materials, fees, steps and the code list."""
    items, materials, fees, steps = [], [], [], []
    for v in catalog_versions(published_only=published_only):
        content = version_content(v)
        code = v.item.local_code
        items.append(
            {"local_code": code, **content["fields"], "joint_units": content["joint_units"]}
        )
        materials += [{"local_code": code, **m} for m in content["materials"]]
        fees += [{"local_code": code, **f} for f in content["fees"]]
        steps += [{"local_code": code, **s} for s in content["steps"]]
    return [
        _sheet(SHEET_ITEMS, ITEM_COLUMNS, items),
        _sheet(SHEET_MATERIALS, MATERIAL_COLUMNS, materials),
        _sheet(SHEET_FEES, FEE_COLUMNS, fees),
        _sheet(SHEET_STEPS, STEP_COLUMNS, steps),
        _codes_sheet(),
    ]


def catalog_export(*, target=None, published_only: bool = False) -> bytes | None:
    """Write the catalog workbook to `target` (a path or binary file), or return its bytes."""
    data = workbook_bytes(catalog_sheets(published_only=published_only))
    if target is None:
        return data
    if hasattr(target, "write"):
        target.write(data)
    else:
        Path(target).write_bytes(data)
    return None


# ---------------------------------------------------------------------------------------------
# Import: parse every cell, validate every row, then write all or nothing.


class CellError(Exception):
    pass


def _text(value: Any) -> str:
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


def _parse(col: Column, value: Any, units: dict[str, Unit]) -> Any:
    raw = _text(value)
    if col.kind in ("str", "file"):
        return raw
    if col.kind == "int":
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
    if col.kind == "decimal":
        try:
            return _money(Decimal(raw))
        except (InvalidOperation, ValueError):
            raise CellError(_("应为金额（数字），实为“%(v)s”") % {"v": raw}) from None
    if col.kind == "bool":
        if raw == "":
            return DEFAULTS.get(col.attr, False)
        low = raw.lower()
        if low in (YES, "y", "yes", "true", "1", "√"):
            return True
        if low in (NO, "n", "no", "false", "0", "×"):
            return False
        raise CellError(_("应填“是”或“否”，实为“%(v)s”") % {"v": raw})
    if col.kind == "choice":
        if raw == "":
            raise CellError(_("不能为空"))
        return _choice(col.choices, raw)
    if col.kind == "codes":
        return [_choice(col.choices, part) for part in _split(raw)]
    if col.kind == "window" and not raw:
        return None  # no county window: the township sends the item to its department
    if col.kind in ("unit", "units", "window"):
        codes = _split(raw) if col.kind == "units" else ([raw] if raw else [])
        if col.kind == "unit" and not codes:
            raise CellError(_("不能为空"))
        missing = [c for c in codes if c not in units]
        if missing:
            raise CellError(_("未找到单位编码：%(c)s") % {"c": LIST_SEP.join(missing)})
        found = [units[c] for c in codes]
        return sorted(found, key=lambda u: u.code) if col.kind == "units" else found[0]
    raise AssertionError(col.kind)


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
    header = [_text(h) for h in next(rows, ())]
    index = {h: i for i, h in enumerate(header) if h}
    present = [c for c in columns if c.header in index]
    for c in columns:
        if c.required and c.header not in index:
            errors.append(RowError(title, 1, c.header, _("缺少该列")))
    parsed = []
    for number, cells in enumerate(rows, start=2):
        if all(_text(v) == "" for v in cells):
            continue
        values, bad = {}, set()
        for c in present:
            i = index[c.header]
            try:
                values[c.attr] = _parse(c, cells[i] if i < len(cells) else None, units)
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
        out["amount"] = _money(out["amount"])
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
