"""The complaint workflow (投诉与意见建议): filed, decided, replied, as a table the common engine
(`bianmin.common.workflow`) applies.

RULES.md "Supervision": the responsible unit decides a complaint within 5 working days, with the
verified outcome (属实 / 部分属实 / 不属实; only upheld ones count against the person or unit);
the reply closes it. A reply to a complaint not yet decided decides it the same day. The history
is kept in the complaint's own columns (decided on / by, replied on / by), so the machine records
no separate event.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common import workflow as engine
from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed
from bianmin.common.workflow import Transition
from bianmin.orgs.models import RoleCode
from bianmin.orgs.scope import scope_for

from .models import Complaint, ComplaintKind, ComplaintOutcome
from .models import ComplaintStatus as S

# Village agents take complaints in but do not rule on them: the township or county does.
HANDLER_ROLES = frozenset(
    {
        RoleCode.HEAD,
        RoleCode.WINDOW_STAFF,
        RoleCode.APPROVER,
        RoleCode.CHIEF_REPRESENTATIVE,
        RoleCode.SUPERVISOR,
        RoleCode.ADMINISTRATOR,
    }
)


def complaint_handler_check(*, actor, complaint: Complaint) -> None:
    """Staff of the responsible unit (or above it) handle a complaint; the person complained
    about may not. Raises PermissionDenied otherwise."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("需要登录"))
    if actor.is_superuser:
        return
    staff = getattr(actor, "staff", None)
    if staff is None or not staff.has_role(*HANDLER_ROLES):
        raise PermissionDenied(_("您的角色不能处理投诉"))
    if not scope_for(actor).can_act_for_unit(complaint.unit):
        raise PermissionDenied(_("该投诉不属于您的单位或辖区"))
    if complaint.staff_id is not None and complaint.staff_id == staff.pk:
        raise PermissionDenied(_("被投诉人不能处理针对本人的投诉"))


def _checked_outcome(complaint: Complaint, outcome: str | None) -> str:
    """A complaint's verified outcome is required (RULES.md "Supervision": it counts only once
    found true); a suggestion has none."""
    outcome = (outcome or "").strip()
    if complaint.kind != ComplaintKind.COMPLAINT:
        return ""
    if outcome not in ComplaintOutcome.values:
        raise ValidationFailed(_("请选择核查结论：属实、部分属实或不属实"), field="outcome")
    return outcome


def _required(ctx: engine.Ctx, name: str, field: str, message: str) -> str:
    value = str(ctx.params.get(name) or "").strip()
    if not value:
        raise ValidationFailed(message, field=field)
    return value


def e_decide(ctx: engine.Ctx) -> None:
    complaint = ctx.obj
    note = _required(ctx, "decision", "note", _("请填写处理意见"))
    complaint.outcome = _checked_outcome(complaint, ctx.params.get("outcome"))
    complaint.decision_note = note
    complaint.decided_on = ctx.params.get("today") or ctx.today
    complaint.decided_by = ctx.actor


def e_reply(ctx: engine.Ctx) -> None:
    complaint = ctx.obj
    reply = _required(ctx, "reply", "reply", _("请填写答复内容"))
    today = ctx.params.get("today") or ctx.today
    if not complaint.outcome:
        complaint.outcome = _checked_outcome(complaint, ctx.params.get("outcome"))
    if complaint.status == S.FILED:
        complaint.decided_on, complaint.decided_by = today, ctx.actor
        complaint.decision_note = complaint.decision_note or reply
    complaint.reply, complaint.replied_on, complaint.replied_by = reply, today, ctx.actor


T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("decide", frozenset({S.FILED}),            S.DECIDED, HANDLER_ROLES, None, e_decide),
    T("reply",  frozenset({S.FILED, S.DECIDED}), S.REPLIED, HANDLER_ROLES, None, e_reply),
)
# fmt: on

ACTION_LABELS = {"decide": gettext_lazy("处理"), "reply": gettext_lazy("答复")}


@engine.register
class ComplaintMachine(engine.Machine):
    model = Complaint
    table = TABLE
    labels = ACTION_LABELS
    states = S
    noun = gettext_lazy("投诉")
    state_field = "status"
    version_field = None  # one decision and one reply: a second is refused by the table
    related = ("unit__region",)

    def before(self, obj, actor) -> None:
        complaint_handler_check(actor=actor, complaint=obj)

    def allowed(self, row: Transition, obj, actor) -> bool:
        try:
            complaint_handler_check(actor=actor, complaint=obj)
        except PermissionDenied:
            return False
        return True

    def illegal(self, obj, action: str, state: str) -> Exception:
        if action == "reply":
            return Conflict(_("该投诉已答复"), code=ErrorCode.REPLIED)
        return Conflict(_("该投诉已处理"), code=ErrorCode.DECIDED)

    def record(self, ctx, *, action, from_state, to_state, note):
        """Nothing beyond the complaint's own columns, which the effects fill."""
