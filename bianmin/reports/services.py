"""Writes for monthly reports (月报): generate, submit, receive, remind and flag late."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed
from bianmin.orgs.models import RoleCode, Unit, UnitKind
from bianmin.orgs.scope import scope_for
from bianmin.workdays import calendar

from .figures import monthly_figures, previous_month
from .models import MonthlyReport, ReportEvent, ReportState

log = logging.getLogger("bianmin.reports")


def due_day() -> int:
    """Day of the next month the report is due at the county (setting, default the 5th)."""
    return int(getattr(settings, "BIANMIN_REPORT_DUE_DAY", 5))


def remind_days() -> int:
    """Calendar days before the due date the reminder goes out (setting, default 3)."""
    return int(getattr(settings, "BIANMIN_REPORT_REMIND_DAYS", 3))


def due_on(month: dt.date) -> dt.date:
    nxt = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt.replace(day=due_day())


def _event(report, action: str, actor=None, note: str = "") -> None:
    ReportEvent.objects.create(
        report=report,
        at=timezone.now(),
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


def _check_unit(unit: Unit) -> None:
    if unit.kind != UnitKind.TOWNSHIP_CENTRE:
        raise ValidationFailed(_("月报由乡镇(街道)便民服务中心报送"), field="unit")


@transaction.atomic
def report_generate(*, unit: Unit, month: dt.date, actor=None) -> MonthlyReport:
    """Create or refresh a township centre's report from the case data (never typed in).

    A submitted report is frozen: its figures are what the township signed off.
    """
    _check_unit(unit)
    month = month.replace(day=1)
    if month > timezone.localdate().replace(day=1):
        raise ValidationFailed(_("不能生成未来月份的月报"), field="month")
    now = timezone.now()
    report, created = MonthlyReport.objects.select_for_update(of=("self",)).get_or_create(
        unit=unit,
        month=month,
        defaults={"figures": {}, "generated_at": now, "due_on": due_on(month)},
    )
    if report.state != ReportState.DRAFT:
        return report
    report.figures = monthly_figures(unit, month)
    report.generated_at = now
    report.save()
    _event(report, "generate" if created else "refresh", actor)
    return report


def can_submit(report: MonthlyReport, actor) -> bool:
    staff = getattr(actor, "staff", None)
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    return (
        staff is not None
        and staff.has_role(RoleCode.HEAD, RoleCode.ADMINISTRATOR)
        and scope_for(actor).kind == "township"
        and scope_for(actor).can_act_for_unit(report.unit)
    )


def can_receive(actor) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    return actor.is_superuser or scope_for(actor).kind == "jurisdiction"


@transaction.atomic
def report_submit(*, report: MonthlyReport, actor, note: str = "") -> MonthlyReport:
    """The township's head reviews and submits the report to the county: the figures are
    regenerated one last time and frozen; past the due date (the 5th) it is marked late."""
    report = MonthlyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if not can_submit(report, actor):
        raise PermissionDenied(_("只有本乡镇中心负责人可以审核报送月报"))
    if report.state != ReportState.DRAFT:
        raise Conflict(_("月报已报送"), code=ErrorCode.ALREADY_SUBMITTED)
    month_end = (report.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    today = timezone.localdate()
    if today < month_end:
        raise Conflict(_("月份尚未结束，不能报送"), code=ErrorCode.MONTH_NOT_OVER)
    report.figures = monthly_figures(report.unit, report.month)
    report.generated_at = timezone.now()
    report.state = ReportState.SUBMITTED
    report.submitted_at = timezone.now()
    report.submitted_by = actor
    report.submitted_late = today > report.due_on
    report.review_note = (note or "").strip()
    report.save()
    _event(report, "submit", actor, note)
    return report


@transaction.atomic
def report_receive(*, report: MonthlyReport, actor) -> MonthlyReport:
    """The county centre acknowledges a submitted report."""
    report = MonthlyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
    if not can_receive(actor):
        raise PermissionDenied(_("只有县级中心或监察人员可以接收月报"))
    if report.state != ReportState.SUBMITTED:
        raise Conflict(_("月报尚未报送或已接收"), code=ErrorCode.NOT_SUBMITTED)
    report.state = ReportState.RECEIVED
    report.received_at, report.received_by = timezone.now(), actor
    report.save()
    _event(report, "receive", actor)
    return report


def _text_args(report: MonthlyReport, note: str) -> dict:
    return {"u": report.unit.name, "m": f"{report.month:%Y-%m}", "n": note}


def _notify(report: MonthlyReport, text: str) -> None:
    """Push a reminder or late flag to the people who prepare and sign the report: the township
    centre's administrators (its owners) and heads (who submit it), through the supervision
    notifications. Called only where the report's `reminded_on` / `late_flagged_on` is first set,
    so each report is notified once per reminder and once per late flag."""
    from bianmin.supervision.services.notify import notify, users_with_roles

    link = reverse("reports:monthly_detail", args=[report.unit_id, f"{report.month:%Y-%m}"])
    users = users_with_roles([report.unit], RoleCode.ADMINISTRATOR, RoleCode.HEAD)
    notify(users=users, text=text, link=link)


def report_reminders(*, today: dt.date | None = None) -> dict:
    """Daily: make sure last month's drafts exist, remind townships before the due date and flag
    the ones not submitted after it. Each report is reminded once and flagged once; reminders go
    out only on working days. Both are also pushed as supervision notifications to the township
    centre's administrators and heads. Called by the supervision sweep or
    `bianmin report-reminders`.
    """
    today = today or timezone.localdate()
    month = previous_month(today)
    due = due_on(month)
    generated, reminded, late = 0, [], []
    workday, _prov = calendar.is_workday(today)
    for unit in Unit.objects.filter(kind=UnitKind.TOWNSHIP_CENTRE, is_active=True).order_by("code"):
        existed = MonthlyReport.objects.filter(unit=unit, month=month).exists()
        report = report_generate(unit=unit, month=month)
        generated += 0 if existed else 1
        if report.state != ReportState.DRAFT:
            continue
        with transaction.atomic():
            report = MonthlyReport.objects.select_for_update(of=("self",)).get(pk=report.pk)
            if today > due and report.late_flagged_on is None:
                report.late_flagged_on = today
                report.save(update_fields=["late_flagged_on", "updated_at"])
                note = _("逾期未报送（期限 %(d)s）") % {"d": due}
                _event(report, "late", note=note)
                _notify(report, _("【月报逾期】%(u)s %(m)s 月报%(n)s") % _text_args(report, note))
                late.append(unit.code)
                log.warning("monthly report %s %s late", unit.code, month)
            elif (
                workday
                and due - dt.timedelta(days=remind_days()) <= today <= due
                and report.reminded_on is None
            ):
                report.reminded_on = today
                report.save(update_fields=["reminded_on", "updated_at"])
                note = _("请于 %(d)s 前报送月报") % {"d": due}
                _event(report, "remind", note=note)
                _notify(report, _("【月报提醒】%(u)s %(m)s 月报：%(n)s") % _text_args(report, note))
                reminded.append(unit.code)
    return {
        "month": f"{month:%Y-%m}",
        "due_on": str(due),
        "generated": generated,
        "reminded": reminded,
        "late": late,
    }
