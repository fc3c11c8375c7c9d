"""Reads of monthly reports, through the viewer's scope."""

import datetime as dt

from django.utils.translation import gettext as _

from bianmin.common.errors import NotFound, PermissionDenied
from bianmin.orgs.models import Unit, UnitKind
from bianmin.orgs.scope import scope_for

from .figures import (
    COUNT_KEYS,
    PROXY_KEYS,
    _rate,
    monthly_figures,
    region_own_totals,
    township_totals,
)
from .models import MonthlyReport, ReportState


def unit_for_report(*, viewer, unit_id) -> Unit:
    """The unit named by a report request, if the viewer may read its reports (403 otherwise)."""
    unit = Unit.objects.select_related("region").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound(_("未找到该单位"))
    scope = scope_for(viewer)
    if unit.kind == UnitKind.COUNTY_CENTRE:
        if scope.kind not in ("all", "jurisdiction"):
            raise PermissionDenied(_("只有县级中心和监察人员可以查看全县汇总"))
        return unit
    if not (scope.kind in ("all", "jurisdiction", "township") and scope.can_act_for_unit(unit)):
        raise PermissionDenied(_("无权查看该单位的月报"))
    if unit.kind != UnitKind.TOWNSHIP_CENTRE:
        raise NotFound(_("月报按乡镇(街道)便民服务中心编制"))
    return unit


def report_view(*, viewer, unit_id, month: dt.date) -> dict:
    """What a report page shows: the stored report (frozen once submitted) or, when none exists
    yet, the live figures. For the county centre: the county roll-up."""
    unit = unit_for_report(viewer=viewer, unit_id=unit_id)
    if unit.kind == UnitKind.COUNTY_CENTRE:
        return county_rollup(viewer=viewer, month=month, county_unit=unit)
    report = MonthlyReport.objects.filter(unit=unit, month=month).first()
    figures = report.figures if report and report.figures else monthly_figures(unit, month)
    return {
        "kind": "township",
        "unit": unit,
        "report": report,
        "state": report.state if report else None,
        "figures": figures,
    }


def townships_for(viewer):
    scope = scope_for(viewer)
    qs = Unit.objects.filter(kind=UnitKind.TOWNSHIP_CENTRE, is_active=True).select_related("region")
    return [u for u in qs.order_by("region__code") if scope.can_act_for_unit(u)]


def submission_status(*, viewer, month: dt.date) -> list[dict]:
    """Every township centre the viewer may see, with its report's state for `month`."""
    units = townships_for(viewer)
    reports = {r.unit_id: r for r in MonthlyReport.objects.filter(month=month, unit__in=units)}
    out = []
    for u in units:
        r = reports.get(u.pk)
        out.append(
            {
                "unit": u,
                "report": r,
                "state": r.state if r else None,
                "late": bool(r and (r.submitted_late or r.late_flagged_on)),
            }
        )
    return out


def county_rollup(*, viewer, month: dt.date, county_unit=None) -> dict:
    """The county's roll-up of its townships' reports: submitted figures where submitted, the
    live figures otherwise (marked `live`), and the sum.

    The live totals of every unsubmitted township come from one grouped query
    (`figures.township_totals`), so the roll-up's query count does not grow with the townships;
    they are the same counts `monthly_figures` gives each township's own report.
    """
    statuses = submission_status(viewer=viewer, month=month)
    county_unit = county_unit or (
        Unit.objects.filter(kind=UnitKind.COUNTY_CENTRE, is_active=True)
        .select_related("region")
        .order_by("code")
        .first()
    )
    live_units = [
        s["unit"] for s in statuses if s["report"] is None or s["report"].state == ReportState.DRAFT
    ]
    live = township_totals(live_units, month)
    rows = []
    totals = dict.fromkeys(COUNT_KEYS, 0)
    proxy = dict.fromkeys(PROXY_KEYS, 0)
    for status in statuses:
        unit = status["unit"]
        if unit.pk in live:
            figures = {
                "unit_id": unit.pk,
                "unit": unit.name,
                "month": f"{month:%Y-%m}",
                "live": True,
                **live[unit.pk],
            }
        else:
            figures = status["report"].figures
        rows.append({**status, "figures": figures})
        for k in COUNT_KEYS:
            totals[k] += figures["totals"][k]
        for k in PROXY_KEYS:
            proxy[k] += figures["proxy_totals"][k]
    # Cases of the county itself (county windows and departments, outside any township) are
    # counted in their own row: 全县合计 is then the whole county.
    county_own = None
    if county_unit is not None:
        county_own = {
            "name": _("县本级"),
            "live": True,
            **region_own_totals(county_unit.region, [s["unit"].region for s in statuses], month),
        }
        for k in COUNT_KEYS:
            totals[k] += county_own["totals"][k]
        for k in PROXY_KEYS:
            proxy[k] += county_own["proxy_totals"][k]
    return {
        "kind": "county",
        "unit": county_unit,
        "county_own": county_own,
        "month": f"{month:%Y-%m}",
        "rows": rows,
        "totals": {**totals, "on_time_rate": _rate(totals["on_time"], totals["concluded"])},
        "proxy_totals": {**proxy, "on_time_rate": _rate(proxy["on_time"], proxy["concluded"])},
    }
