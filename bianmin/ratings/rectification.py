"""The rectification flow (差评整改): one explicit state table and the one engine that applies it.

RULES.md "Ratings": every bad rating (2 or 1) is called back within 1 working day (every named bad
rating, 100%); the unit then records one of three outcomes: fix at once, fix by a deadline (default
15 working days, setting BIANMIN_RECTIFY_WORKDAYS), or explain because the complaint has no basis.
The applicant may give one follow-up rating. An appeal asks the supervisor to remove a mistaken or
malicious rating; the supervisor decides with reasons. Dates are on the working-day calendar and
every change appends a `RectificationEvent`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.challenge import Answer
from bianmin.common.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ValidationFailed
from bianmin.common.validators import phone_tail_matches
from bianmin.orgs.models import RoleCode as R
from bianmin.orgs.scope import scope_for
from bianmin.workdays import calendar

from .models import (
    BAD_LEVELS,
    AppealReason,
    Outcome,
    Rating,
    RatingKind,
    Rectification,
    RectificationEvent,
)
from .models import RectState as S
from .notify import rectification_opened_notify

CALLBACK_WORKDAYS = 1  # RULES.md "Ratings": call back within 1 working day.
PREVIOUS = "=previous"

UNIT_STAFF = frozenset(
    {R.AGENT, R.WINDOW_STAFF, R.CHIEF_REPRESENTATIVE, R.APPROVER, R.HEAD, R.ADMINISTRATOR}
)
SUPERVISORS = frozenset({R.SUPERVISOR, R.ADMINISTRATOR})
SYSTEM = frozenset({"system"})
AFTER_CALLBACK = frozenset({S.VERIFIED, S.RECTIFYING, S.RECTIFIED, S.EXPLAINED})


def rectify_workdays() -> int:
    """Default working days for a fix by deadline (setting BIANMIN_RECTIFY_WORKDAYS, default 15)."""
    return int(getattr(settings, "BIANMIN_RECTIFY_WORKDAYS", 15))


def follow_up_days() -> int:
    """Calendar days the applicant has for the follow-up before the unit may close the case."""
    return int(getattr(settings, "BIANMIN_RATING_WINDOW_DAYS", 7))


@dataclass
class Ctx:
    rect: Rectification
    actor: object
    params: dict
    today: object
    now: object
    data: dict

    def text(self, name: str, *, required: bool = False, message: str = "") -> str:
        value = str(self.params.get(name) or "").strip()
        if required and not value:
            raise ValidationFailed(message or _("请填写必填项"), field=name)
        return value


# --- guards and effects ------------------------------------------------------------------------
def e_call_back(ctx: Ctx) -> None:
    rect = ctx.rect
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


def _outcome(ctx: Ctx, outcome: str, message: str) -> None:
    rect = ctx.rect
    rect.outcome, rect.outcome_on = outcome, ctx.today
    rect.measures = ctx.text("measures", required=True, message=message)
    ctx.data["outcome"] = outcome


def e_fix_now(ctx: Ctx) -> None:
    _outcome(ctx, Outcome.FIX_NOW, _("请填写整改措施"))
    ctx.rect.rectified_on = ctx.today


def e_fix_by_deadline(ctx: Ctx) -> None:
    raw = ctx.params.get("fix_days") or rectify_workdays()
    try:
        days = int(raw)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 60:
        raise ValidationFailed(_("整改时限须为 1 至 60 个工作日"), field="fix_days")
    _outcome(ctx, Outcome.FIX_BY_DEADLINE, _("请填写整改措施"))
    ctx.rect.fix_days = days
    ctx.rect.fix_due = calendar.add_workdays(ctx.today, days).date
    ctx.data.update(fix_days=days, fix_due=str(ctx.rect.fix_due))


def e_explain(ctx: Ctx) -> None:
    _outcome(ctx, Outcome.EXPLAIN, _("请填写向申请人所作的解释说明"))


def e_complete(ctx: Ctx) -> None:
    rect = ctx.rect
    done = ctx.text("measures", required=True, message=_("请填写整改完成情况"))
    rect.measures = f"{rect.measures}\n{done}".strip()
    rect.rectified_on = ctx.today
    ctx.data["late"] = bool(rect.fix_due and ctx.today > rect.fix_due)


def e_appeal(ctx: Ctx) -> None:
    reason = ctx.params.get("appeal_reason")
    if reason not in AppealReason.values:
        raise ValidationFailed(_("请选择申诉类别（误评或恶意差评）"), field="appeal_reason")
    ctx.rect.appeal_reason = reason
    ctx.rect.appeal_text = ctx.text("appeal_text", required=True, message=_("请填写申诉理由"))
    ctx.rect.appealed_on = ctx.today
    ctx.data["appeal_reason"] = reason


def _appeal_decision(ctx: Ctx, upheld: bool) -> None:
    rect = ctx.rect
    rect.appeal_upheld = upheld
    rect.appeal_decision = ctx.text("reasons", required=True, message=_("申诉审核须书面说明理由"))
    rect.appeal_decided_by = ctx.actor
    ctx.data["upheld"] = upheld


def e_uphold(ctx: Ctx) -> None:
    _appeal_decision(ctx, True)
    rating = ctx.rect.rating
    rating.removed = True
    rating.removed_reason = ctx.rect.appeal_decision
    rating.save(update_fields=["removed", "removed_reason", "updated_at"])
    ctx.rect.closed_on = ctx.today


def e_reject(ctx: Ctx) -> None:
    _appeal_decision(ctx, False)


def g_close(ctx: Ctx) -> None:
    rect = ctx.rect
    if rect.outcome == Outcome.FIX_BY_DEADLINE and rect.rectified_on is None:
        raise Conflict(_("限期整改尚未完成"), code=ErrorCode.NOT_RECTIFIED)
    waited = (ctx.today - rect.outcome_on).days if rect.outcome_on else 0
    if waited < follow_up_days():
        raise Conflict(
            _("申请人可在处理后 %(d)s 天内追评，期满后方可办结") % {"d": follow_up_days()},
            code=ErrorCode.FOLLOW_UP_WINDOW_OPEN,
        )


def e_close(ctx: Ctx) -> None:
    ctx.rect.closed_on = ctx.today


def e_follow_up(ctx: Ctx) -> None:
    ctx.rect.closed_on = ctx.today
    ctx.data["level"] = ctx.params.get("level")


def e_withdraw(ctx: Ctx) -> None:
    ctx.rect.closed_on = ctx.today
    ctx.data["level"] = ctx.rect.rating.level


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str
    roles: frozenset
    effect: Callable | None = None
    guard: Callable | None = None
    acts_for: str = "unit"  # unit | oversight | system


T = Transition
# fmt: off
TABLE: tuple[Transition, ...] = (
    T("call_back",       frozenset({S.OPEN}),             S.VERIFIED,   UNIT_STAFF, e_call_back),
    T("fix_now",         frozenset({S.VERIFIED}),         S.RECTIFIED,  UNIT_STAFF, e_fix_now),
    T("fix_by_deadline", frozenset({S.VERIFIED}),         S.RECTIFYING, UNIT_STAFF, e_fix_by_deadline),
    T("explain",         frozenset({S.VERIFIED}),         S.EXPLAINED,  UNIT_STAFF, e_explain),
    T("complete",        frozenset({S.RECTIFYING}),       S.RECTIFIED,  UNIT_STAFF, e_complete),
    T("appeal",          AFTER_CALLBACK,                  S.APPEALED,   UNIT_STAFF, e_appeal),
    T("uphold_appeal",   frozenset({S.APPEALED}),         S.REMOVED,    SUPERVISORS, e_uphold, acts_for="oversight"),
    T("reject_appeal",   frozenset({S.APPEALED}),         PREVIOUS,     SUPERVISORS, e_reject, acts_for="oversight"),
    T("follow_up",       frozenset({S.RECTIFIED, S.EXPLAINED}), S.CLOSED, SYSTEM, e_follow_up, acts_for="system"),
    T("close",           frozenset({S.RECTIFIED, S.EXPLAINED}), S.CLOSED, UNIT_STAFF | SUPERVISORS, e_close, g_close),
    T("withdraw",        frozenset({S.OPEN}),             S.WITHDRAWN,  SYSTEM, e_withdraw, acts_for="system"),
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


def find(action: str, state: str) -> Transition | None:
    return next((r for r in TABLE if r.action == action and state in r.sources), None)


def can_act(rect: Rectification, actor, row: Transition) -> bool:
    """Role and unit check of one row for `actor` (no state check)."""
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
        return scope.kind in ("all", "jurisdiction") and scope.can_see_region(rect.case.region.code)
    units = [rect.unit, rect.case.intake_unit]
    return any(scope.can_act_for_unit(u) for u in units)


def actions_for(rect: Rectification, actor) -> list[str]:
    """The actions `actor` may take on `rect` now (for pages: which forms to show)."""
    return [
        row.action
        for row in TABLE
        if rect.state in row.sources and row.acts_for != "system" and can_act(rect, actor, row)
    ]


def _event(rect, *, action, from_state, to_state, actor, note="", data=None) -> RectificationEvent:
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


@transaction.atomic
def rectification_act(
    *,
    rectification: Rectification,
    action: str,
    actor,
    expected_version: int | None = None,
    note: str = "",
    **params,
) -> Rectification:
    """Apply `action` to a rectification as `actor`, per `TABLE` (409 on an illegal move or a
    stale `expected_version`, 403 when the role or unit does not fit), and append its event."""
    rect = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "case__region", "case__intake_unit__region", "unit__region")
        .get(pk=rectification.pk)
    )
    if expected_version is not None and int(expected_version) != rect.lock_version:
        raise Conflict(
            _("整改记录已被他人修改，请刷新后重试"),
            code=ErrorCode.STALE,
            extra={"lock_version": rect.lock_version},
        )
    if action not in ACTIONS:
        raise ValidationFailed(_("未知操作：%(a)s") % {"a": action}, field="action")
    label = ACTION_LABELS[action]
    row = find(action, rect.state)
    if row is None:
        raise Conflict(
            _("整改当前状态为「%(s)s」，不能执行「%(a)s」")
            % {"s": S(rect.state).label, "a": label},
            code=ErrorCode.ILLEGAL_TRANSITION,
            extra={"state": rect.state, "action": action},
        )
    if not can_act(rect, actor, row):
        raise PermissionDenied(_("您无权对该整改执行「%(a)s」") % {"a": label})
    now = timezone.now()
    ctx = Ctx(
        rect=rect, actor=actor, params=params, today=timezone.localdate(now), now=now, data={}
    )
    if row.guard is not None:
        row.guard(ctx)
    from_state = rect.state
    if row.target == PREVIOUS:
        target, rect.resume_state = rect.resume_state or S.VERIFIED, ""
    else:
        target = row.target
        if target == S.APPEALED:
            rect.resume_state = from_state
    if row.effect is not None:
        row.effect(ctx)
    rect.state = target
    rect.lock_version += 1
    rect.save()
    _event(
        rect,
        action=action,
        from_state=from_state,
        to_state=target,
        actor=actor,
        note=note or ctx.text("note"),
        data=ctx.data,
    )
    return rect


def _number(rating: Rating) -> str:
    return f"ZG-{rating.case.number}-{rating.channel[:2].upper()}"


def rectification_open(*, rating: Rating, actor=None) -> Rectification:
    """Open the rectification of a bad rating; the call-back is due 1 working day later."""
    today = timezone.localdate(rating.rated_at)
    rect = Rectification.objects.create(
        number=_number(rating),
        rating=rating,
        case=rating.case,
        unit=rating.unit,
        staff_user=rating.staff_user,
        state=S.OPEN,
        opened_on=today,
        callback_due=calendar.add_workdays(today, CALLBACK_WORKDAYS).date,
    )
    _event(
        rect,
        action="open",
        from_state="",
        to_state=S.OPEN,
        actor=None,
        data={"level": rating.level, "named": rating.named, "callback_due": str(rect.callback_due)},
    )
    rectification_opened_notify(rect)
    return rect


def on_rating_changed(rating: Rating, *, actor=None) -> None:
    """Called by `rating_submit`: a new bad rating opens a rectification; a bad rating changed to a
    good one within the edit window withdraws it if nobody has called back yet."""
    rect = Rectification.objects.filter(rating=rating).first()
    bad = rating.level in BAD_LEVELS
    if rect is None:
        if bad:
            rectification_open(rating=rating, actor=actor)
        return
    if not bad and rect.state == S.OPEN:
        rectification_act(rectification=rect, action="withdraw", actor=None)
        return
    _event(
        rect,
        action="rating_edited",
        from_state=rect.state,
        to_state=rect.state,
        actor=None,
        data={"level": rating.level},
    )


def follow_up_verify(
    *, number: str, phone_tail: str, ip: str, answer: Answer | None = None
) -> Rectification:
    """The rectification for a (rectification number, last four phone digits) pair, or NotFound.

    The public follow-up rating (追评) is reached without a login, so it is guarded like the status
    lookup (`bianmin.portal.throttle`, its own FOLLOW_UP counters): a wrong pair is answered the
    same whether the number exists or not (no enumeration of rectification numbers) and counts as
    a failure per client address and per number; past a few, the picture challenge `answer` must
    be solved first, and a flooding address is refused (429). Not transactional on purpose: a
    failure must stay counted when the request then fails.
    """
    from bianmin.portal import throttle

    number = (number or "").strip()
    keys = throttle.keys_for(ip=ip, number=number, limit=throttle.FOLLOW_UP)
    throttle.guard(keys, limit=throttle.FOLLOW_UP, answer=answer)
    if not (phone_tail or "").strip():
        raise ValidationFailed(_("请填写办件登记手机号的后四位"), field="phone_tail")
    rect = (
        Rectification.objects.select_related("case").filter(number=number).first()
        if number
        else None
    )
    if rect is None or not phone_tail_matches(rect.case.phone, phone_tail):
        throttle.record_failure(keys, ip=ip, number=number, limit=throttle.FOLLOW_UP)
        raise NotFound(_("整改编号或手机号后四位不正确"), code=ErrorCode.NO_MATCH)
    return rect


@transaction.atomic
def rating_follow_up(
    *,
    rectification: Rectification,
    level: int,
    comment: str = "",
    phone_tail: str | None = None,
    actor=None,
) -> Rating:
    """The applicant's one follow-up rating after rectification or explanation (RULES.md
    "Ratings": one follow-up rating after rectification); it closes the rectification."""
    from .services import _check_level

    level = _check_level(level)
    rect = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("rating", "case")
        .get(pk=rectification.pk)
    )
    if Rating.objects.filter(follows=rect.rating).exists():
        raise Conflict(_("已追评过一次，不能再次追评"), code=ErrorCode.ALREADY_FOLLOWED_UP)
    if find("follow_up", rect.state) is None:
        raise Conflict(_("整改处理完成后才能追评"), code=ErrorCode.NOT_READY)
    named = getattr(actor, "is_authenticated", False)
    if phone_tail not in (None, ""):
        if not phone_tail_matches(rect.case.phone, phone_tail):
            raise ValidationFailed(_("手机号后四位与办件登记的联系电话不符"), field="phone_tail")
        named = True
    original = rect.rating
    try:
        with transaction.atomic():
            follow = Rating.objects.create(
                case=rect.case,
                kind=RatingKind.FOLLOW_UP,
                channel=original.channel,
                level=level,
                comment=(comment or "").strip(),
                named=named,
                unit=original.unit,
                intake_unit=original.intake_unit,
                staff_user=original.staff_user,
                rated_by=actor if getattr(actor, "is_authenticated", False) else None,
                rated_at=timezone.now(),
                follows=original,
            )
    except IntegrityError as exc:
        raise Conflict(_("已追评过一次，不能再次追评"), code=ErrorCode.ALREADY_FOLLOWED_UP) from exc
    rectification_act(
        rectification=rect, action="follow_up", actor=None, note=follow.comment, level=level
    )
    return follow
