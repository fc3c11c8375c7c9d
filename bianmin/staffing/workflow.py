"""The leave request's workflow (请假): the unit head approves or refuses it, the applicant may
withdraw it while undecided. One table on the common engine (`bianmin.common.workflow`);
`services.attendance` calls `transition`. Return from leave (销假) is a date, not a status.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.common.workflow import Machine, Transition, register
from bianmin.orgs.models import RoleCode

from .access import is_head_for, staff_of
from .models import LeaveEvent, LeaveRequest
from .models import LeaveStatus as S


def g_reason_given(ctx) -> None:
    if not ctx.text("decision_note"):
        raise ValidationFailed(_("不予批准须写明理由"), field="note")


def e_decide(ctx) -> None:
    leave = ctx.obj
    leave.decided_by, leave.decided_at = ctx.actor, ctx.now
    leave.decision_note = ctx.text("decision_note")


HEAD = frozenset({RoleCode.HEAD})
OWN = frozenset({"self"})  # the staff member who asked for the leave (not a role)
PENDING = frozenset({S.PENDING})

T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("approve", PENDING, S.APPROVED,  HEAD,      None,           e_decide),
    T("reject",  PENDING, S.REJECTED,  HEAD,      g_reason_given, e_decide),
    T("cancel",  PENDING, S.CANCELLED, OWN),
)
# fmt: on


@register
class LeaveMachine(Machine):
    model = LeaveRequest
    table = TABLE
    labels = {
        "approve": gettext_lazy("批准"),
        "reject": gettext_lazy("不予批准"),
        "cancel": gettext_lazy("撤回"),
    }
    states = S
    noun = gettext_lazy("请假")
    state_field = "status"
    version_field = None
    actor_first = True
    related = ("staff", "unit")

    def allowed(self, row, obj, actor) -> bool:
        if row.action == "cancel":
            return staff_of(actor) == obj.staff
        # Nobody decides their own request.
        return is_head_for(actor, obj.unit) and staff_of(actor) != obj.staff

    def denial(self, action, obj) -> str:
        if action == "cancel":
            return _("只能撤回本人的请假")
        return _("只有本单位负责人可以审批请假")

    def illegal(self, obj, action, state):
        if action == "cancel":
            return Conflict(_("该请假已处理，不能撤回"))
        return Conflict(_("该请假已处理（%(s)s）") % {"s": self.state_label(state)})

    def record(self, ctx, *, action, from_state, to_state, note) -> None:
        LeaveEvent.objects.create(
            leave=ctx.obj,
            at=ctx.now,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=ctx.actor if getattr(ctx.actor, "is_authenticated", False) else None,
            note=note,
        )
