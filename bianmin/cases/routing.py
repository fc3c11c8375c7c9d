"""Where a case goes: which unit accepts it, which decides it, and the next hop up and back down.

RULES.md "The route of a proxied case" (沂水 2016 §三(三); 汉台 2023 "受理关口前移"):

- A village station takes the request in (委托, 收件登记, materials check, one-time notice) and
  formally accepts only items the village itself decides.
- Everything decided above the village goes to the village's township centre first, which
  registers and checks it, then accepts it (township items, and county items whose acceptance the
  county moved forward: `accept_tier` township) or forwards it to the county: the item's
  `county_window` of the county centre when it names one, else the deciding department.
- A case accepted below its deciding unit is referred up to it after the preliminary review.
- The result comes back the same way: the deciding unit returns it to the township centre, which
  passes it to the village station that took the case in; a hall that took a case in delivers it.

Every hop is a custody record. A unit that neither accepts, decides nor delivers holds the case
as a relay, with its own holding limit (`relay_holding`, `deadlines.relay_limit`).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from bianmin.catalog.models import TIER_ORDER, Tier
from bianmin.common.errors import Conflict, ErrorCode, ValidationFailed
from bianmin.orgs.models import Unit, UnitKind

from .models import State


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


@dataclass(frozen=True)
class Route:
    accepting: Unit
    deciding: Unit


def deciding_unit_for(*, item_version, intake_unit: Unit, centre_of=township_centre_of) -> Unit:
    tier = item_version.decide_tier
    if tier == Tier.VILLAGE:
        return intake_unit
    if tier == Tier.TOWNSHIP:
        centre = centre_of(intake_unit)
        if centre is None:
            # A township item taken in at the county: its implementing unit decides.
            return item_version.implementing_unit
        return centre
    return item_version.implementing_unit


def route_for(*, item_version, intake_unit: Unit, centre_of=township_centre_of) -> Route:
    """The accepting and the deciding unit of an item taken in at `intake_unit`.

    A unit at or above the accepting tier accepts what it takes in itself (a township or county
    hall opening a case); below it, the township centre accepts township-tier acceptance and the
    county window or the deciding department county-tier acceptance.

    `centre_of` (here and in `next_hop`, `back_hop`): how a unit's township centre is found; the
    bulk history generator passes its in-memory units' own (anything with `pk`, `kind`, `tier`).
    """
    deciding = deciding_unit_for(
        item_version=item_version, intake_unit=intake_unit, centre_of=centre_of
    )
    if item_version.decide_tier == Tier.VILLAGE:
        return Route(accepting=intake_unit, deciding=deciding)
    # A village never accepts what is decided above it, whatever an older catalog row says.
    accept = max(item_version.accept_tier, Tier.TOWNSHIP, key=TIER_ORDER.__getitem__)
    if TIER_ORDER[intake_unit.tier] >= TIER_ORDER[accept]:
        return Route(accepting=intake_unit, deciding=deciding)
    if accept == Tier.TOWNSHIP:
        return Route(accepting=centre_of(intake_unit) or deciding, deciding=deciding)
    return Route(accepting=item_version.county_window or deciding, deciding=deciding)


def can_accept_here(case) -> bool:
    """The current unit is the case's accepting unit, or its deciding unit."""
    current = case.current_unit_id
    return current in (case.accepting_unit_id, case.deciding_unit_id)


def next_hop(case, *, centre_of=township_centre_of) -> Unit:
    """The unit a forward goes to: before acceptance the next unit toward the accepting unit (a
    village station always hands up to its township centre), after it the deciding unit."""
    unit = case.current_unit
    if case.accepted_on is not None:
        target = case.deciding_unit
    elif unit.kind == UnitKind.VILLAGE_STATION and case.accepting_unit_id != unit.pk:
        target = centre_of(unit) or case.accepting_unit
    else:
        target = case.accepting_unit or case.deciding_unit
    if target.pk == unit.pk:
        raise Conflict(_("本单位即为受理单位，请直接受理"), code=ErrorCode.NO_HOP)
    return target


def back_hop(case, *, centre_of=township_centre_of) -> Unit:
    """Where a result goes on its way back: through the township centre of the village station
    that took the case in, then to that station; straight to a hall that took it in itself."""
    unit, intake = case.current_unit, case.intake_unit
    if unit.pk == intake.pk:
        raise Conflict(_("办件已在收件单位，可直接送达"), code=ErrorCode.NO_HOP)
    if intake.kind == UnitKind.VILLAGE_STATION:
        centre = centre_of(intake)
        here = centre_of(unit)
        if centre is not None and (here is None or here.pk != centre.pk):
            return centre
    return intake


def route_path(case) -> list[tuple[Unit, str]]:
    """The units a case goes through on its way up, each with its part: 收件 (took it in), 转报
    (passes it on), 受理 (accepts), 决定 (decides); the way back is the same in reverse."""
    units: list[Unit] = [case.intake_unit]
    if (
        case.intake_unit.kind == UnitKind.VILLAGE_STATION
        and case.deciding_unit_id != case.intake_unit_id
    ):
        units.append(township_centre_of(case.intake_unit))
    units += [case.accepting_unit, case.deciding_unit]
    path: list[tuple[Unit, str]] = []
    for unit in units:
        if unit is None or unit.pk in {u.pk for u, _part in path}:
            continue
        parts = [
            part
            for pk, part in (
                (case.intake_unit_id, _("收件")),
                (case.accepting_unit_id, _("受理")),
                (case.deciding_unit_id, _("决定")),
            )
            if pk == unit.pk
        ]
        path.append((unit, "、".join(parts) or _("转报")))
    return path


def route_units(case) -> set[int]:
    """Every unit the case may pass through, up and back."""
    units = {case.intake_unit_id, case.accepting_unit_id, case.deciding_unit_id}
    centre = township_centre_of(case.intake_unit)
    if centre is not None:
        units.add(centre.pk)
    return units - {None}


def validate_hop(case, to_unit: Unit) -> None:
    """An explicit destination must lie on the case's route."""
    if to_unit.pk not in route_units(case) or to_unit.pk == case.current_unit_id:
        raise ValidationFailed(
            _("%(u)s 不在本办件的办理路径上") % {"u": to_unit.name}, field="to_unit"
        )


IN_TRANSIT = frozenset({State.FORWARDED, State.REFERRED, State.RETURNING})


def relay_holding(
    *, state: str, current: int, accepting: int | None, deciding: int, intake: int
) -> bool:
    """Whether the unit holding the case holds it as a relay (RULES.md "The route": a relay hop
    has a holding limit): a case sent and not yet received, a case before acceptance at a unit
    that neither accepts nor decides it (the village station of a county item, the township of a
    county item it does not accept), a result on its way back at a unit that neither decided nor
    delivers it (the township centre between the department and the village)."""
    if accepting is None:  # errands have no route
        return False
    if state in IN_TRANSIT:
        return True
    if state in (State.SUBMITTED, State.AWAITING_MATERIALS):
        return current not in (accepting, deciding)
    if state in (State.CONCLUDED, State.TO_DELIVER):
        return current not in (intake, deciding)
    return False


def case_relay_holding(case) -> bool:
    return relay_holding(
        state=case.state,
        current=case.current_unit_id,
        accepting=case.accepting_unit_id,
        deciding=case.deciding_unit_id,
        intake=case.intake_unit_id,
    )
