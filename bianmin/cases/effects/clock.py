"""Suspension, extension, withdrawal, the work lock and false pledges."""

from django.utils.translation import gettext as _

from bianmin.catalog.models import CaseClass
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.orgs.models import RoleCode

from ..cover import cover_for
from ..deadlines import EXTENSION_DAYS, JOINT_EXTENSION_DAYS, deadlines_compute
from ..models import (
    CaseMaterial,
    FlagKind,
    MaterialStatus,
    Pause,
    PauseKind,
    SuspensionReason,
)
from .base import Ctx, end_pauses


# --- clock -------------------------------------------------------------------------------------
def g_suspend(ctx: Ctx) -> None:
    if ctx.params.get("reason") not in SuspensionReason.values:
        raise ValidationFailed(_("请选择行政许可法第四十五条规定的中止事由"), field="reason")
    days = ctx.params.get("told_days")
    if not isinstance(days, int) or days <= 0:
        raise ValidationFailed(_("请填写书面告知申请人所需的工作日数"), field="told_days")


def e_suspend(ctx: Ctx) -> None:
    Pause.objects.create(
        case=ctx.case,
        kind=PauseKind.SUSPENSION,
        reason=ctx.params["reason"],
        told_days=ctx.params["told_days"],
        started_on=ctx.today,
        note=ctx.text("note"),
    )
    ctx.data.update(reason=ctx.params["reason"], told_days=ctx.params["told_days"])


def e_resume(ctx: Ctx) -> None:
    end_pauses(ctx, PauseKind.SUSPENSION)
    ctx.data["promised_due"] = str(ctx.case.promised_due)


def g_extend(ctx: Ctx) -> None:
    ctx.text("reason", required=True, message=_("延长期限须说明理由并告知申请人"))


def e_extend(ctx: Ctx) -> None:
    case = ctx.case
    case.extended_days = (
        JOINT_EXTENSION_DAYS if case.case_class == CaseClass.JOINT else EXTENSION_DAYS
    )
    case.extension_reason = ctx.text("reason")
    deadlines_compute(case)
    ctx.data.update(days=case.extended_days, reason=case.extension_reason)
    ctx.data.update(promised_due=str(case.promised_due), statutory_due=str(case.statutory_due))


def e_withdraw(ctx: Ctx) -> None:
    ctx.case.pauses.filter(ended_on=None).update(ended_on=ctx.today)
    ctx.case.concluded_on = ctx.today
    ctx.data["reason"] = ctx.text("reason")


# --- work lock ---------------------------------------------------------------------------------
def g_assign(ctx: Ctx) -> None:
    """Assigning to someone else is the unit head's (or supervision's) call, to a colleague
    who acts for the unit holding the case."""
    from django.contrib.auth import get_user_model

    from bianmin.orgs.scope import scope_for

    wanted = ctx.params.get("assignee")
    if wanted in (None, "", ctx.actor.pk):
        ctx.data["assignee"] = ctx.actor
        return
    may_assign_others = ctx.roles() & {RoleCode.HEAD, RoleCode.SUPERVISOR}
    if not (may_assign_others or ctx.actor.is_superuser):
        raise PermissionDenied(_("只有单位负责人可以把办件指派给他人"))
    user = get_user_model().objects.filter(pk=wanted).select_related("staff").first()
    staff = getattr(user, "staff", None)
    if staff is None or not scope_for(user).can_act_for_unit(ctx.case.current_unit):
        raise ValidationFailed(
            _("指派对象须为 %(u)s 的工作人员") % {"u": ctx.case.current_unit.name},
            field="assignee",
        )
    ctx.data["assignee"] = user


def e_assign(ctx: Ctx) -> None:
    """The lock goes to the assignee, or to their AB backup while they are on approved leave
    (issue 7 item 2: new assignments reach the backup automatically)."""
    user = ctx.data.pop("assignee", None) or ctx.actor
    staff = getattr(user, "staff", None)
    if staff is not None:
        holder = cover_for(staff=staff, day=ctx.today)
        if holder.pk != staff.pk:
            ctx.data.update(on_leave=staff.full_name, covered_by=holder.full_name)
            user = holder.user
    if user.pk != ctx.actor.pk:
        ctx.data["assigned_to"] = getattr(getattr(user, "staff", None), "full_name", "") or str(
            user
        )
    ctx.case.assigned_to, ctx.case.assigned_at = user, ctx.now


def e_release(ctx: Ctx) -> None:
    ctx.data["released"] = ctx.case.assigned_to_id
    ctx.case.assigned_to, ctx.case.assigned_at = None, None


# --- pledges -----------------------------------------------------------------------------------
def g_pledge_false(ctx: Ctx) -> None:
    ctx.text("reason", required=True, message=_("请写明承诺不实的情况"))


def e_pledge_false(ctx: Ctx) -> None:
    ctx.case.pauses.filter(ended_on=None).update(ended_on=ctx.today)
    CaseMaterial.objects.filter(case=ctx.case, status=MaterialStatus.PLEDGED).update(
        pledge_checked=True
    )
    ctx.data["reason"] = ctx.text("reason")
    ctx.flags.append((FlagKind.FALSE_PLEDGE, ctx.data["reason"], ""))
