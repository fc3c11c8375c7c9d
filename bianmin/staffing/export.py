"""Staffing workbooks through the shared writer (`bianmin.common.sheets`): the duty roster (值班表)
in Excel and on paper (one row per working day as on the roster page, the change record under it,
the lines the head signs on the posted copy), the monthly attendance sheet and the subsidy sheet."""

from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _

from bianmin.common.paper import Paper, month_period, paper_for
from bianmin.common.sheets import Sheet

from .models import Grade, SubsidyPlan
from .selectors.attendance import Sheet as AttendanceSheet
from .selectors.roster import RosterView


def roster_paper(request, view: RosterView) -> Paper:
    title = _("值班表") if view.published else _("值班表（草稿，未公布）")
    return paper_for(
        request,
        title=f"{view.month:%Y年%m月}" + title,
        unit=view.unit.name,
        period=month_period(view.month),
        signatures=(_("制表人"), _("负责人")),
        back_url=reverse("staffing:roster_unit", args=[view.unit.pk, f"{view.month:%Y-%m}"]),
    )


def roster_sheets(view: RosterView, paper: Paper) -> list[Sheet]:
    sheets = [
        Sheet(
            title=_("值班表"),
            caption=paper.caption,
            notes=paper.notes(),
            headers=[_("日期"), _("星期"), _("值班人员")],
            rows=[
                [
                    d.date,
                    dateformat.format(d.date, "l"),
                    "、".join(d.names) if d.names else _("无人值班"),
                ]
                for d in view.days
            ],
        )
    ]
    if view.changes:
        sheets.append(
            Sheet(
                title=_("变更记录"),
                caption=paper.caption,
                notes=paper.notes(),
                headers=[
                    _("时间"),
                    _("类型"),
                    _("日期"),
                    _("原"),
                    _("现"),
                    _("原因"),
                    _("经办"),
                ],
                rows=[
                    [
                        c.at,
                        c.get_kind_display(),
                        f"{c.date:%Y-%m-%d}"
                        + (f" ⇄ {c.other_date:%Y-%m-%d}" if c.other_date else ""),
                        c.from_staff.full_name if c.from_staff else "—",
                        c.to_staff.full_name if c.to_staff else "—",
                        c.reason,
                        getattr(getattr(c.by, "staff", None), "full_name", "") or c.by.username,
                    ]
                    for c in view.changes
                ],
            )
        )
    return sheets


def attendance_sheets(sheet: AttendanceSheet) -> list[Sheet]:
    """The attendance sheet: one row per person, a mark per working day, totals at the right."""
    return [
        Sheet(
            title=f"{sheet.month:%Y-%m}",
            caption=f"{sheet.unit.name} {sheet.month:%Y年%m月} " + _("考勤表"),
            notes=[_("说明：√ 出勤，假 请假，× 缺勤；仅列工作日")],
            headers=[_("姓名"), *[f"{d.day}" for d in sheet.days], _("出勤"), _("请假"), _("缺勤")],
            rows=[
                [row.staff.full_name, *row.marks, row.present, row.leave, row.absent]
                for row in sheet.rows
            ],
        )
    ]


def subsidy_sheets(plan: SubsidyPlan) -> list[Sheet]:
    """The finance sheet: one row per agent, a total row equal to the budget."""
    lines = list(
        plan.lines.select_related("staff__unit").order_by("staff__unit__region__code", "staff__pk")
    )
    rows: list[list] = [
        [
            i,
            line.staff.full_name,
            line.staff.unit.name if line.staff.unit else "",
            str(Grade(line.grade).label),
            line.cases,
            float(line.points),
            line.amount,
        ]
        for i, line in enumerate(lines, 1)
    ]
    rows.append(
        ["", _("合计"), "", "", sum(x.cases for x in lines), "", sum(x.amount for x in lines)]
    )
    return [
        Sheet(
            title=str(plan.year),
            caption=f"{plan.region.name} {plan.year}" + _("年度村级代办员补助发放表"),
            headers=[
                _("序号"),
                _("姓名"),
                _("代办点"),
                _("考核等次"),
                _("办件数"),
                _("分值"),
                _("金额(元)"),
            ],
            rows=rows,
            formats=[None] * 6 + ["#,##0.00"],
        )
    ]
