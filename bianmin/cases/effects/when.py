"""When a row of the workflow table applies: conditions on the case and the actor alone, never on
submitted parameters (those are the guards'). Each returns None when the row applies now, else
the reason it does not, in the user's language.

The engine refuses a transition whose condition fails (409) before running its guard, and
`services.engine.case_actions_for` offers only rows whose condition holds, so the case page, the
work queues and the API's `allowed_actions` never offer what would be refused for that reason.
"""

from django.utils.translation import gettext as _

from bianmin.orgs.models import RoleCode

from .. import routing
from ..models import MaterialStatus, SubReview


def _roles(actor) -> set[str]:
    staff = getattr(actor, "staff", None)
    return set(staff.roles) if staff else set()


def relay_here(case, actor) -> str | None:
    """A unit that neither accepts nor decides the item passes the case on (转报)."""
    if routing.can_accept_here(case):
        return _("本单位是该事项的受理单位，请直接受理或出具一次性告知书")
    return None


def below_decider(case, actor) -> str | None:
    """A case accepted below its deciding unit is referred up (上报) after preliminary review."""
    if case.current_unit_id == case.deciding_unit_id:
        return _("本单位即为决定单位，无需上报")
    return None


def accepting_here(case, actor) -> str | None:
    if not routing.can_accept_here(case):
        return _("本单位不是该事项的受理单位，请转报至 %(u)s") % {"u": routing.next_hop(case).name}
    return None


def at_decider(case, actor) -> str | None:
    if case.current_unit_id != case.deciding_unit_id:
        return _("办件尚未到达决定单位 %(u)s") % {"u": case.deciding_unit.name}
    return None


def ready_to_decide(case, actor) -> str | None:
    """At the deciding unit, and in a joint case every joint department has answered."""
    reason = at_decider(case, actor)
    if reason is None and case.subreviews.filter(opinion=SubReview.Opinion.PENDING).exists():
        return _("尚有联办部门未答复，不能作出决定")
    return reason


def opinion_pending(case, actor) -> str | None:
    """The actor's unit has a joint review of this case still unanswered."""
    from bianmin.orgs.scope import scope_for

    scope = scope_for(actor)
    for review in case.subreviews.select_related("unit__region"):
        if review.opinion == SubReview.Opinion.PENDING and scope.can_act_for_unit(review.unit):
            return None
    return _("本单位没有待答复的联审意见")


def away_from_intake(case, actor) -> str | None:
    if case.current_unit_id == case.intake_unit_id:
        return _("办件已在收件单位，可直接送达")
    return None


def at_intake(case, actor) -> str | None:
    if case.current_unit_id != case.intake_unit_id:
        return _("结果尚未回交至收件单位")
    return None


def not_extended(case, actor) -> str | None:
    if case.extended_days:
        return _("办理期限只能延长一次")
    return None


def unlocked(case, actor) -> str | None:
    if case.assigned_to_id is not None:
        return _("办件已被锁定")
    return None


def may_release(case, actor) -> str | None:
    holder = case.assigned_to_id
    if holder is None:
        return _("办件未被锁定")
    others = _roles(actor) & {RoleCode.SUPERVISOR, RoleCode.HEAD, RoleCode.ADMINISTRATOR}
    if holder != getattr(actor, "pk", None) and not (others or actor.is_superuser):
        return _("只有监察人员或单位负责人可以解除他人的锁定")
    return None


def _any_material(case, statuses) -> bool:
    """Whether a material of the case is in one of `statuses`: read from the materials a page has
    prefetched (no query), else asked of the database."""
    rows = getattr(case, "_prefetched_objects_cache", {}).get("materials")
    if rows is not None:
        return any(m.status in statuses for m in rows)
    return case.materials.filter(status__in=statuses).exists()


def has_pledges(case, actor) -> str | None:
    if not _any_material(case, (MaterialStatus.PLEDGED,)):
        return _("本办件没有告知承诺的材料")
    return None


def materials_outstanding(case, actor) -> str | None:
    """A deferred (容缺) or missing material is still to come."""
    if not _any_material(case, (MaterialStatus.DEFERRED, MaterialStatus.MISSING)):
        return _("没有待补交的材料")
    return None
