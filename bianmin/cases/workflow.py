"""The case workflow: one declarative table of transitions (STYLE.md rule 4).

Each row: action, source states, target state, who may take it (roles, and which unit the actor
must act for), which case classes it applies to, when it applies (a condition on the case and
the actor alone, so that pages, queues and the API offer only what can be done), its guard (the
rule checked against the submitted parameters) and its effect (`effects`). The engine
`services.engine.case_transition` is the only code that applies a row, and
`services.engine.case_actions_for` the only code that lists what a person may do.
`bianmin workflow-doc` renders this table into docs/cases.md.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bianmin.catalog.models import CaseClass as K
from bianmin.orgs.models import RoleCode as R

from . import effects as fx
from .actors import APPLICANT
from .models import ERRAND
from .models import State as S

SAME = "=same"  # the case stays in its state
PREVIOUS = "=previous"  # back to the state it was paused from (`Case.resume_state`)
# Back to the paused-from state once no required material is missing; a partial supplement keeps
# the case waiting for the rest.
PREVIOUS_WHEN_COMPLETE = "=previous_when_complete"

AGENT = frozenset({R.AGENT})
HALL = frozenset({R.WINDOW_STAFF, R.CHIEF_REPRESENTATIVE, R.APPROVER, R.HEAD})
DECIDERS = frozenset({R.APPROVER, R.CHIEF_REPRESENTATIVE, R.HEAD})
HANDLERS = AGENT | HALL
HEAD = frozenset({R.HEAD})
OVERSIGHT = frozenset({R.SUPERVISOR, R.ADMINISTRATOR})
SYSTEM = frozenset({"system"})
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


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    guard: Callable | None = None
    effect: Callable | None = None
    classes: frozenset[str] | None = None  # None: every case class
    acts_for: str = "current"  # current | intake_or_current | joint_or_current | system
    # (case, actor) -> None when the row applies now, else why not (`effects.when`).
    when: Callable | None = None
    # Shown beside the materials, not as an action form of its own.
    inline: bool = False


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


def rows_for(action: str) -> list[Transition]:
    return [row for row in TABLE if row.action == action]


def find(action: str, *, state: str, case_class: str) -> Transition | None:
    """The row that applies to `action` from `state` for a case of `case_class`."""
    for row in rows_for(action):
        if state in row.sources and (row.classes is None or case_class in row.classes):
            return row
    return None


def allowed_actions(*, state: str, case_class: str) -> list[str]:
    """Actions the table allows from `state` (roles and guards still apply)."""
    return sorted(
        {
            row.action
            for row in TABLE
            if state in row.sources
            and (row.classes is None or case_class in row.classes)
            and row.roles != SYSTEM
        }
    )
