"""Export: the catalog as the sheets of one workbook."""

from pathlib import Path
from typing import Any

from django.utils import translation

from bianmin.common.sheets import Sheet, workbook_bytes
from bianmin.orgs.models import Unit

from ..models import CaseClass, ItemType, LifeEvent, PowerSource, ServiceObject, Tier
from .columns import (
    FEE_COLUMNS,
    ITEM_COLUMNS,
    LIST_SEP,
    MATERIAL_COLUMNS,
    NO,
    SHEET_CODES,
    SHEET_FEES,
    SHEET_ITEMS,
    SHEET_MATERIALS,
    SHEET_STEPS,
    STEP_COLUMNS,
    TEXT_KINDS,
    YES,
)
from .content import catalog_versions, version_content


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
