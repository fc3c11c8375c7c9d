"""Routing, the materials checklist, the one-time notice and acceptance."""

import datetime as dt

from django.utils.translation import gettext as _

from bianmin.catalog.models import Tier
from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed
from bianmin.orgs.models import Unit

from .. import routing
from ..deadlines import deadlines_compute, lower_level_days, lower_level_limit
from ..materials import materials_apply, missing_required
from ..models import (
    Custody,
    FileReview,
    FlagKind,
    MaterialFile,
    MaterialStatus,
    OneTimeNotice,
    Pause,
    PauseKind,
    State,
    Step,
)
from .base import Ctx, advance_step, end_pauses, flagged


# --- routing -----------------------------------------------------------------------------------
def g_forward(ctx: Ctx) -> None:
    to = ctx.params.get("to_unit")
    if to is None:
        ctx.to_unit = routing.next_hop(ctx.case)
    else:
        ctx.to_unit = to if isinstance(to, Unit) else Unit.objects.filter(pk=to).first()
        if ctx.to_unit is None:
            raise ValidationFailed(_("接收单位不存在"), field="to_unit")
        routing.validate_hop(ctx.case, ctx.to_unit)


def g_hand_back(ctx: Ctx) -> None:
    ctx.to_unit = routing.back_hop(ctx.case)


def late_forward_flag(case, today) -> tuple[str, str, str] | None:
    """RULES.md "Supervision": a lower level forwarding late (行政许可法 art. 43)."""
    if case.accepted_on is None or case.current_unit.tier == Tier.COUNTY:
        return None  # only a lower level (township, village) forwards up to the county
    return late_forward(
        unit_name=case.current_unit.name,
        used=lower_level_days(case, today),
        limit=lower_level_limit(case),
    )


def late_forward(*, unit_name: str, used: int, limit: int) -> tuple[str, str, str] | None:
    """The flag of `late_forward_flag` for a lower level that held an accepted case `used`
    working days against its `limit`, or None when it forwarded in time."""
    if used <= limit:
        return None
    detail = _("%(u)s 受理后 %(n)s 个工作日才转报上级（时限 %(l)s 个工作日）") % {
        "u": unit_name,
        "n": used,
        "l": limit,
    }
    return (FlagKind.LATE_FORWARD, detail, "late_forward")


def e_send(ctx: Ctx) -> None:
    case = ctx.case
    if case.state == State.ACCEPTED:  # forwarded up after acceptance at the lower level
        flag = late_forward_flag(case, ctx.today)
        if flag is not None:
            ctx.flags.append(flag)
    originals = bool(ctx.params.get("originals"))
    Custody.objects.create(
        case=case,
        from_unit=case.current_unit,
        to_unit=ctx.to_unit,
        sent_at=ctx.now,
        sent_by=ctx.actor,
        originals=originals,
        note=ctx.text("note")[:200],
    )
    ctx.data.update(from_unit=case.current_unit.name, to_unit=ctx.to_unit.name)
    if originals:
        ctx.data["originals"] = True
    case.current_unit = ctx.to_unit
    # The receiving unit's holding (a relay hop's limit) runs from the day it was sent.
    case.held_since = ctx.today
    # A new unit takes over: the sender's work lock does not travel with the case.
    case.assigned_to, case.assigned_at = None, None


def e_receive(ctx: Ctx) -> None:
    custody = (
        Custody.objects.filter(case=ctx.case, to_unit=ctx.case.current_unit, received_at=None)
        .order_by("-sent_at", "-pk")
        .first()
    )
    if custody is not None:
        custody.received_at, custody.received_by = ctx.now, ctx.actor
        custody.save(update_fields=["received_at", "received_by"])
    ctx.data["unit"] = ctx.case.current_unit.name
    case = ctx.case
    if case.state == State.REFERRED and case.current_unit_id == case.deciding_unit_id:
        # The deciding unit's limits run from its receipt of the case accepted below it.
        _clock_start(ctx, ctx.today)
        ctx.data.update(promised_due=str(case.promised_due), statutory_due=str(case.statutory_due))


# --- materials and one-time notice -------------------------------------------------------------
def g_notice(ctx: Ctx) -> None:
    """Art. 32: all that is missing, told at once; a second notice may not ask for anything new."""
    case = ctx.case
    try:
        extra = {int(m) for m in ctx.params.get("materials") or []}
    except (TypeError, ValueError):
        raise ValidationFailed(_("所列材料不属于本事项"), field="materials") from None
    known = set(case.materials.values_list("material_id", flat=True))
    if extra - known:
        raise ValidationFailed(_("所列材料不属于本事项"), field="materials")
    missing = set(missing_required(case).values_list("material_id", flat=True)) | extra
    if not missing:
        raise ValidationFailed(_("材料齐全，无需告知补正"), field="materials")
    first = case.notices.order_by("issued_at", "pk").first()
    if first is not None:
        catalog_changed = case.item_version.item.published_version_id != first.item_version_id
        new = missing - first.material_ids
        if new and not catalog_changed:
            names = ", ".join(
                case.materials.filter(material_id__in=new).values_list("name", flat=True)
            )
            raise flagged(
                Conflict(
                    _("一次性告知只能告知一次：第一次告知书未列出的材料（%(m)s）不能再要求补正")
                    % {"m": names},
                    code=ErrorCode.REPEATED_NOTICE,
                ),
                FlagKind.REPEATED_NOTICE,
                _("再次告知要求补正首次告知书未列的材料：%(m)s") % {"m": names},
            )
    ctx.data["missing"] = sorted(missing)


def e_notice(ctx: Ctx) -> None:
    case = ctx.case
    missing = ctx.data["missing"]
    case.materials.filter(material_id__in=missing).update(status=MaterialStatus.MISSING)
    rows = case.materials.filter(material_id__in=missing).order_by("material__position", "pk")
    count = case.notices.count() + 1
    notice = OneTimeNotice.objects.create(
        case=case,
        number=f"{case.number}-N{count}",
        issued_on=ctx.today,
        issued_by=ctx.actor,
        unit=getattr(getattr(ctx.actor, "staff", None), "unit", None) or case.current_unit,
        item_version=case.item_version.item.published_version or case.item_version,
        materials=[{"material": r.material_id, "name": r.name} for r in rows],
        note=ctx.text("note"),
    )
    # A file sent back in the notice is judged: the applicant must bring that material again.
    MaterialFile.objects.filter(
        case=case,
        material__material_id__in=missing,
        review__in=[FileReview.PENDING, FileReview.ACCEPTED],
    ).update(review=FileReview.RETURNED, reviewed_at=ctx.now, reviewed_by=ctx.actor)
    # The wait counts against no limit (the proxy clock runs from take-in, so it matters there).
    Pause.objects.create(case=case, kind=PauseKind.NOTICE_WAIT, started_on=ctx.today)
    ctx.data.update(notice=notice.number, materials=[m["name"] for m in notice.materials])


def e_supplement(ctx: Ctx) -> None:
    """What the applicant brought: the materials named (all still missing when none are named).
    The wait ends once no required material is missing; a partial supplement keeps it open
    (the table's `PREVIOUS_WHEN_COMPLETE`)."""
    case = ctx.case
    spec = ctx.params.get("materials")
    if not spec:  # "everything asked for has come"
        spec = {
            m: MaterialStatus.PROVIDED
            for m in missing_required(case).values_list("material_id", flat=True)
        }
    if isinstance(spec, list | tuple):  # ticked rows: these came
        spec = dict.fromkeys(spec, MaterialStatus.PROVIDED)
    ctx.data["materials"] = materials_apply(case=case, spec=spec, today=ctx.today)
    if ctx.params.get("files"):
        ctx.data["files"] = ctx.params["files"]
    still = list(missing_required(case).values_list("name", flat=True))
    if still:
        ctx.data["still_missing"] = still
    else:
        end_pauses(ctx, PauseKind.NOTICE_WAIT)


def e_supplement_deferred(ctx: Ctx) -> None:
    spec = ctx.params.get("materials") or {}
    if not spec:
        raise ValidationFailed(_("请勾选补交的材料"), field="materials")
    if isinstance(spec, list | tuple):
        spec = dict.fromkeys(spec, MaterialStatus.PROVIDED)
    ctx.data["materials"] = materials_apply(case=ctx.case, spec=spec, today=ctx.today)


# --- acceptance --------------------------------------------------------------------------------
ARRIVING = frozenset({MaterialStatus.PROVIDED, MaterialStatus.DEFERRED, MaterialStatus.PLEDGED})


def _acceptance_spec(ctx: Ctx) -> dict[int, dict]:
    """容缺 / 告知承诺 chosen at acceptance, per material: {material id: entry}."""
    spec = ctx.params.get("materials") or {}
    if not isinstance(spec, dict):
        raise ValidationFailed(_("材料状态格式不正确"), field="materials")
    try:
        return {int(k): (v if isinstance(v, dict) else {"status": v}) for k, v in spec.items()}
    except (TypeError, ValueError):
        raise ValidationFailed(_("所列材料不属于本事项"), field="materials") from None


def g_accept(ctx: Ctx) -> None:
    case = ctx.case
    spec = _acceptance_spec(ctx)
    missing = [
        name
        for material_id, name in missing_required(case).values_list("material_id", "name")
        if spec.get(material_id, {}).get("status") not in ARRIVING
    ]
    if missing:
        raise Conflict(
            _("必要材料不全，不能受理，请出具一次性告知书：%(m)s") % {"m": "、".join(missing)},
            code=ErrorCode.MATERIALS_MISSING,
            extra={"missing": missing},
        )


def e_accept(ctx: Ctx) -> None:
    spec = _acceptance_spec(ctx)
    if spec:
        ctx.data["materials"] = materials_apply(case=ctx.case, spec=spec, today=ctx.today)
    _start(ctx, accepted_on=ctx.today)


def e_deem_accept(ctx: Ctx) -> None:
    """Art. 32: not noticed within 5 working days, accepted on the day the materials arrived."""
    ctx.case.deemed_accepted = True
    _start(ctx, accepted_on=ctx.params["arrived_on"])


def _clock_start(ctx: Ctx, day: dt.date) -> None:
    """The deciding unit has the accepted case: its limits run from `day`; the steps of the tiers
    below it are done."""
    case = ctx.case
    case.clock_started_on = day
    deadlines_compute(case)
    tier = case.deciding_unit.tier
    below = [s for s in case.steps.order_by("position") if s.tier != tier and not s.finished_on]
    if below:
        advance_step(ctx, on=day, through=below[-1].position)


def _start(ctx: Ctx, *, accepted_on: dt.date) -> None:
    case = ctx.case
    case.accepted_on = accepted_on
    if case.current_unit_id == case.deciding_unit_id:
        case.clock_started_on = accepted_on
    deadlines_compute(case)
    steps = list(case.item_version.steps.order_by("position"))
    for i, t in enumerate(steps):
        Step.objects.create(
            case=case,
            position=t.position,
            name=t.name,
            tier=t.tier,
            limit_days=t.limit_days,
            started_on=accepted_on if i == 0 else None,
        )
    # The template's first step is acceptance itself: done now, the next one starts.
    advance_step(ctx, on=accepted_on)
    ctx.data.update(
        accepted_on=str(accepted_on),
        promised_due=str(case.promised_due),
        statutory_due=str(case.statutory_due),
        proxy_due=str(case.proxy_due or ""),
    )
