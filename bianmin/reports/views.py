"""Report pages (staff) and public statistics pages (no login); thin over selectors/services."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common import inputs
from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.common.forms import posted_text
from bianmin.common.paper import month_period, paper_for, render_paper
from bianmin.common.refusals import ANY, attempt
from bianmin.common.sheets import xlsx_response
from bianmin.orgs.models import Unit, UnitKind
from bianmin.orgs.scope import scope_for

from . import export, selectors, services, workflow
from .charts import bar_chart
from .figures import previous_month, public_figures
from .models import MonthlyReport, ReportState

PUBLIC_KINDS = (UnitKind.COUNTY_CENTRE, UnitKind.DEPARTMENT, UnitKind.TOWNSHIP_CENTRE)


def _month(request, default: dt.date | None = None) -> dt.date:
    """?month=YYYY-MM, else `default` or last month; a bad month is a message, not a 500."""
    text = request.GET.get("month", "")
    if text:
        try:
            return inputs.parse_month(text, field=_("月份"))
        except ValidationFailed as e:
            messages.error(request, e.message)
    return default or previous_month(timezone.localdate())


def _path_month(text: str) -> dt.date:
    try:
        return inputs.parse_month(text, field=_("月份"))
    except ValidationFailed as e:
        raise BadRequest(e.message) from None


@login_required
@replica_reads
def monthly_list(request):
    month = _month(request)
    state = request.GET.get("state", "")
    state = state if state in ReportState.values else ""
    scope = scope_for(request.user)
    county = None
    if scope.kind in ("all", "jurisdiction"):
        county = Unit.objects.filter(kind=UnitKind.COUNTY_CENTRE).order_by("code").first()
    return render(
        request,
        "reports/monthly_list.html",
        {
            "month": f"{month:%Y-%m}",
            "rows": [
                r
                for r in selectors.submission_status(viewer=request.user, month=month)
                if not state or r["state"] == state
            ],
            "county": county,
            "state": state,
            "states": ReportState.choices,
        },
    )


def _report_paper(request, unit: Unit, month: dt.date, title: str):
    """A monthly report on paper: the form a township centre signs and stamps before filing."""
    return paper_for(
        request,
        title=f"{month:%Y年%m月} " + title,
        unit=unit.name,
        period=month_period(month),
        signatures=(_("填报人"), _("审核人"), _("单位负责人"), _("单位（盖章）")),
        back_url=reverse("reports:monthly_detail", args=[unit.pk, f"{month:%Y-%m}"]),
        wide=True,
    )


@login_required
@replica_reads
def monthly_detail(request, unit_id: int, month: str):
    m = _path_month(month)
    view = selectors.report_view(viewer=request.user, unit_id=unit_id, month=m)
    fmt = request.GET.get("format")
    if view["kind"] == "county":
        if fmt == "xlsx":
            return xlsx_response(f"county-{month}.xlsx", export.county_sheets(view))
        chart = bar_chart(
            _("各乡镇收件与办结"),
            [r["unit"].short_name or r["unit"].name for r in view["rows"]],
            [
                (_("收件"), [r["figures"]["totals"]["received"] for r in view["rows"]], "#3b6ea5"),
                (_("办结"), [r["figures"]["totals"]["concluded"] for r in view["rows"]], "#4a9a5b"),
                (
                    _("超时办结"),
                    [r["figures"]["totals"]["overdue"] for r in view["rows"]],
                    "#c0392b",
                ),
            ],
        )
        if fmt == "print":
            paper = _report_paper(request, view["unit"], m, _("全县月报汇总"))
            return render_paper(request, paper, export.county_sheets(view), chart=chart)
        return render(request, "reports/county.html", {**view, "chart": chart})
    figures = view["figures"]
    report = view["report"]
    label = report.get_state_display() if report else ""
    if fmt == "xlsx":
        return xlsx_response(
            f"monthly-{view['unit'].code}-{month}.xlsx", export.township_sheets(figures, label)
        )
    villages = figures["by_village"]
    chart = bar_chart(
        _("各村(社区)收件、办结与代办"),
        [v["name"] for v in villages],
        [
            (_("收件"), [v["received"] for v in villages], "#3b6ea5"),
            (_("办结"), [v["concluded"] for v in villages], "#4a9a5b"),
            (_("代办收件"), [v["proxy"]["received"] for v in villages], "#d68910"),
        ],
    )
    if fmt == "print":
        title = _("月报") + (f"（{label}）" if label else _("（未生成，实时数据）"))
        paper = _report_paper(request, view["unit"], m, title)
        return render_paper(request, paper, export.township_sheets(figures, label), chart=chart)
    return render(
        request,
        "reports/monthly_detail.html",
        {
            **view,
            "month": month,
            "chart": chart,
            "can_submit": report is not None and workflow.can_submit(report, request.user),
            "can_receive": workflow.can_receive(request.user),
        },
    )


@login_required
@require_POST
def monthly_action(request, unit_id: int, month: str):
    m = _path_month(month)
    # Outside the viewer's scope there is no report page to go back to: 403 (or 404), as for
    # reading it, and nothing is written.
    unit = selectors.unit_for_report(viewer=request.user, unit_id=unit_id)
    # Any refusal of the action, of access too, is a message on the report's page.
    attempt(request, lambda: _monthly_do(request, unit, m, request.POST.get("action")), errors=ANY)
    return redirect("reports:monthly_detail", unit_id=unit_id, month=month)


def _monthly_do(request, unit, m, action: str | None) -> None:
    if action == "generate":
        services.report_generate(unit=unit, month=m, actor=request.user)
        messages.success(request, _("已按办件数据生成月报"))
    else:
        report = MonthlyReport.objects.filter(unit=unit, month=m).first()
        if report is None:
            raise DomainError(_("请先生成月报"))
        if action == "submit":
            services.report_submit(
                report=report,
                actor=request.user,
                note=posted_text(
                    request.POST,
                    "note",
                    max_length=inputs.LONG_TEXT_MAX,
                    label=_("说明"),
                    multiline=True,
                ),
            )
            messages.success(request, _("月报已报送县级中心"))
        elif action == "receive":
            services.report_receive(report=report, actor=request.user)
            messages.success(request, _("月报已接收"))
        else:
            raise DomainError(_("未知操作"))


def _last_months(n: int = 12) -> list[dt.date]:
    m = timezone.localdate().replace(day=1)
    out = []
    for _i in range(n):
        out.append(m)
        m = previous_month(m)
    return list(reversed(out))


@replica_reads
def public_stats(request, unit_id: int | None = None):
    """Public statistics (no login): volume, on-time rate, satisfaction month by month and the
    average working days per item, for the county or one unit."""
    unit = None
    if unit_id is not None:
        unit = Unit.objects.filter(pk=unit_id, kind__in=PUBLIC_KINDS, is_active=True).first()
        if unit is None:
            raise Http404
    figures = public_figures(unit, _last_months(12))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"public-{unit_id or 'county'}.xlsx", export.public_sheets(figures))
    months = figures["months"]
    chart = bar_chart(
        _("逐月收件与办结"),
        [m["month"][2:] for m in months],
        [
            (_("收件"), [m["received"] for m in months], "#3b6ea5"),
            (_("办结"), [m["concluded"] for m in months], "#4a9a5b"),
        ],
    )
    units = Unit.objects.filter(kind__in=PUBLIC_KINDS, is_active=True).order_by(
        "region__code", "kind"
    )
    return render(
        request,
        "reports/public.html",
        {"figures": figures, "unit": unit, "chart": chart, "units": units},
    )
