"""The duty roster (值班表) in Excel and on paper: one row per working day as on the roster
page, the change record under it, and the lines the head signs on the posted copy."""

from django.urls import reverse
from django.utils import dateformat
from django.utils.translation import gettext as _

from bianmin.common.paper import Paper, month_period, paper_for
from bianmin.common.sheets import Sheet

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
