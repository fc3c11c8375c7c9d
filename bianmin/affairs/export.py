"""The cash journal (现金日记账) on paper and in Excel: the rows of the trusteeship page with the
voucher and the counterparty a paper journal carries."""

from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.common.paper import Paper, paper_for
from bianmin.common.sheets import Sheet
from bianmin.orgs.models import Region

from .selectors import JournalLine


def journal_note(line: JournalLine) -> str:
    if line.entry.reverses_id:
        return _("冲销理由") + "：" + line.entry.reason
    if line.reversed_by:
        return _("已由第 %(n)s 号冲销") % {"n": line.reversed_by}
    return ""


def journal_sheet(lines: list[JournalLine], paper: Paper) -> Sheet:
    return Sheet(
        title=_("现金日记账"),
        caption=paper.caption,
        notes=paper.notes(),
        headers=[
            _("序号"),
            _("日期"),
            _("凭证号"),
            _("摘要"),
            _("对方"),
            _("收入"),
            _("支出"),
            _("余额"),
            _("说明"),
        ],
        rows=[
            [
                line.entry.seq,
                line.entry.date,
                line.entry.voucher,
                line.entry.summary,
                line.entry.counterparty,
                line.income or "",
                line.expense or "",
                line.balance,
                journal_note(line),
            ]
            for line in lines
        ],
    )


def journal_paper(request, village: Region, lines: list[JournalLine]) -> Paper:
    if lines:
        dates = [line.entry.date for line in lines]
        period = _("%(a)s 至 %(b)s") % {
            "a": f"{min(dates):%Y-%m-%d}",
            "b": f"{max(dates):%Y-%m-%d}",
        }
    else:
        period = _("无收支")
    township = village.parent.name if village.parent else ""
    return paper_for(
        request,
        title=_("现金日记账"),
        unit=f"{township} {village.name}".strip(),
        period=period,
        signatures=(_("记账"), _("出纳"), _("审核"), _("村务监督委员会")),
        back_url=reverse("affairs:trusteeship", args=[village.code]),
        wide=True,
    )
