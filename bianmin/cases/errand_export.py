"""Errand money (代办员经手款项) in Excel and on paper: the per-agent totals of the errand page
and the entries behind them, the register an agent and the township keep of money handled for
people. Identity numbers are masked: the file is passed around."""

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.common.paper import Paper, month_period, paper_for
from bianmin.common.sheets import Sheet
from bianmin.common.validators import mask_id_number
from bianmin.orgs.scope import scope_for

from .errand_selectors import AgentMoney
from .models import ErrandMoney


def money_paper(request, month: dt.date) -> Paper:
    staff = getattr(request.user, "staff", None)
    unit = staff.unit.name if staff is not None and staff.unit_id else ""
    return paper_for(
        request,
        title=_("代办员经手款项登记表"),
        unit=unit,
        period=month_period(month),
        signatures=(_("代办员"), _("审核人")),
        back_url=reverse("cases:errand_list") + f"?month={month:%Y-%m}",
        wide=True,
    )


def money_sheets(totals: list[AgentMoney], entries: list[ErrandMoney], paper: Paper) -> list[Sheet]:
    return [
        Sheet(
            title=_("按代办员汇总"),
            caption=paper.caption,
            notes=paper.notes(),
            headers=[
                _("代办员"),
                _("单位"),
                _("笔数"),
                _("收款(元)"),
                _("付款(元)"),
                _("在手(元)"),
            ],
            rows=[[r.agent, r.unit, r.entries, r.money_in, r.money_out, r.held] for r in totals],
        ),
        Sheet(
            title=_("收付明细"),
            caption=paper.caption,
            notes=paper.notes(),
            headers=[
                _("日期"),
                _("编号"),
                _("类别"),
                _("服务对象"),
                _("居民身份证号"),
                _("收付"),
                _("金额(元)"),
                _("对方"),
                _("票据号"),
                _("代办员"),
                _("说明"),
            ],
            rows=[
                [
                    m.recorded_on,
                    m.case.number,
                    m.case.get_errand_kind_display(),
                    m.case.applicant_name,
                    mask_id_number(m.case.id_number),
                    m.get_direction_display(),
                    m.amount,
                    m.party,
                    m.receipt_number,
                    m.case.agent.full_name if m.case.agent_id else "",
                    m.note,
                ]
                for m in entries
            ],
        ),
    ]


def may_export_money(user) -> bool:
    """Staff with a place in the region tree or a department keep errand money; a citizen's
    account has no scope and no errands."""
    return not scope_for(user).is_empty
