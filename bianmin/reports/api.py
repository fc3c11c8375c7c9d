"""Reports API: a township's monthly report (or the county roll-up) as JSON or .xlsx, scoped."""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from bianmin.api.auth import staff_auth
from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import NotFound
from bianmin.common.schemas import NOTE, STAFF_ERRORS, Id, LongText, Month, choice
from bianmin.common.sheets import xlsx_response

from . import export, selectors, services
from .models import MonthlyReport

router = Router(tags=["reports"], auth=staff_auth)


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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/monthly",
    response={200: dict, **STAFF_ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "OK",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    XLSX: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
    summary="Monthly report of a township centre (or the county roll-up for the county centre); "
    "format=xlsx for Excel",
)
@replica_reads
def monthly(request, unit: Id, month: Month, format: choice(["json", "xlsx"]) = "json"):
    m = month
    month_text = m.strftime("%Y-%m")
    view = selectors.report_view(viewer=request.auth, unit_id=unit, month=m)
    if view["kind"] == "county":
        if format == "xlsx":
            return xlsx_response(f"county-{month_text}.xlsx", export.county_sheets(view))
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
            f"monthly-{view['unit'].code}-{month_text}.xlsx",
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
    "/monthly/status",
    response={200: list[StatusOut], **STAFF_ERRORS},
    summary="Submission status of every township",
)
@replica_reads
def monthly_status(request, month: Month):
    rows = selectors.submission_status(viewer=request.auth, month=month)
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


class ReportActionIn(Schema):
    unit: Id
    month: Month
    action: choice(["generate", "submit", "receive"])
    note: LongText[NOTE] = ""


@router.post(
    "/monthly/actions",
    response={200: dict, **STAFF_ERRORS},
    summary="Generate, submit (township head) or receive (county)",
)
def monthly_action(request, payload: ReportActionIn) -> HttpResponse | dict:
    m = payload.month
    unit = selectors.unit_for_report(viewer=request.auth, unit_id=payload.unit)
    if payload.action == "generate":
        report = services.report_generate(unit=unit, month=m, actor=request.auth)
    else:
        report = MonthlyReport.objects.filter(unit=unit, month=m).first()
        if report is None:
            raise NotFound(_("请先生成月报"))
        if payload.action == "submit":
            report = services.report_submit(report=report, actor=request.auth, note=payload.note)
        else:
            report = services.report_receive(report=report, actor=request.auth)
    return {"report": _report_meta(report), **report.figures}
