import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from bianmin.catalog.models import Item, ItemVersion


def test_export_then_import_commands(catalog, tmp_path):
    path = tmp_path / "c.xlsx"
    out = io.StringIO()
    call_command("catalog_export", str(path), "--published-only", stdout=out)
    assert "已导出 4 个事项" in out.getvalue()
    wb = load_workbook(path)
    wb["事项"].cell(row=2, column=4, value="居住证明（村级）")
    wb.save(path)
    out = io.StringIO()
    call_command("catalog_import", str(path), "--publish", "--actor", "admin", stdout=out)
    assert "新建版本 1 个，发布 1 个，未变化 3 个" in out.getvalue()
    v = Item.objects.get(local_code="CJ-001").published_version
    assert v.name == "居住证明（村级）" and v.published_by.username == "admin"


def test_import_command_prints_row_errors(catalog, tmp_path):
    path = tmp_path / "c.xlsx"
    call_command("catalog_export", str(path), stdout=io.StringIO())
    wb = load_workbook(path)
    wb["事项"].cell(row=3, column=5, value="99")
    wb.save(path)
    count = ItemVersion.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("catalog_import", str(path), stderr=err)
    assert "“事项”表第3行 事项类型：未知代码“99”" in err.getvalue()
    assert ItemVersion.objects.count() == count
