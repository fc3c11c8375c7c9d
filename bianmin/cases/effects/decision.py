"""Decline, review, joint review, decision, conclusion and delivery."""

from django.utils.translation import gettext as _

from bianmin.catalog.models import CaseClass
from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed

from ..deadlines import deadlines_compute
from ..models import (
    FlagKind,
    SubReview,
)
from ..signature import png_checked
from .base import Ctx, _bool, advance_step, end_pauses, flagged


# --- decisions ---------------------------------------------------------------------------------
def _reasons(ctx: Ctx, what: str) -> str:
    reasons = ctx.text("reasons")
    if not reasons:
        raise flagged(
            ValidationFailed(_("%(w)s必须书面说明理由") % {"w": what}, field="reasons"),
            FlagKind.NO_REASONS,
            _("试图%(w)s而未说明理由") % {"w": what},
        )
    return reasons


def g_decline(ctx: Ctx) -> None:
    ctx.data["reasons"] = _reasons(ctx, _("不予受理"))


def e_decline(ctx: Ctx) -> None:
    ctx.case.reasons = ctx.data["reasons"]
    ctx.case.concluded_on = ctx.today
    end_pauses(ctx)


def e_review(ctx: Ctx) -> None:
    opinion = ctx.text("opinion")
    if opinion:
        ctx.data["opinion"] = opinion
    advance_step(ctx)


def g_site_check(ctx: Ctx) -> None:
    ctx.text("findings", required=True, message=_("请填写现场核查情况"))


def e_site_check(ctx: Ctx) -> None:
    """现场核查/踏勘 (行政许可法 art. 34): part of review, inside the limit; the clock runs on."""
    ctx.data.update(findings=ctx.text("findings"), checked_on=str(ctx.today))
    people = ctx.text("people")
    if people:
        ctx.data["people"] = people


def g_open_joint(ctx: Ctx) -> None:
    if not ctx.case.item_version.joint_units.exists():
        raise Conflict(_("该联办事项未配置联办部门"), code=ErrorCode.NO_JOINT_UNITS)


def e_open_joint(ctx: Ctx) -> None:
    units = ctx.case.item_version.joint_units.all()
    for unit in units:
        SubReview.objects.get_or_create(case=ctx.case, unit=unit)
    ctx.data["joint_units"] = [u.name for u in units]
    opinion = ctx.text("opinion")
    if opinion:
        ctx.data["opinion"] = opinion
    advance_step(ctx)


def pending_subreviews_for(ctx: Ctx):
    from bianmin.orgs.scope import scope_for

    scope = scope_for(ctx.actor)
    return [
        r
        for r in ctx.case.subreviews.select_related("unit__region")
        if r.opinion == SubReview.Opinion.PENDING and scope.can_act_for_unit(r.unit)
    ]


def g_opine(ctx: Ctx) -> None:
    if not pending_subreviews_for(ctx):
        raise Conflict(_("本单位没有待答复的联审意见"), code=ErrorCode.NO_SUBREVIEW)
    approved = _bool(ctx, "approved")
    if not approved:
        ctx.data["reasons"] = _reasons(ctx, _("联审不同意"))


def e_opine(ctx: Ctx) -> None:
    review = pending_subreviews_for(ctx)[0]
    approved = ctx.params["approved"]
    review.opinion = SubReview.Opinion.APPROVED if approved else SubReview.Opinion.REFUSED
    review.opinion_text = ctx.text("reasons") or ctx.text("opinion")
    review.answered_at, review.answered_by = ctx.now, ctx.actor
    review.save()
    ctx.data.update(unit=review.unit.name, approved=approved, opinion=review.opinion_text)


def g_decide(ctx: Ctx, *, default: bool | None = None) -> None:
    case = ctx.case
    approved = _bool(ctx, "approved", default)
    if case.case_class == CaseClass.REPLY and approved:
        raise Conflict(_("答复件不能准予，只能书面答复不予批准的理由"), code=ErrorCode.REPLY_ONLY)
    if case.case_class == CaseClass.JOINT:
        opinions = list(case.subreviews.values_list("opinion", flat=True))
        if approved and SubReview.Opinion.REFUSED in opinions:
            raise Conflict(_("有联办部门不同意，不能准予"), code=ErrorCode.JOINT_REFUSED)
    ctx.data["approved"] = approved
    ctx.data["reasons"] = ctx.text("reasons") if approved else _reasons(ctx, _("不予批准"))


def e_decide(ctx: Ctx) -> None:
    case = ctx.case
    case.approved = ctx.data["approved"]
    case.reasons = ctx.data["reasons"]
    case.decided_on = ctx.today
    deadlines_compute(case)
    ctx.data["delivery_due"] = str(case.delivery_due)
    advance_step(ctx)


def g_decide_now(ctx: Ctx) -> None:
    g_decide(ctx, default=True)


def e_conclude(ctx: Ctx) -> None:
    case = ctx.case
    if case.approved and case.item_version.result_is_certificate:
        case.certificate_number = ctx.text(
            "certificate_number", required=True, message=_("结果为证照，请填写证照编号")
        )
        ctx.data["certificate_number"] = case.certificate_number
    case.concluded_on = ctx.today
    advance_step(ctx, finish_all=True)


def e_decide_and_conclude(ctx: Ctx) -> None:
    e_decide(ctx)
    e_conclude(ctx)


# --- delivery ----------------------------------------------------------------------------------
def g_deliver(ctx: Ctx) -> None:
    ctx.text("signed_by_name", required=True, message=_("请填写签收人姓名"))
    ctx.data["signature"] = png_checked(ctx.params.get("signature"))


def e_deliver(ctx: Ctx) -> None:
    from django.core.files.base import ContentFile

    from ..models import Delivery

    case = ctx.case
    delivery = Delivery(
        case=case,
        delivered_at=ctx.now,
        delivered_by=ctx.actor,
        signed_by_name=ctx.text("signed_by_name"),
        feedback=ctx.text("feedback"),
    )
    delivery.signature.save(
        f"{case.number}.png", ContentFile(ctx.data.pop("signature")), save=False
    )
    delivery.save()
    case.closed_on = ctx.today
    ctx.data.update(signed_by_name=delivery.signed_by_name, feedback=delivery.feedback)
