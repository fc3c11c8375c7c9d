"""The monthly report's workflow (月报): a township centre's head submits it, the county receives
it. One table on the common engine (`bianmin.common.workflow`); `services` calls `transition`.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.errors import Conflict, ErrorCode
from bianmin.common.workflow import Machine, Transition, register
from bianmin.orgs.models import RoleCode
from bianmin.orgs.scope import scope_for

from .figures import monthly_figures
from .models import MonthlyReport, ReportEvent
from .models import ReportState as S


def event_write(report: MonthlyReport, action: str, actor=None, note: str = "", at=None) -> None:
    ReportEvent.objects.create(
        report=report,
        at=at or timezone.now(),
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


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


def g_month_over(ctx) -> None:
    report = ctx.obj
    month_end = (report.month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    if ctx.today < month_end:
        raise Conflict(_("月份尚未结束，不能报送"), code=ErrorCode.MONTH_NOT_OVER)


def e_submit(ctx) -> None:
    """The figures are regenerated one last time and frozen; past the due date it is late."""
    report = ctx.obj
    report.figures = monthly_figures(report.unit, report.month)
    report.generated_at = report.submitted_at = ctx.now
    report.submitted_by = ctx.actor
    report.submitted_late = ctx.today > report.due_on
    report.review_note = ctx.text("review_note")


def e_receive(ctx) -> None:
    ctx.obj.received_at, ctx.obj.received_by = ctx.now, ctx.actor


TOWNSHIP = frozenset({RoleCode.HEAD, RoleCode.ADMINISTRATOR})
JURISDICTION = frozenset({"jurisdiction"})

T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("submit",  frozenset({S.DRAFT}),     S.SUBMITTED, TOWNSHIP,     g_month_over, e_submit),
    T("receive", frozenset({S.SUBMITTED}), S.RECEIVED,  JURISDICTION, None,         e_receive),
)
# fmt: on


@register
class ReportMachine(Machine):
    model = MonthlyReport
    table = TABLE
    labels = {"submit": gettext_lazy("审核报送"), "receive": gettext_lazy("接收")}
    states = S
    noun = gettext_lazy("月报")
    version_field = None
    actor_first = True
    related = ("unit",)

    def allowed(self, row, obj, actor) -> bool:
        return can_submit(obj, actor) if row.action == "submit" else can_receive(actor)

    def denial(self, action, obj) -> str:
        if action == "submit":
            return _("只有本乡镇中心负责人可以审核报送月报")
        return _("只有县级中心或监察人员可以接收月报")

    def illegal(self, obj, action, state):
        if action == "submit":
            return Conflict(_("月报已报送"), code=ErrorCode.ALREADY_SUBMITTED)
        return Conflict(_("月报尚未报送或已接收"), code=ErrorCode.NOT_SUBMITTED)

    def record(self, ctx, *, action, from_state, to_state, note) -> None:
        event_write(ctx.obj, action, ctx.actor, note, at=ctx.now)
