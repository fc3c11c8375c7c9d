"""The single transition service: every state change of a case goes through `case_transition`."""

import time

from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import (
    Conflict,
    DomainError,
    ErrorCode,
    PermissionDenied,
    ValidationFailed,
)
from bianmin.orgs.scope import scope_for

from .. import workflow
from ..actors import APPLICANT, is_applicant, user_of
from ..effects import Ctx
from ..effects.notify import applicant_notify
from ..materials import missing_required
from ..models import Case, MaterialStatus, State, SupervisionFlag
from .events import event_record


def case_visible(*, viewer, case: Case) -> bool:
    from ..selectors import cases_visible

    return cases_visible(viewer=viewer, base=Case.all_objects.all()).filter(pk=case.pk).exists()


def _acts_for(row: workflow.Transition, case: Case, scope) -> bool:
    """Whether `scope` acts for a unit the row lets act: the unit holding the case, and for some
    rows also the unit it came in at or a joint department reviewing it."""
    units = [case.current_unit]
    if row.acts_for == "intake_or_current":
        units.append(case.intake_unit)
    elif row.acts_for == "joint_or_current":
        units += [r.unit for r in case.subreviews.select_related("unit__region")]
    return any(scope.can_act_for_unit(u) for u in units)


def _locked_out(row: workflow.Transition, case: Case, actor) -> bool:
    """A staff work lock keeps other staff out of everything but releasing it; it does not stop
    the applicant answering a notice."""
    holder = case.assigned_to_id
    return (
        holder is not None
        and row.action != "release"
        and not is_applicant(actor)
        and (actor is None or holder != actor.pk)
    )


def case_actions_for(case: Case, actor, *, scope=None) -> list[str]:
    """What `actor` may do to `case` now, the next expected action first (`workflow.NEXT_ORDER`):
    the table's rows for the case's state and class whose roles, unit (scope), work lock and
    condition (`when`) let this actor act. The one list the case page, the work queues and the
    API's `allowed_actions` show; a submitted action still runs its guard on the parameters."""
    if actor is None or not getattr(actor, "is_authenticated", False) or is_applicant(actor):
        return []
    staff = getattr(actor, "staff", None)
    roles = set(staff.roles) if staff else set()
    scope = scope or scope_for(actor)
    out = []
    for row in workflow.TABLE:
        if case.state not in row.sources or row.roles == workflow.SYSTEM:
            continue
        if row.classes is not None and case.case_class not in row.classes:
            continue
        if not (actor.is_superuser or roles & row.roles) or row.action in out:
            continue
        if _locked_out(row, case, actor) or not _acts_for(row, case, scope):
            continue
        if row.when is not None and row.when(case, actor) is not None:
            continue
        out.append(row.action)
    order = {a: i for i, a in enumerate(workflow.NEXT_ORDER)}
    if case.state != State.AWAITING_MATERIALS:
        # A deferred material handed in later is a side task, not what the case waits for.
        order["supplement"] = order["notify_missing"]
    out.sort(key=lambda a: order.get(a, len(order)))
    if (
        case.state == State.SUBMITTED
        and "notify_missing" in out
        and case.materials.filter(required=True, status=MaterialStatus.MISSING).exists()
    ):
        # Before acceptance with required materials missing, the one-time notice is what comes
        # next (art. 32), not acceptance or forwarding.
        out.remove("notify_missing")
        out.insert(0, "notify_missing")
    return out


def next_action(case: Case, actions: list[str]) -> str | None:
    """The step the case waits for from this person, among their allowed `actions` (in
    `case_actions_for` order): a route step (`workflow.STEPS`), the one-time notice before
    acceptance when required materials are missing, the supplement while the case waits for
    materials; None when the case waits for nobody's step here (only side actions are left)."""
    first = actions[0] if actions else None
    if first in workflow.STEPS:
        return first
    if first == "notify_missing" and case.state == State.SUBMITTED:
        return first
    if first == "supplement" and case.state == State.AWAITING_MATERIALS:
        return first
    return None


def _check_actor(row: workflow.Transition, ctx: Ctx) -> None:
    case, actor = ctx.case, ctx.actor
    label = workflow.ACTION_LABELS.get(row.action, row.action)
    if is_applicant(actor):
        # Proven for one case by number and phone digits; only rows open to the applicant.
        if APPLICANT not in row.roles or actor.case_id != case.pk:
            raise PermissionDenied(_("申请人不能执行「%(a)s」") % {"a": label})
        return
    if row.acts_for == "system":
        if actor is not None:
            raise PermissionDenied(_("该操作只能由系统执行"))
        return
    if actor is None:
        raise PermissionDenied(_("需要登录"))
    if not actor.is_superuser and not (ctx.roles() & row.roles):
        raise PermissionDenied(_("您的角色不能执行「%(a)s」") % {"a": label})
    if not _acts_for(row, case, scope_for(actor)):
        raise PermissionDenied(
            _("办件当前在 %(u)s，您无权代其执行「%(a)s」")
            % {"u": case.current_unit.name, "a": label}
        )


@transaction.atomic
def _apply(*, case: Case, action: str, actor, expected_version, note: str, params) -> Case:
    case = (
        Case.all_objects.select_for_update(of=("self",))
        .select_related("item_version__item", "current_unit__region", "intake_unit__region")
        .get(pk=case.pk)
    )
    if user_of(actor) is not None and not case_visible(viewer=actor, case=case):
        raise PermissionDenied(_("无权查看或办理该办件"))
    if expected_version is not None and int(expected_version) != case.lock_version:
        raise Conflict(
            _("办件已被他人修改（版本 %(v)s），请刷新后重试") % {"v": case.lock_version},
            code=ErrorCode.STALE,
            extra={"lock_version": case.lock_version},
        )
    if action not in workflow.ACTIONS:
        raise ValidationFailed(_("未知操作：%(a)s") % {"a": action}, field="action")
    label = workflow.ACTION_LABELS.get(action, action)
    row = workflow.find(action, state=case.state, case_class=case.case_class)
    if row is None:
        raise Conflict(
            _("办件当前状态为「%(s)s」，不能执行「%(a)s」")
            % {"s": State(case.state).label, "a": label},
            code=ErrorCode.ILLEGAL_TRANSITION,
            extra={"state": case.state, "action": action},
        )
    now = timezone.now()
    ctx = Ctx(case=case, actor=actor, params=params, today=timezone.localdate(now), now=now)
    _check_actor(row, ctx)
    if _locked_out(row, case, actor):
        raise Conflict(
            _("办件已由 %(u)s 领办锁定，请待其解除") % {"u": case.assigned_to},
            code=ErrorCode.LOCKED,
        )
    if row.when is not None:
        reason = row.when(case, actor)
        if reason is not None:
            raise Conflict(reason, code=ErrorCode.NOT_NOW, extra={"state": case.state, "action": action})  # fmt: skip
    if row.guard is not None:
        row.guard(ctx)
    from_state = case.state
    if row.target == workflow.SAME:
        target = from_state
    elif row.target == workflow.PREVIOUS:
        target, case.resume_state = case.resume_state or State.SUBMITTED, ""
    elif row.target == workflow.PREVIOUS_WHEN_COMPLETE:
        target = None  # decided after the effect: what is still missing
    else:
        target = row.target
        if target in workflow.PAUSING:
            case.resume_state = from_state
    if row.effect is not None:
        row.effect(ctx)
    if target is None:
        if missing_required(case).exists():
            target = from_state
        else:
            target, case.resume_state = case.resume_state or State.SUBMITTED, ""
    if case.first_responder_id is None and ctx.roles() & workflow.HANDLERS:
        # 首问负责: an online application has no owner until a staff member first handles it.
        case.first_responder = actor
        ctx.data["first_responder"] = actor.staff.full_name
    case.state = target
    case.lock_version += 1
    case.save()
    for kind, detail, key in ctx.flags:
        if not key or not SupervisionFlag.objects.filter(case=case, kind=kind, key=key).exists():
            SupervisionFlag.objects.create(
                case=case, kind=kind, detail=detail, key=key, raised_by=user_of(actor)
            )
    event_record(
        case=case,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=target,
        note=note,
        data=ctx.data,
    )
    applicant_notify(ctx, action=action, from_state=from_state)
    return case


def case_transition(
    *, case: Case, action: str, actor, expected_version: int | None = None, note: str = "", **params
) -> Case:
    """Apply `action` to `case` as `actor`, per the table in `bianmin.cases.workflow`.

    Locks the row, checks `expected_version` (optimistic locking: a stale version is a 409),
    the table (an illegal move is a 409 naming state and action), the actor's role and scope
    (403), the work lock (409), then runs guard and effect, bumps `lock_version`, saves and writes
    the hash-chained event, all in one transaction. A refusal that supervision must know about
    (a second one-time notice asking for more, a refusal without reasons) is flagged even though
    nothing else is saved (RULES.md "Supervision").
    """
    try:
        for attempt in range(1, 6):
            try:
                return _apply(
                    case=case,
                    action=action,
                    actor=actor,
                    expected_version=expected_version,
                    note=note,
                    params=params,
                )
            except OperationalError as error:
                # SQLite reports a concurrent writer as "locked" instead of waiting in some modes;
                # the whole transaction is safe to run again when we are not inside another one.
                if "locked" not in str(error) or connection.in_atomic_block or attempt == 5:
                    raise
                time.sleep(0.05 * attempt)
        raise AssertionError("unreachable")
    except DomainError as error:
        flag = getattr(error, "flag", None)
        if flag is not None:
            SupervisionFlag.objects.create(
                case_id=case.pk, kind=flag[0], detail=flag[1], raised_by=user_of(actor)
            )
        raise
