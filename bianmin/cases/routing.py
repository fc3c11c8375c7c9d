"""Where a case goes: which unit accepts it, which decides it, and the next hop up the tiers.

The catalog says which tier accepts and which decides (`accept_tier`, `decide_tier`); a county
decision belongs to the item's implementing unit. A village station hands everything up to its
township centre; a township centre (or a window) hands county items to the deciding department.
"""

from django.utils.translation import gettext as _

from bianmin.catalog.models import Tier
from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.orgs.models import Unit, UnitKind


def township_centre_of(unit: Unit) -> Unit | None:
    """The township centre a unit belongs to (itself, its parent, or the centre of its region)."""
    if unit.kind == UnitKind.TOWNSHIP_CENTRE:
        return unit
    if unit.parent_id and unit.parent.kind == UnitKind.TOWNSHIP_CENTRE:
        return unit.parent
    if unit.region.level == "village" and unit.region.parent_id:
        return Unit.objects.filter(
            kind=UnitKind.TOWNSHIP_CENTRE, region_id=unit.region.parent_id
        ).first()
    return None


def deciding_unit_for(*, item_version, intake_unit: Unit) -> Unit:
    tier = item_version.decide_tier
    if tier == Tier.VILLAGE:
        return intake_unit
    if tier == Tier.TOWNSHIP:
        centre = township_centre_of(intake_unit)
        if centre is None:
            # A township item taken in at the county: its implementing unit decides.
            return item_version.implementing_unit
        return centre
    return item_version.implementing_unit


def can_accept_here(case) -> bool:
    """The current unit is at the item's accepting tier, or is the deciding unit itself."""
    unit = case.current_unit
    return unit.pk == case.deciding_unit_id or unit.tier == case.item_version.accept_tier


def next_hop(case) -> Unit:
    """The unit a forward goes to: toward the accepting tier before acceptance, else the decider."""
    unit = case.current_unit
    if case.accepted_on is not None or unit.tier == case.item_version.accept_tier:
        target = case.deciding_unit
    elif unit.kind == UnitKind.VILLAGE_STATION:
        target = township_centre_of(unit) or case.deciding_unit
    else:
        target = case.deciding_unit
    if target.pk == unit.pk:
        raise Conflict(_("本单位即为受理和决定单位，无需转报"), code="no_hop")
    return target


def validate_hop(case, to_unit: Unit) -> None:
    """An explicit destination must lie on the case's route: the township or the decider."""
    allowed = {case.deciding_unit_id}
    centre = township_centre_of(case.intake_unit)
    if centre is not None:
        allowed.add(centre.pk)
    if to_unit.pk not in allowed or to_unit.pk == case.current_unit_id:
        raise ValidationFailed(
            _("%(unit)s 不在本办件的办理路径上") % {"unit": to_unit.name}, field="to_unit"
        )
