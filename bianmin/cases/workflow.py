"""The case workflow: one declarative table of transitions (STYLE.md rule 4), and the machine that
lets the common engine (`bianmin.common.workflow`) apply it.

Each row: action, source states, target state, who may take it (roles, and which unit the actor
must act for), which case classes it applies to, when it applies (a condition on the case and
the actor alone, so that pages, queues and the API offer only what can be done), its guard (the
rule checked against the submitted parameters) and its effect (`effects`). `CaseMachine` adds what
is particular to cases: scope and the work lock, the applicant, the first responder, supervision
flags, the hash-chained event and the applicant's notice. `services.engine.case_transition` is
the only entry that applies a row, and `services.engine.case_actions_for` the only code that lists
what a person may do. `bianmin workflow-doc` renders this table into docs/cases.md.
"""

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import CaseClass as K
from bianmin.common import workflow as engine
from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied
from bianmin.common.workflow import PREVIOUS, SAME, SYSTEM, Transition
from bianmin.orgs.models import RoleCode as R
from bianmin.orgs.scope import scope_for

from . import effects as fx
from .actors import APPLICANT, is_applicant, user_of
from .effects.notify import applicant_notify
from .materials import missing_required
from .models import ERRAND, Case, MaterialStatus, SupervisionFlag
from .models import State as S

# Back to the paused-from state once no required material is missing; a partial supplement keeps
# the case waiting for the rest.
PREVIOUS_WHEN_COMPLETE = "=previous_when_complete"

AGENT = frozenset({R.AGENT})
HALL = frozenset({R.WINDOW_STAFF, R.CHIEF_REPRESENTATIVE, R.APPROVER, R.HEAD})
DECIDERS = frozenset({R.APPROVER, R.CHIEF_REPRESENTATIVE, R.HEAD})
HANDLERS = AGENT | HALL
HEAD = frozenset({R.HEAD})
OVERSIGHT = frozenset({R.SUPERVISOR, R.ADMINISTRATOR})
# The applicant online, proven by case number and phone digits (`actors.ApplicantActor`).
APPLICANT_ONLINE = frozenset({APPLICANT})
NOT_IMMEDIATE = frozenset({K.PROMISED, K.JOINT, K.ESCALATED, K.REPLY})

IN_HANDLING = frozenset({S.ACCEPTED, S.JOINT_REVIEW, S.REVIEWED})
BEFORE_CONCLUSION = frozenset(
    {S.SUBMITTED, S.FORWARDED, S.AWAITING_MATERIALS, S.REFERRED, S.DECIDED, S.SUSPENDED}
    | IN_HANDLING
)
AFTER_CONCLUSION = frozenset({S.CONCLUDED, S.RETURNING, S.TO_DELIVER})
LOCKABLE = BEFORE_CONCLUSION | AFTER_CONCLUSION
ERRANDS = frozenset({ERRAND})
ERRAND_RUNNING = frozenset({S.ERRAND_OPEN, S.ERRAND_DONE})


T = Transition
w = fx.when
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("forward",        frozenset({S.SUBMITTED}),          S.FORWARDED,  HANDLERS, fx.g_forward, fx.e_send, when=w.relay_here),
    T("forward",        frozenset({S.ACCEPTED}),           S.REFERRED,   HALL, fx.g_forward, fx.e_send, when=w.below_decider),
    T("receive",        frozenset({S.FORWARDED}),          S.SUBMITTED,  HANDLERS, None, fx.e_receive),
    T("receive",        frozenset({S.REFERRED}),           S.ACCEPTED,   HALL, None, fx.e_receive),
    T("receive",        frozenset({S.RETURNING}),          S.TO_DELIVER, HANDLERS, None, fx.e_receive),
    T("notify_missing", frozenset({S.SUBMITTED}) | IN_HANDLING, S.AWAITING_MATERIALS, HANDLERS, fx.g_notice, fx.e_notice, acts_for="joint_or_current"),
    T("supplement",     frozenset({S.AWAITING_MATERIALS}), PREVIOUS_WHEN_COMPLETE, HANDLERS | APPLICANT_ONLINE, None, fx.e_supplement, acts_for="intake_or_current"),
    T("supplement",     frozenset({S.SUBMITTED, S.DECIDED}) | IN_HANDLING, SAME, HANDLERS, None, fx.e_supplement_deferred, acts_for="intake_or_current", when=w.materials_outstanding),
    T("accept",         frozenset({S.SUBMITTED}),          S.ACCEPTED,   HANDLERS, fx.g_accept, fx.e_accept, when=w.accepting_here),
    T("deem_accept",    frozenset({S.SUBMITTED}),          S.ACCEPTED,   SYSTEM, None, fx.e_deem_accept, acts_for="system"),
    T("decline",        frozenset({S.SUBMITTED, S.AWAITING_MATERIALS}), S.DECLINED, HALL, fx.g_decline, fx.e_decline, when=w.accepting_here),
    T("review",         frozenset({S.ACCEPTED}),           S.REVIEWED,   DECIDERS, None, fx.e_review, NOT_IMMEDIATE - {K.JOINT}, when=w.at_decider),
    T("review",         frozenset({S.ACCEPTED}),           S.JOINT_REVIEW, DECIDERS, fx.g_open_joint, fx.e_open_joint, frozenset({K.JOINT}), when=w.at_decider),
    T("site_check",     IN_HANDLING,                       SAME,         DECIDERS, fx.g_site_check, fx.e_site_check, when=w.at_decider),
    T("opine",          frozenset({S.JOINT_REVIEW}),       SAME,         DECIDERS, fx.g_opine, fx.e_opine, acts_for="joint_or_current", when=w.opinion_pending),
    T("decide",         frozenset({S.REVIEWED, S.JOINT_REVIEW}), S.DECIDED, DECIDERS, fx.g_decide, fx.e_decide, NOT_IMMEDIATE, when=w.ready_to_decide),
    T("conclude",       frozenset({S.ACCEPTED}),           S.CONCLUDED,  HANDLERS, fx.g_decide_now, fx.e_decide_and_conclude, frozenset({K.IMMEDIATE}), when=w.at_decider),
    T("conclude",       frozenset({S.DECIDED}),            S.CONCLUDED,  HALL, None, fx.e_conclude, when=w.at_decider),
    T("hand_back",      frozenset({S.CONCLUDED, S.TO_DELIVER}), S.RETURNING, HALL, fx.g_hand_back, fx.e_send, when=w.away_from_intake),
    T("deliver",        frozenset({S.CONCLUDED, S.TO_DELIVER}), S.CLOSED, HANDLERS, fx.g_deliver, fx.e_deliver, when=w.at_intake),
    T("suspend",        IN_HANDLING,                       S.SUSPENDED,  DECIDERS, fx.g_suspend, fx.e_suspend, when=w.at_decider),
    T("resume",         frozenset({S.SUSPENDED}),          PREVIOUS,     DECIDERS, None, fx.e_resume),
    T("extend",         IN_HANDLING | {S.SUSPENDED},       SAME,         HEAD, fx.g_extend, fx.e_extend, when=w.not_extended),
    T("withdraw",       BEFORE_CONCLUSION,                 S.WITHDRAWN,  HANDLERS, None, fx.e_withdraw, acts_for="intake_or_current"),
    T("assign",         LOCKABLE,                          SAME,         HANDLERS, fx.g_assign, fx.e_assign, when=w.unlocked),
    T("release",        LOCKABLE,                          SAME,         HANDLERS | OVERSIGHT, None, fx.e_release, when=w.may_release),
    T("pledge_false",   BEFORE_CONCLUSION - {S.SUBMITTED, S.FORWARDED}, S.TERMINATED, DECIDERS | OVERSIGHT, fx.g_pledge_false, fx.e_pledge_false, when=w.has_pledges),
    T("pledge_false",   AFTER_CONCLUSION | {S.CLOSED},     S.REVOKED,    DECIDERS | OVERSIGHT, fx.g_pledge_false, fx.e_pledge_false, when=w.has_pledges),
    # 网上传件: files of the checklist's materials, added where the case is or came in, and
    # judged by the unit holding it (shown beside each material, not as forms of their own).
    T("upload",         BEFORE_CONCLUSION,                 SAME,         HANDLERS, fx.g_upload, fx.e_upload, acts_for="intake_or_current", inline=True),
    T("file_review",    BEFORE_CONCLUSION,                 SAME,         HALL, fx.g_file_review, fx.e_file_review, inline=True),
    # Errands (便民服务): register -> done -> handed over, or cancelled; money recorded as it moves.
    T("money",          ERRAND_RUNNING,                    SAME,         AGENT, fx.g_money, fx.e_money, ERRANDS),
    T("done",           frozenset({S.ERRAND_OPEN}),        S.ERRAND_DONE, AGENT, None, fx.e_errand_done, ERRANDS),
    T("hand_over",      frozenset({S.ERRAND_DONE}),        S.HANDED_OVER, AGENT, fx.g_hand_over, fx.e_hand_over, ERRANDS),
    T("cancel",         ERRAND_RUNNING,                    S.CANCELLED,  AGENT, fx.g_cancel, fx.e_cancel, ERRANDS),
)
# fmt: on

# States a row sends the case away from and must come back to (`PREVIOUS`).
PAUSING = frozenset({S.AWAITING_MATERIALS, S.SUSPENDED})

ACTION_LABELS = {
    "register": _("登记"),
    "entrust": _("委托代办"),
    "forward": _("转报"),
    "receive": _("接收"),
    "notify_missing": _("一次性告知"),
    "supplement": _("补正材料"),
    "accept": _("受理"),
    "deem_accept": _("视为受理"),
    "decline": _("不予受理"),
    "review": _("审核"),
    "site_check": _("现场核查"),
    "opine": _("联审意见"),
    "decide": _("决定"),
    "conclude": _("办结"),
    "hand_back": _("回交"),
    "deliver": _("送达"),
    "suspend": _("中止"),
    "resume": _("恢复"),
    "extend": _("延长期限"),
    "withdraw": _("撤回申请"),
    "assign": _("领办锁定"),
    "release": _("解除锁定"),
    "pledge_false": _("承诺不实"),
    "recompute": _("重算期限"),
    # Written by the staffing app when a post holder's queue goes to the AB backup and back.
    "ab_cover": _("AB岗接办"),
    "ab_return": _("AB岗交回"),
    "money": _("登记款项"),
    "done": _("办妥"),
    "hand_over": _("交付签收"),
    "cancel": _("取消"),
    "upload": _("上传材料"),
    "file_review": _("审核材料电子件"),
}

# The order a person's allowed actions are shown in, the next expected step first
# (`services.engine.case_actions_for`).
NEXT_ORDER = (
    "receive", "supplement", "accept", "forward", "review", "opine", "decide", "conclude",
    "hand_back", "deliver", "resume", "done", "hand_over", "money",
    "notify_missing", "site_check", "suspend", "extend", "decline", "assign", "release",
    "withdraw", "pledge_false", "cancel",
)  # fmt: skip
# The steps that move a case along its route; the others (a later notice, a site check, a
# suspension, the work lock, withdrawal...) are side actions, never shown as "the next step".
STEPS = frozenset(
    {"receive", "accept", "forward", "review", "opine", "decide", "conclude", "hand_back",
     "deliver", "resume", "done", "hand_over"}
)  # fmt: skip

ACTIONS = frozenset(row.action for row in TABLE)


def find(action: str, *, state: str, case_class: str) -> Transition | None:
    """The row that applies to `action` from `state` for a case of `case_class`."""
    return CaseMachine.find(action, state=state, kind=case_class)


def _acts_for(row: Transition, case: Case, scope) -> bool:
    """Whether `scope` acts for a unit the row lets act: the unit holding the case, and for some
    rows also the unit it came in at or a joint department reviewing it."""
    units = [case.current_unit]
    if row.acts_for == "intake_or_current":
        units.append(case.intake_unit)
    elif row.acts_for == "joint_or_current":
        # Read already when the case page or the API's case renders (JOINT_REVIEWS).
        reviews = getattr(case, "_prefetched_objects_cache", {}).get("subreviews")
        if reviews is None:
            reviews = case.subreviews.select_related("unit__region")
        units += [r.unit for r in reviews]
    return any(scope.can_act_for_unit(u) for u in units)


def _locked_out(row: Transition, case: Case, actor) -> bool:
    """A staff work lock keeps other staff out of everything but releasing it; it does not stop
    the applicant answering a notice."""
    holder = case.assigned_to_id
    return (
        holder is not None
        and row.action != "release"
        and not is_applicant(actor)
        and (actor is None or holder != actor.pk)
    )


@engine.register
class CaseMachine(engine.Machine):
    """The case engine on the common one: who may act (roles, the unit the actor acts for, the
    work lock, the applicant proven for one case), the first responder, supervision flags, the
    hash-chained event and the applicant's notice. One instance serves one call; `scope` is the
    actor's access scope when the caller already has it."""

    model = Case
    table = TABLE
    labels = ACTION_LABELS
    states = S
    noun = _("办件")
    resume_field = "resume_state"
    pausing = PAUSING
    default_resume = S.SUBMITTED
    related = ("item_version__item", "current_unit__region", "intake_unit__region")
    ctx_class = fx.Ctx

    def __init__(self, *, scope=None) -> None:
        self._scope = scope

    def scope(self, actor):
        if self._scope is None:
            self._scope = scope_for(actor)
        return self._scope

    def lock(self, obj):
        # Every case, whatever the default manager hides.
        return (Case.all_objects.select_for_update(of=("self",)).select_related(*self.related)).get(
            pk=obj.pk
        )

    @classmethod
    def kind_of(cls, obj) -> str:
        return obj.case_class

    def before(self, obj, actor) -> None:
        from .services.engine import case_visible

        if user_of(actor) is not None and not case_visible(viewer=actor, case=obj):
            raise PermissionDenied(_g("无权查看或办理该办件"))

    def allowed(self, row: Transition, obj, actor) -> bool:
        # The applicant acts on a notice through the status page, never from a list of actions.
        if is_applicant(actor):
            return False
        staff = getattr(actor, "staff", None)
        roles = set(staff.roles) if staff else set()
        if not (actor.is_superuser or roles & row.roles):
            return False
        return not _locked_out(row, obj, actor) and _acts_for(row, obj, self.scope(actor))

    def authorize(self, row: Transition, ctx: engine.Ctx) -> None:
        case, actor, label = ctx.obj, ctx.actor, self.label(row.action)
        if is_applicant(actor):
            # Proven for one case by number and phone digits; only rows open to the applicant.
            if APPLICANT not in row.roles or actor.case_id != case.pk:
                raise PermissionDenied(_g("申请人不能执行「%(a)s」") % {"a": label})
            return
        if row.acts_for == "system":
            if actor is not None:
                raise PermissionDenied(_g("该操作只能由系统执行"))
            return
        if actor is None:
            raise PermissionDenied(_g("需要登录"))
        if not actor.is_superuser and not (ctx.roles() & row.roles):
            raise PermissionDenied(_g("您的角色不能执行「%(a)s」") % {"a": label})
        if not _acts_for(row, case, self.scope(actor)):
            raise PermissionDenied(
                _g("办件当前在 %(u)s，您无权代其执行「%(a)s」")
                % {"u": case.current_unit.name, "a": label}
            )
        if _locked_out(row, case, actor):
            raise Conflict(
                _g("办件已由 %(u)s 领办锁定，请待其解除") % {"u": case.assigned_to},
                code=ErrorCode.LOCKED,
            )

    def resolve(self, ctx: engine.Ctx, row: Transition, from_state: str) -> str:
        # PREVIOUS_WHEN_COMPLETE: back once nothing required is missing, else keep waiting.
        case = ctx.obj
        if missing_required(case).exists():
            return from_state
        back, case.resume_state = case.resume_state or S.SUBMITTED, ""
        return back

    def save(self, ctx: engine.Ctx) -> None:
        case, actor = ctx.obj, ctx.actor
        if case.first_responder_id is None and ctx.roles() & HANDLERS:
            # 首问负责: an online application has no owner until a staff member first handles it.
            case.first_responder = actor
            ctx.data["first_responder"] = actor.staff.full_name
        case.save()

    def saved(self, ctx, row, from_state, to_state) -> None:
        case = ctx.obj
        for kind, detail, key in ctx.flags:
            if (
                not key
                or not SupervisionFlag.objects.filter(case=case, kind=kind, key=key).exists()
            ):
                SupervisionFlag.objects.create(
                    case=case, kind=kind, detail=detail, key=key, raised_by=user_of(ctx.actor)
                )

    def record(self, ctx, *, action, from_state, to_state, note):
        from .services.events import event_record

        return event_record(
            case=ctx.obj,
            actor=ctx.actor,
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
            data=ctx.data,
        )

    def done(self, ctx, row, from_state) -> None:
        applicant_notify(ctx, action=row.action, from_state=from_state)

    def refused(self, error: Exception, obj, actor) -> None:
        # A refusal supervision must know about (a second notice asking for more, a refusal
        # without reasons) is flagged although nothing else is saved (RULES.md "Supervision").
        flag = getattr(error, "flag", None)
        if flag is not None:
            SupervisionFlag.objects.create(
                case_id=obj.pk, kind=flag[0], detail=flag[1], raised_by=user_of(actor)
            )

    def order(self, actions: list[str], obj) -> list[str]:
        order = {a: i for i, a in enumerate(NEXT_ORDER)}
        if obj.state != S.AWAITING_MATERIALS:
            # A deferred material handed in later is a side task, not what the case waits for.
            order["supplement"] = order["notify_missing"]
        actions.sort(key=lambda a: order.get(a, len(order)))
        if (
            obj.state == S.SUBMITTED
            and "notify_missing" in actions
            and obj.materials.filter(required=True, status=MaterialStatus.MISSING).exists()
        ):
            # Before acceptance with required materials missing, the one-time notice is what
            # comes next (art. 32), not acceptance or forwarding.
            actions.remove("notify_missing")
            actions.insert(0, "notify_missing")
        return actions
