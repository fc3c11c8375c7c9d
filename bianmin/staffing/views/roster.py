"""Duty roster pages: the units' months, one unit's month with edits and swaps, the gaps page,
and the public board page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.common.forms import posted_text
from bianmin.common.paper import render_paper
from bianmin.common.refusals import attempt
from bianmin.common.sheets import xlsx_response
from bianmin.orgs.models import Staff, Unit

from .. import selectors, services
from ..access import can_manage_unit
from ..export import roster_paper, roster_sheets
from ..models import DutyChange, RosterMonth
from .common import month_arg, parse_date, visible_unit


def _month_url(unit, month):
    return redirect("staffing:roster_unit", unit_id=unit.pk, month=month.strftime("%Y-%m"))


@login_required
def roster_index(request):
    month = month_arg(request)
    units = list(selectors.roster_units(viewer=request.user))
    rosters = {r.unit_id: r for r in RosterMonth.objects.filter(month=month, unit__in=units)}
    rows = [{"unit": u, "roster": rosters.get(u.pk)} for u in units]
    return render(
        request,
        "staffing/roster_index.html",
        {"month": month, "rows": rows, "month_text": month.strftime("%Y-%m")},
    )


@login_required
@require_POST
def roster_generate_all(request):
    """Generate the drafts of every unit in scope that has none yet for the month.

    Only a head or an administrator draws up rosters (`can_manage_unit`); a caller who manages no
    unit is refused with 403 before anything is read from the form, not sent back with
    "0 rosters generated" as if the action had run."""
    units = [
        u for u in selectors.roster_units(viewer=request.user) if can_manage_unit(request.user, u)
    ]
    if not units:
        raise DjangoPermissionDenied(_("只有本单位或上级单位负责人、管理员可以办理"))
    month = month_arg(request, request.POST.get("month"))
    made = 0
    for unit in units:
        if not RosterMonth.objects.filter(unit=unit, month=month).exists():
            services.roster_generate(unit=unit, month=month, actor=request.user)
            made += 1
    messages.success(request, _("已生成 %(n)s 个单位的值班表") % {"n": made})
    return redirect(f"/staffing/roster/?month={month:%Y-%m}")


@login_required
def roster_unit(request, unit_id: int, month: str):
    unit = visible_unit(request, unit_id)
    m = month_arg(request, month)
    view = selectors.roster_for_unit(unit=unit, month=m, viewer=request.user)
    staff = Staff.objects.filter(
        unit__in=[unit.pk, unit.parent_id, *unit.children.values_list("pk", flat=True)]
    ).order_by("full_name")
    return render(
        request,
        "staffing/roster_unit.html",
        {
            "unit": unit,
            "month": m,
            "view": view,
            "staff_choices": staff,
            "can_manage": can_manage_unit(request.user, unit),
        },
    )


def _roster_export(request, unit_id: int, month: str, write):
    """The roster of a unit the viewer acts for as `write(view, paper, sheets)` renders it; a
    month without a roster has nothing to export: back to its page, which says so."""
    unit = visible_unit(request, unit_id)
    m = month_arg(request, month)
    view = selectors.roster_for_unit(unit=unit, month=m, viewer=request.user)
    if view is None or view.roster is None:
        messages.error(request, _("本月尚未排班，没有可导出的值班表"))
        return _month_url(unit, m)
    paper = roster_paper(request, view)
    return write(view, paper, roster_sheets(view, paper))


@login_required
@require_GET
def roster_xlsx(request, unit_id: int, month: str):
    return _roster_export(
        request,
        unit_id,
        month,
        lambda view, _paper, sheets: xlsx_response(
            f"roster-{view.unit.code}-{view.month:%Y-%m}.xlsx", sheets
        ),
    )


@login_required
@require_GET
def roster_print(request, unit_id: int, month: str):
    return _roster_export(
        request,
        unit_id,
        month,
        lambda _view, paper, sheets: render_paper(request, paper, sheets),
    )


@login_required
@require_POST
def roster_action(request, unit_id: int, month: str, action: str):
    unit = visible_unit(request, unit_id)
    m = month_arg(request, month)
    p = request.POST
    roster = RosterMonth.objects.filter(unit=unit, month=m).first()
    pick = lambda name: Staff.objects.filter(pk=p.get(name) or 0).first()  # noqa: E731
    if action == "generate":
        attempt(
            request,
            lambda: services.roster_generate(unit=unit, month=m, actor=request.user),
            _("值班表已生成"),
        )
    elif roster is None:
        raise Http404
    elif action == "publish":
        attempt(
            request,
            lambda: services.roster_publish(roster=roster, actor=request.user),
            _("值班表已公布"),
        )
    elif action == "change":
        attempt(
            request,
            lambda: services.duty_change(
                roster=roster,
                date=parse_date(p.get("date")),
                from_staff=pick("from_staff"),
                to_staff=pick("to_staff"),
                reason=posted_text(p, "reason", model=DutyChange),
                actor=request.user,
            ),
            _("值班已调整"),
        )
    elif action == "swap":
        attempt(
            request,
            lambda: services.duty_swap(
                roster=roster,
                date_a=parse_date(p.get("date_a")),
                staff_a=pick("staff_a"),
                date_b=parse_date(p.get("date_b")),
                staff_b=pick("staff_b"),
                reason=posted_text(p, "reason", model=DutyChange),
                actor=request.user,
            ),
            _("换班已登记"),
        )
    else:
        raise Http404
    return _month_url(unit, m)


@login_required
def roster_gaps(request):
    month = month_arg(request)
    gaps = selectors.roster_gaps(viewer=request.user, month=month)
    by_unit: dict = {}
    for g in gaps:
        by_unit.setdefault(g.unit, []).append(g)
    return render(
        request,
        "staffing/roster_gaps.html",
        {"month": month, "groups": list(by_unit.items()), "total": len(gaps)},
    )


def public_roster(request, unit_code: str, month: str):
    """The roster as published on the unit's disclosure board; no login."""
    unit = get_object_or_404(Unit, code=unit_code, is_active=True)
    m = month_arg(request, month)
    view = selectors.roster_for_unit(unit=unit, month=m)
    return render(request, "staffing/public_roster.html", {"unit": unit, "month": m, "view": view})
