"""Who may manage a unit's staffing records, shared by services and selectors."""

from django.utils.translation import gettext as _

from bianmin.common.errors import PermissionDenied
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind
from bianmin.orgs.scope import scope_for

MANAGER_ROLES = (RoleCode.HEAD, RoleCode.ADMINISTRATOR)
# Roles that take their turn on duty and are assessed; oversight and applicants are not.
HANDLING_ROLES = frozenset(
    {
        RoleCode.AGENT,
        RoleCode.WINDOW_STAFF,
        RoleCode.APPROVER,
        RoleCode.CHIEF_REPRESENTATIVE,
        RoleCode.HEAD,
    }
)


def staff_of(user) -> Staff | None:
    return getattr(user, "staff", None) if user is not None else None


def can_manage_unit(actor, unit: Unit) -> bool:
    """A head or administrator whose scope acts for the unit (a township head for its stations)."""
    if actor is None or not actor.is_authenticated:
        return False
    if actor.is_superuser:
        return True
    staff = staff_of(actor)
    if staff is None or not staff.has_role(*MANAGER_ROLES):
        return False
    return scope_for(actor).can_act_for_unit(unit)


def may_assess(actor) -> bool:
    """Heads and administrators organise performance assessment."""
    staff = staff_of(actor)
    return bool(
        actor.is_superuser or (staff and staff.has_role(RoleCode.HEAD, RoleCode.ADMINISTRATOR))
    )


def may_allocate_subsidy(actor, county: Region | None = None) -> bool:
    """The agents' subsidy is the county's money: its administrators share it out (`county`
    must then be a county in their scope)."""
    staff = staff_of(actor)
    if not (actor.is_superuser or (staff and staff.has_role(RoleCode.ADMINISTRATOR))):
        return False
    return county is None or (
        county.level == "county" and scope_for(actor).can_see_region(county.code)
    )


def decides_leave(actor) -> bool:
    """Heads decide the leave of their unit (a township head also its stations')."""
    staff = staff_of(actor)
    return actor.is_superuser or bool(
        staff is not None and staff.has_role(RoleCode.HEAD) and staff.unit_id is not None
    )


def require_manager(actor, unit: Unit) -> None:
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("只有本单位或上级单位负责人、管理员可以办理"))


def head_units_for(unit: Unit) -> list[Unit]:
    """Units whose heads approve leave for a post at `unit`.

    The unit itself; for a village station also its township centre (stations usually have one
    agent and are run by the township, 乡镇管理村级代办点), and for a window its hall.
    """
    units = [unit]
    if unit.kind in (UnitKind.VILLAGE_STATION, UnitKind.WINDOW) and unit.parent_id:
        units.append(unit.parent)
    return units


def is_head_for(actor, unit: Unit) -> bool:
    staff = staff_of(actor)
    if staff is None or not staff.has_role(RoleCode.HEAD) or staff.unit_id is None:
        return False
    return staff.unit_id in {u.pk for u in head_units_for(unit)}


def duty_staff_of(unit: Unit):
    """Staff who take duty at `unit`: its own, and those of windows in a hall."""
    qs = Staff.objects.filter(user__is_active=True).select_related("user", "unit")
    if unit.kind in (UnitKind.COUNTY_CENTRE, UnitKind.TOWNSHIP_CENTRE):
        qs = qs.filter(unit__in=[unit, *unit.children.filter(kind=UnitKind.WINDOW)])
    else:
        qs = qs.filter(unit=unit)
    return [s for s in qs.order_by("full_name", "pk") if set(s.roles) & HANDLING_ROLES]
