"""Assessment pages: run for a period, the list, a detail page with the cases behind the
figures and the head's adjustment; subsidy plans with the finance export."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bianmin.common.errors import ValidationFailed
from bianmin.common.forms import posted_text
from bianmin.common.inputs import EARLIEST_DATE, LONG_TEXT_MAX, bounded_int
from bianmin.common.paging import paginate
from bianmin.common.refusals import attempt
from bianmin.common.sheets import xlsx_response
from bianmin.orgs.models import Region
from bianmin.orgs.scope import scope_for

from .. import selectors, services
from ..access import may_allocate_subsidy, may_assess
from ..export import subsidy_sheets
from ..services.assessment import COMPONENTS
from .common import parse_date

LABELS = {
    "cases": gettext_lazy("办件量"),
    "on_time": gettext_lazy("按时办结率"),
    "notice": gettext_lazy("一次性告知"),
    "rating": gettext_lazy("好差评"),
    "complaints": gettext_lazy("投诉"),
    "attendance": gettext_lazy("出勤"),
}


@login_required
def index(request):
    try:
        start = parse_date(request.GET.get("start"), _("起始日期"))
        end = parse_date(request.GET.get("end"), _("截止日期"))
    except ValidationFailed as e:
        messages.error(request, e.message)
        start = end = None
    page = paginate(request, selectors.assessment_list(viewer=request.user, start=start, end=end))
    return render(
        request,
        "staffing/assessment_index.html",
        {
            "rows": page,
            "page": page,
            "may_assess": may_assess(request.user),
            "start": start,
            "end": end,
        },
    )


@login_required
@require_POST
def run_period(request):
    try:
        start = parse_date(request.POST.get("start"), _("起始日期"))
        end = parse_date(request.POST.get("end"), _("截止日期"))
    except ValidationFailed as e:
        messages.error(request, e.message)
        return redirect(request.path.rsplit("run/", 1)[0])
    attempt(
        request,
        lambda: services.assessment_run(actor=request.user, start=start, end=end),
        _("考核已计算"),
    )
    q = f"?start={start}&end={end}" if start and end else ""
    return redirect(f"{request.path.rsplit('run/', 1)[0]}{q}")


@login_required
def detail(request, pk: int):
    a = selectors.assessment_get(viewer=request.user, pk=pk)
    parts = [
        {
            "code": k,
            "label": LABELS[k],
            "weight": a.scheme["weights"].get(k, 0),
            "value": a.components[k],
        }
        for k in COMPONENTS
    ]
    return render(
        request,
        "staffing/assessment_detail.html",
        {"a": a, "m": a.metrics, "parts": parts, "facts": selectors.assessment_cases(assessment=a)},
    )


@login_required
@require_POST
def adjust(request, pk: int):
    a = selectors.assessment_get(viewer=request.user, pk=pk)
    attempt(
        request,
        lambda: services.assessment_adjust(
            assessment=a,
            points=request.POST.get("points", ""),
            reason=posted_text(
                request.POST,
                "reason",
                max_length=LONG_TEXT_MAX,
                label=_("调整理由"),
                multiline=True,
            ),
            actor=request.user,
        ),
        _("已调整得分"),
    )
    return redirect("staffing:assessment_detail", pk=pk)


@login_required
def subsidies(request):
    plans = selectors.subsidy_plans(viewer=request.user)
    counties = []
    if may_allocate_subsidy(request.user):
        scope = scope_for(request.user)
        counties = [
            c
            for c in Region.objects.filter(scope.region_q(), level="county").order_by("code")
            if may_allocate_subsidy(request.user, c)
        ]
    return render(request, "staffing/subsidies.html", {"plans": plans, "counties": counties})


@login_required
@require_POST
def subsidy_new(request):
    p = request.POST
    county = Region.objects.filter(code=p.get("county", ""), level="county").first()
    if county is None:
        messages.error(request, _("请选择要分配补助的县(区)"))
        return redirect("staffing:subsidies")
    try:
        year = bounded_int(p.get("year", ""), field=_("年份"), lo=EARLIEST_DATE.year, hi=9999)
    except ValidationFailed:
        year = 0  # the service names the missing year
    attempt(
        request,
        lambda: services.subsidy_allocate(
            actor=request.user, county=county, year=year, budget=p.get("budget") or None
        ),
        _("补助已分配"),
    )
    return redirect("staffing:subsidies")


@login_required
def subsidy(request, pk: int):
    plan = selectors.subsidy_get(viewer=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            f"subsidy-{plan.region.code[:6]}-{plan.year}.xlsx", subsidy_sheets(plan)
        )
    lines = plan.lines.select_related("staff__unit", "assessment").order_by(
        "staff__unit__region__code"
    )
    return render(request, "staffing/subsidy.html", {"plan": plan, "lines": lines})
