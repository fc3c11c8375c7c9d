"""The one workbook writer (openpyxl) every Excel export uses: a Chinese title row, optional
lines under it (unit, period, who exported it and when), a bold frozen header row and column
widths that fit the text.

Every cell goes through `put`, and every workbook the project writes (exports, the catalog
workbook) is made here: no other module creates an openpyxl `Workbook`. People type names and
notes; a control character in an applicant's name (a vertical tab pasted from another system)
made openpyxl refuse to write the whole workbook, and text such as "=1+1" or "@SUM(...)" would be
taken by a spreadsheet for a formula (CSV/formula injection, OWASP). So the characters XML 1.0
cannot hold are dropped (a superset of openpyxl's ILLEGAL_CHARACTERS_RE), and text that starts
with = + - @ (or a tab or CR) is written as an inline string with Excel's quote prefix: Excel and
LibreOffice show it as the text it is, never evaluate it, and reading it back gives the same text
(the catalog workbook round-trips).
"""

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# C0 controls except tab (\x09) and newline (\x0a), DEL, the C1 controls, lone surrogates and
# the two non-characters XML 1.0 excludes: data stored before the input gate refused them must
# still export.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Excel opens no cell holding more characters than this (it "repairs" the file instead).
CELL_MAX_CHARS = 32767
# What spreadsheet programs read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)
    # The Chinese title row above the header (row 1); none when empty.
    caption: str = ""
    # Lines between the caption and the header: unit, period, exported by and at.
    notes: Sequence[str] = ()
    # Column widths in characters; measured from the text when not given.
    widths: Sequence[int] | None = None
    # Number formats of the data cells by column ("@" text, "0.00"); None leaves a column as is.
    formats: Sequence[str | None] = ()
    # Columns kept in view when scrolling sideways (the catalog's item code).
    frozen_columns: int = 0


def clean_text(text: str) -> str:
    """`text` without the control characters a workbook (XML 1.0) cannot hold, cut to what one
    cell may hold."""
    return CONTROL_CHARS.sub("", text)[:CELL_MAX_CHARS]


def safe_cell(value):
    """The value as it may go into a cell: None becomes empty, lazy translations become text,
    text loses its control characters, an aware time becomes the county's wall-clock time (Excel
    has no time zones). Numbers and dates pass as they are."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.datetime | dt.time):
        return value
    return clean_text(str(value) if isinstance(value, Promise | str) else str(value))


def put(ws: Worksheet, row: int, column: int, value) -> Cell:
    """Write one safe cell; text that a spreadsheet would read as a formula stays text."""
    value = safe_cell(value)
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # openpyxl marks text starting with "=" as a formula; store it as a plain string and
        # ask Excel to keep it text when the cell is edited.
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, dt.datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _text_width(value) -> int:
    # A CJK character takes about two Latin character widths in Excel's default font.
    text = value.strftime("%Y-%m-%d") if isinstance(value, dt.date) else str(value)
    longest = max(text.split("\n"), key=len) if text else ""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in longest)


def write_sheet(ws: Worksheet, sheet: Sheet) -> None:
    columns = max(len(sheet.headers), 1)
    row = 1
    if sheet.caption:
        put(ws, row, 1, sheet.caption).font = Font(bold=True, size=14)
        if columns > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        row += 1
    for note in sheet.notes:
        put(ws, row, 1, note)
        if columns > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        row += 1
    header_row = row
    for col, header in enumerate(sheet.headers, start=1):
        cell = put(ws, row, col, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    widths = [_text_width(h) for h in sheet.headers]
    for values in sheet.rows:
        row += 1
        for col, value in enumerate(values, start=1):
            cell = put(ws, row, col, value)
            if col <= len(sheet.formats) and sheet.formats[col - 1]:
                cell.number_format = sheet.formats[col - 1]
            if col <= len(widths):
                widths[col - 1] = max(widths[col - 1], _text_width(cell.value))
            if isinstance(cell.value, str) and "\n" in cell.value:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = list(sheet.widths) if sheet.widths else [max(6, min(50, w + 2)) for w in widths]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=sheet.frozen_columns + 1)


def sheet_title(title: str) -> str:
    # Excel refuses sheet titles longer than 31 characters or containing []:*?/\
    return "".join(ch for ch in clean_text(str(title)) if ch not in "[]:*?/\\")[:31] or "Sheet"


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        write_sheet(wb.create_sheet(sheet_title(sheet.title)), sheet)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    # RFC 5987 form so Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
