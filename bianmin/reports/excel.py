"""Excel exports (openpyxl): every report and list page offers the same figures as a workbook."""

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)
    caption: str = ""


# What spreadsheet programs read as the start of a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cells) -> None:
    """User text that looks like a formula (`=HYPERLINK(...)`, `+1`, `@SUM`) is written as text
    with Excel's quote prefix: a name or note typed by anyone must never run in a workbook."""
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        # Excel refuses sheet titles longer than 31 characters or containing []:*?/\
        title = "".join(ch for ch in sheet.title if ch not in "[]:*?/\\")[:31] or "Sheet"
        ws = wb.create_sheet(title)
        if sheet.caption:
            ws.append([sheet.caption])
            _as_text(ws[1])
            ws["A1"].font = Font(bold=True)
        ws.append([str(h) for h in sheet.headers])
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append(["" if v is None else v for v in row])
            _as_text(ws[ws.max_row])
        for i, h in enumerate(sheet.headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, 2 * len(str(h)) + 4))
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    # RFC 5987 form so Chinese file names survive every browser.
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
