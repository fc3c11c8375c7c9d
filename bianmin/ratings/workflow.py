"""The rectification flow (差评整改): its table of transitions, its guards and effects, and the
machine that lets the common engine (`bianmin.common.workflow`) apply it.

RULES.md "Ratings": every bad rating (2 or 1) is called back within 1 working day (every named bad
rating, 100%); the unit then records one of three outcomes: fix at once, fix by a deadline (default
15 working days, setting BIANMIN_RECTIFY_WORKDAYS), or explain because the complaint has no basis.
The applicant may give one follow-up rating. An appeal asks the supervisor to remove a mistaken or
malicious rating; the supervisor decides with reasons. Dates are on the working-day calendar and
every change appends a `RectificationEvent`. The services are in `rectification.py`.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common import workflow as engine
from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed
from bianmin.common.workflow import PREVIOUS, SYSTEM, Transition
from bianmin.orgs.models import RoleCode as R
from bianmin.orgs.scope import scope_for
from bianmin.workdays import calendar

from .models import AppealReason, Outcome, Rectification, RectificationEvent
from .models import RectState as S

UNIT_STAFF = frozenset(
    {R.AGENT, R.WINDOW_STAFF, R.CHIEF_REPRESENTATIVE, R.APPROVER, R.HEAD, R.ADMINISTRATOR}
)
SUPERVISORS = frozenset({R.SUPERVISOR, R.ADMINISTRATOR})
AFTER_CALLBACK = frozenset({S.VERIFIED, S.RECTIFYING, S.RECTIFIED, S.EXPLAINED})


def rectify_workdays() -> int:
    """Default working days for a fix by deadline (setting BIANMIN_RECTIFY_WORKDAYS, default 15)."""
    return int(getattr(settings, "BIANMIN_RECTIFY_WORKDAYS", 15))


def follow_up_days() -> int:
    """Calendar days the applicant has for the follow-up before the unit may close the case."""
    return int(getattr(settings, "BIANMIN_RATING_WINDOW_DAYS", 7))


# --- guards and effects ------------------------------------------------------------------------
def e_call_back(ctx: engine.Ctx) -> None:
    rect = ctx.obj
    contacted = ctx.params.get("contacted", True)
    if isinstance(contacted, str):
        contacted = contacted.lower() in ("1", "true", "on", "yes")
    rect.contacted = bool(contacted)
    rect.findings = ctx.text("findings", required=True, message=_("请填写回访核实情况"))
    rect.called_back_at, rect.called_back_on, rect.called_back_by = ctx.now, ctx.today, ctx.actor
    ctx.data.update(
        contacted=rect.contacted,
        on_time=rect.called_back_on <= rect.callback_due,
        callback_due=str(rect.callback_due),
    )


def _outcome(ctx: engine.Ctx, outcome: str, message: str) -> None:
    rect = ctx.obj
    rect.outcome, rect.outcome_on = outcome, ctx.today
    rect.measures = ctx.text("measures", required=True, message=message)
    ctx.data["outcome"] = outcome


def e_fix_now(ctx: engine.Ctx) -> None:
    _outcome(ctx, Outcome.FIX_NOW, _("请填写整改措施"))
    ctx.obj.rectified_on = ctx.today


def e_fix_by_deadline(ctx: engine.Ctx) -> None:
    raw = ctx.params.get("fix_days") or rectify_workdays()
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 60:
        raise ValidationFailed(_("整改时限须为 1 至 60 个工作日"), field="fix_days")
    _outcome(ctx, Outcome.FIX_BY_DEADLINE, _("请填写整改措施"))
    ctx.obj.fix_days = days
    ctx.obj.fix_due = calendar.add_workdays(ctx.today, days).date
    ctx.data.update(fix_days=days, fix_due=str(ctx.obj.fix_due))


def e_explain(ctx: engine.Ctx) -> None:
    _outcome(ctx, Outcome.EXPLAIN, _("请填写向申请人所作的解释说明"))


def e_complete(ctx: engine.Ctx) -> None:
    rect = ctx.obj
    done = ctx.text("measures", required=True, message=_("请填写整改完成情况"))
    rect.measures = f"{rect.measures}\n{done}".strip()
    rect.rectified_on = ctx.today
    ctx.data["late"] = bool(rect.fix_due and ctx.today > rect.fix_due)


def e_appeal(ctx: engine.Ctx) -> None:
    reason = ctx.params.get("appeal_reason")
    if reason not in AppealReason.values:
        raise ValidationFailed(_("请选择申诉类别（误评或恶意差评）"), field="appeal_reason")
    ctx.obj.appeal_reason = reason
    ctx.obj.appeal_text = ctx.text("appeal_text", required=True, message=_("请填写申诉理由"))
    ctx.obj.appealed_on = ctx.today
    ctx.data["appeal_reason"] = reason


def _appeal_decision(ctx: engine.Ctx, upheld: bool) -> None:
    rect = ctx.obj
    rect.appeal_upheld = upheld
    rect.appeal_decision = ctx.text("reasons", required=True, message=_("申诉审核须书面说明理由"))
    rect.appeal_decided_by = ctx.actor
    ctx.data["upheld"] = upheld


def e_uphold(ctx: engine.Ctx) -> None:
    _appeal_decision(ctx, True)
    rating = ctx.obj.rating
    rating.removed = True
    rating.removed_reason = ctx.obj.appeal_decision
    rating.save(update_fields=["removed", "removed_reason", "updated_at"])
    ctx.obj.closed_on = ctx.today


def e_reject(ctx: engine.Ctx) -> None:
    _appeal_decision(ctx, False)


def g_close(ctx: engine.Ctx) -> None:
    rect = ctx.obj
    if rect.outcome == Outcome.FIX_BY_DEADLINE and rect.rectified_on is None:
        raise Conflict(_("限期整改尚未完成"), code=ErrorCode.NOT_RECTIFIED)
    waited = (ctx.today - rect.outcome_on).days if rect.outcome_on else 0
    if waited < follow_up_days():
        raise Conflict(
            _("申请人可在处理后 %(d)s 天内追评，期满后方可办结") % {"d": follow_up_days()},
            code=ErrorCode.FOLLOW_UP_WINDOW_OPEN,
        )


def e_close(ctx: engine.Ctx) -> None:
    ctx.obj.closed_on = ctx.today


def e_follow_up(ctx: engine.Ctx) -> None:
    ctx.obj.closed_on = ctx.today
    ctx.data["level"] = ctx.params.get("level")


def e_withdraw(ctx: engine.Ctx) -> None:
    ctx.obj.closed_on = ctx.today
    ctx.data["level"] = ctx.obj.rating.level


T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("call_back",       frozenset({S.OPEN}),             S.VERIFIED,   UNIT_STAFF, None, e_call_back),
    T("fix_now",         frozenset({S.VERIFIED}),         S.RECTIFIED,  UNIT_STAFF, None, e_fix_now),
    T("fix_by_deadline", frozenset({S.VERIFIED}),         S.RECTIFYING, UNIT_STAFF, None, e_fix_by_deadline),
    T("explain",         frozenset({S.VERIFIED}),         S.EXPLAINED,  UNIT_STAFF, None, e_explain),
    T("complete",        frozenset({S.RECTIFYING}),       S.RECTIFIED,  UNIT_STAFF, None, e_complete),
    T("appeal",          AFTER_CALLBACK,                  S.APPEALED,   UNIT_STAFF, None, e_appeal),
    T("uphold_appeal",   frozenset({S.APPEALED}),         S.REMOVED,    SUPERVISORS, None, e_uphold, acts_for="oversight"),
    T("reject_appeal",   frozenset({S.APPEALED}),         PREVIOUS,     SUPERVISORS, None, e_reject, acts_for="oversight"),
    T("follow_up",       frozenset({S.RECTIFIED, S.EXPLAINED}), S.CLOSED, SYSTEM, None, e_follow_up, acts_for="system"),
    T("close",           frozenset({S.RECTIFIED, S.EXPLAINED}), S.CLOSED, UNIT_STAFF | SUPERVISORS, g_close, e_close),
    T("withdraw",        frozenset({S.OPEN}),             S.WITHDRAWN,  SYSTEM, None, e_withdraw, acts_for="system"),
)
# fmt: on


ACTION_LABELS = {
    "open": gettext_lazy("生成整改"),
    "call_back": gettext_lazy("回访核实"),
    "fix_now": gettext_lazy("立即整改"),
    "fix_by_deadline": gettext_lazy("限期整改"),
    "explain": gettext_lazy("解释说明"),
    "complete": gettext_lazy("整改完成"),
    "appeal": gettext_lazy("申诉剔除差评"),
    "uphold_appeal": gettext_lazy("申诉成立"),
    "reject_appeal": gettext_lazy("申诉不成立"),
    "follow_up": gettext_lazy("申请人追评"),
    "close": gettext_lazy("办结"),
    "withdraw": gettext_lazy("评价已修改"),
    "rating_edited": gettext_lazy("评价已修改"),
}
ACTIONS = frozenset(row.action for row in TABLE)


def rectification_event_record(
    rect, *, action, from_state, to_state, actor, note="", data=None
) -> RectificationEvent:
    """Append one event to a rectification's history."""
    return RectificationEvent.objects.create(
        rectification=rect,
        at=timezone.now(),
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        data=data or {},
    )


@engine.register
class RectificationMachine(engine.Machine):
    """Rectifications on the common engine: the unit that was rated (or took the case in) acts,
    supervisors decide appeals, the system withdraws and closes on a follow-up rating."""

    model = Rectification
    table = TABLE
    labels = ACTION_LABELS
    states = S
    noun = gettext_lazy("整改")
    resume_field = "resume_state"
    pausing = frozenset({S.APPEALED})
    default_resume = S.VERIFIED
    related = ("rating", "case__region", "case__intake_unit__region", "unit__region")

    def allowed(self, row: Transition, obj, actor) -> bool:
        if row.acts_for == "system":
            return actor is None
        if actor is None or not actor.is_authenticated:
            return False
        if actor.is_superuser:
            return True
        staff = getattr(actor, "staff", None)
        if staff is None or not (set(staff.roles) & row.roles):
            return False
        scope = scope_for(actor)
        if row.acts_for == "oversight":
            return scope.kind in ("all", "jurisdiction") and scope.can_see_region(
                obj.case.region.code
            )
        return any(scope.can_act_for_unit(u) for u in (obj.unit, obj.case.intake_unit))

    def record(self, ctx, *, action, from_state, to_state, note):
        return rectification_event_record(
            ctx.obj,
            action=action,
            from_state=from_state,
            to_state=to_state,
            actor=ctx.actor,
            note=note or ctx.text("note"),
            data=ctx.data,
        )


def find(action: str, state: str) -> Transition | None:
    return RectificationMachine.find(action, state=state)


def actions_for(rect: Rectification, actor) -> list[str]:
    """The actions `actor` may take on `rect` now (for pages: which forms to show)."""
    return RectificationMachine().actions_for(rect, actor)
