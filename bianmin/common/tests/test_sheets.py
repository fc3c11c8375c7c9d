"""The shared workbook writer: safe cells, title row, header row, widths."""

import datetime as dt
import io
import re
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from bianmin.common.sheets import Sheet, safe_cell, workbook_bytes, xlsx_response


def _load(sheets):
    return load_workbook(io.BytesIO(workbook_bytes(sheets)))


def test_control_character_and_formula_text_come_back_as_text():
    wb = _load(
        [
            Sheet(
                title="台账",
                caption="测试村 现金日记账",
                notes=["期间：2026-01-01 至 2026-01-31"],
                headers=["姓名", "备注", "金额"],
                rows=[
                    ["张\x0b三", "=1+1", Decimal("12.50")],
                    ["@SUM(A1)", "+86 138", -3],
                    ["-2+3", "第一行\n第二行\t完", dt.date(2026, 1, 5)],
                ],
            )
        ]
    )
    ws = wb["台账"]
    assert ws["A1"].value == "测试村 现金日记账"
    assert ws["A2"].value == "期间：2026-01-01 至 2026-01-31"
    assert [c.value for c in ws[3]] == ["姓名", "备注", "金额"]
    assert ws["A3"].font.bold
    assert [c.value for c in ws[4]] == ["张三", "=1+1", 12.5]
    assert ws["B4"].data_type == "s"  # not a formula
    assert ws["A5"].value == "@SUM(A1)" and ws["A5"].data_type == "s"
    assert ws["B5"].value == "+86 138" and ws["C5"].value == -3
    assert ws["A6"].value == "-2+3" and ws["A6"].data_type == "s"
    assert ws["B6"].value == "第一行\n第二行\t完"
    assert ws["C6"].value == dt.datetime(2026, 1, 5)
    assert ws.freeze_panes == "A4"
    # Widths follow the text, Chinese counted double.
    assert ws.column_dimensions["B"].width == len("第二行完") * 2 + 1 + 2


def test_safe_cell_drops_c1_and_del_but_keeps_numbers():
    assert safe_cell("a\x00b\x7fc\x85d\re") == "abcde"
    assert safe_cell(None) == ""
    assert safe_cell(0) == 0
    assert safe_cell(Decimal("1.10")) == Decimal("1.10")
    # Excel keeps no time zone: an aware time is written as the county's wall clock.
    at = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)
    assert safe_cell(at) == dt.datetime(2026, 3, 1, 9, 30)


def test_sheet_title_is_made_acceptable_and_response_names_the_file():
    response = xlsx_response("月报.xlsx", [Sheet(title="a/b:c" * 10, headers=["x"], rows=[[1]])])
    assert response["Content-Disposition"] == "attachment; filename*=UTF-8''%E6%9C%88%E6%8A%A5.xlsx"
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["abc" * 10]


def test_every_character_excel_refuses_is_dropped_and_long_text_cut():
    every = "".join(chr(c) for c in range(0x3000)) + "\ud800\udfff\ufffe\uffff"
    assert not ILLEGAL_CHARACTERS_RE.search(safe_cell(every))
    assert not any(0xD800 <= ord(ch) <= 0xDFFF or ch in "\ufffe\uffff" for ch in safe_cell(every))
    wb = _load([Sheet(title="x", headers=["备注"], rows=[["长" * 40_000 + "\ud800"]])])
    assert wb["x"]["A2"].value == "长" * 32_767


def test_no_module_but_the_writer_makes_a_workbook():
    """Every export goes through `workbook_bytes`, where every cell is made safe."""
    root = Path(settings.BASE_DIR) / "bianmin"
    own = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "sheets.py"
        and re.search(r"\bWorkbook\b", path.read_text("utf-8"))
    ]
    assert own == []
