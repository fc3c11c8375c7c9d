"""The head of a ledger or report on paper: which unit, which period, who printed or exported it
and when, and the signature lines of the paper form. The print view (common/print_base.html)
and the Excel title lines are made from the same `Paper`, so the two say the same."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from .sheets import Sheet, safe_cell


def person_name(user) -> str:
    staff = getattr(user, "staff", None)
    return getattr(staff, "full_name", "") or getattr(user, "username", "")


@dataclass(frozen=True)
class Paper:
    title: str
    unit: str
    period: str
    printed_by: str
    printed_at: dt.datetime
    signatures: Sequence[str] = field(default_factory=tuple)
    back_url: str = ""
    # Wide tables print on landscape A4.
    wide: bool = False

    @property
    def caption(self) -> str:
        return f"{self.unit} {self.title}"

    def notes(self) -> list[str]:
        """The lines under an export's title row."""
        return [
            _("单位") + "：" + self.unit,
            _("期间") + "：" + self.period,
            _("导出人")
            + "："
            + self.printed_by
            + "　"
            + _("导出时间")
            + "："
            + timezone.localtime(self.printed_at).strftime("%Y-%m-%d %H:%M"),
        ]


def paper_for(
    request,
    *,
    title: str,
    unit: str,
    period: str,
    signatures: Sequence[str] = (),
    back_url: str = "",
    wide: bool = False,
) -> Paper:
    return Paper(
        title=title,
        unit=unit,
        period=period,
        printed_by=person_name(request.user),
        printed_at=timezone.now(),
        signatures=tuple(signatures),
        back_url=back_url,
        wide=wide,
    )


@dataclass(frozen=True)
class PrintTable:
    title: str
    headers: list[str]
    rows: list[list[tuple[object, bool]]]


def _print_value(value):
    if value is None:  # a rate without a base, shown as on the pages
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return f"{value:%Y-%m-%d}"
    return safe_cell(value)


def print_tables(sheets: Sequence[Sheet]) -> list[PrintTable]:
    """The sheets of an export as the tables of its print view: the same rows, the same columns,
    numbers marked so they align right."""
    return [
        PrintTable(
            title=str(s.title),
            headers=[str(h) for h in s.headers],
            rows=[
                [(_print_value(v), isinstance(v, int | float | Decimal)) for v in row]
                for row in s.rows
            ],
        )
        for s in sheets
    ]


def render_paper(request, paper: Paper, sheets: Sequence[Sheet], **extra):
    """The print view of an export's sheets under the paper's head (common/print_base.html);
    `extra` may add a `chart`."""
    return render(
        request, "common/print.html", {"paper": paper, "tables": print_tables(sheets), **extra}
    )


def month_period(month: dt.date) -> str:
    """A calendar month as a period: 2026-01-01 至 2026-01-31."""
    first = month.replace(day=1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return _("%(a)s 至 %(b)s") % {"a": f"{first:%Y-%m-%d}", "b": f"{last:%Y-%m-%d}"}
