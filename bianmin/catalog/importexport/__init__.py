"""The whole catalog as one Excel workbook (openpyxl): export, and import that is all or nothing.

Format (docs/catalog.md): sheets 事项, 材料, 收费, 环节 with Chinese headers in row 1, one row per
item / material / fee / step; child rows name their item by 本地编码. Choices are written as their
codes (a Chinese label is accepted on import), lists as codes joined by 、, units by Unit.code,
yes/no as 是/否. A sheet 代码表 lists the codes and is ignored on import.

Import validates every row first and, if any row is broken, raises ValidationFailed listing every
problem (sheet, row, field, message) and stores nothing; otherwise, in one transaction, each item
whose content differs from its newest version gets a new version (draft, or published on request).

- `columns`: the sheets and their columns; `content`: one plain form of an entry;
- `export`: the workbook written; `cells` and `importing`: the workbook read back.
"""

from .columns import (
    FEE_COLUMNS,
    ITEM_COLUMNS,
    MATERIAL_COLUMNS,
    SHEETS,
    STEP_COLUMNS,
    Column,
    RowError,
)
from .content import catalog_versions, version_content
from .export import catalog_export, catalog_sheets
from .importing import ImportResult, catalog_import

__all__ = [
    "FEE_COLUMNS",
    "ITEM_COLUMNS",
    "MATERIAL_COLUMNS",
    "SHEETS",
    "STEP_COLUMNS",
    "Column",
    "ImportResult",
    "RowError",
    "catalog_export",
    "catalog_import",
    "catalog_sheets",
    "catalog_versions",
    "version_content",
]
