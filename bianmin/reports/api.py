"""Reports API: a township's monthly report (or the county roll-up) as JSON or .xlsx, scoped."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from bianmin.api.auth import staff_auth
from bianmin.common.errors import NotFound, ValidationFailed
from bianmin.common.sheets import xlsx_response

from . import export, selectors, services
from .figures import parse_month
from .models import MonthlyReport

router = Router(tags=["reports"], auth=staff_auth)


def _month(month: str):
    m = parse_month(month)
    if m is None:
        raise ValidationFailed(_("月份格式应为 YYYY-MM"), field="month")
    return m


def _report_meta(r: MonthlyReport | None) -> dict | None:
    if r is None:
        return None
    return {
        "id": r.pk,
        "state": r.state,
        "due_on": str(r.due_on),
        "generated_at": r.generated_at.isoformat(),
        "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
        "submitted_late": r.submitted_late,
        "late_flagged_on": str(r.late_flagged_on) if r.late_flagged_on else None,
        "received_at": r.received_at.isoformat() if r.received_at else None,
    }


@router.get(
    "/monthly",
    summary="Monthly report of a township centre (or the county roll-up for the county centre); "
    "format=xlsx for Excel",
)
def monthly(request, unit: int, month: str, format: str = "json"):
    m = _month(month)
    view = selectors.report_view(viewer=request.auth, unit_id=unit, month=m)
    if view["kind"] == "county":
        if format == "xlsx":
            return xlsx_response(f"county-{month}.xlsx", export.county_sheets(view))
        return {
            "kind": "county",
            "month": view["month"],
            "totals": view["totals"],
            "proxy_totals": view["proxy_totals"],
            # County-level cases, outside every township; in the totals.
            "county_own": view["county_own"]
            and {k: view["county_own"][k] for k in ("totals", "proxy_totals")},
            "townships": [
                {
                    "unit_id": r["unit"].pk,
                    "unit": r["unit"].name,
                    "state": r["state"],
                    "late": r["late"],
                    "totals": r["figures"]["totals"],
                    "proxy_totals": r["figures"]["proxy_totals"],
                }
                for r in view["rows"]
            ],
        }
    if format == "xlsx":
        report = view["report"]
        return xlsx_response(
            f"monthly-{view['unit'].code}-{month}.xlsx",
            export.township_sheets(view["figures"], report.get_state_display() if report else ""),
        )
    return {"kind": "township", "report": _report_meta(view["report"]), **view["figures"]}


class StatusOut(Schema):
    unit_id: int
    unit: str
    state: str | None
    due_on: str | None
    submitted_at: str | None
    late: bool


@router.get(
    "/monthly/status", response=list[StatusOut], summary="Submission status of every township"
)
def monthly_status(request, month: str):
    rows = selectors.submission_status(viewer=request.auth, month=_month(month))
    return [
        {
            "unit_id": r["unit"].pk,
            "unit": r["unit"].name,
            "state": r["state"],
            "due_on": str(r["report"].due_on) if r["report"] else None,
            "submitted_at": r["report"].submitted_at.isoformat()
            if r["report"] and r["report"].submitted_at
            else None,
            "late": r["late"],
        }
        for r in rows
    ]


class ActionIn(Schema):
    unit: int
    month: str
    action: str  # generate | submit | receive
    note: str = ""


@router.post("/monthly/actions", summary="Generate, submit (township head) or receive (county)")
def monthly_action(request, payload: ActionIn) -> HttpResponse | dict:
    m = _month(payload.month)
    unit = selectors.unit_for_report(viewer=request.auth, unit_id=payload.unit)
    if payload.action == "generate":
        report = services.report_generate(unit=unit, month=m, actor=request.auth)
    else:
        report = MonthlyReport.objects.filter(unit=unit, month=m).first()
        if report is None:
            raise NotFound(_("请先生成月报"))
        if payload.action == "submit":
            report = services.report_submit(report=report, actor=request.auth, note=payload.note)
        elif payload.action == "receive":
            report = services.report_receive(report=report, actor=request.auth)
        else:
            raise ValidationFailed(_("未知操作"), field="action")
    return {"report": _report_meta(report), **report.figures}
