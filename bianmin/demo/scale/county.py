"""What the generator needs to know about the counties, loaded once: their units and staff (who
may act where), and the published item versions each county's cases are drawn from."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Sum

from bianmin.cases.routing import township_centre_of
from bianmin.catalog.models import CaseClass, Fee, ItemVersion, Material, StepTemplate, Tier
from bianmin.orgs.models import RoleCode, Staff, Unit, UnitKind

HANDLERS = {RoleCode.AGENT, RoleCode.WINDOW_STAFF, RoleCode.CHIEF_REPRESENTATIVE}
DECIDER_ROLES = {RoleCode.APPROVER, RoleCode.CHIEF_REPRESENTATIVE, RoleCode.HEAD}


@dataclass(frozen=True)
class Person:
    user_id: int | None
    name: str
    unit_id: int | None
    # Holds a role of the table's HANDLERS: the engine makes such a person the first responder of
    # an online case on their first action (首问负责). Supervisors and the applicant do not.
    handler: bool = True


@dataclass
class UnitRef:
    id: int
    name: str
    kind: str
    tier: str
    region_id: int
    region_code: str
    # `routing.township_centre_of` of the unit, looked up once.
    township_centre: "UnitRef | None" = None
    handlers: list[Person] = field(default_factory=list)
    deciders: list[Person] = field(default_factory=list)
    heads: list[Person] = field(default_factory=list)

    @property
    def pk(self) -> int:
        """The routing functions read a unit's key as `pk`."""
        return self.id


class Mat(NamedTuple):
    """A material of the item version, as the checklist copies it."""

    id: int
    name: str
    required: bool
    deferrable: bool
    pledgeable: bool
    originals: int


@dataclass
class VersionRef:
    """An item version, with the fields `routing.route_for` reads under their model names."""

    id: int
    item_id: int
    name: str
    case_class: str
    accept_tier: str
    decide_tier: str
    promised: int
    statutory: int
    proxy: bool
    certificate: bool
    implementing_unit: UnitRef
    joint: list[int]  # in `Unit`'s default order, as `joint_units.all()` gives them
    materials: list[Mat]  # in position order
    steps: list[tuple]  # (position, name, tier, limit_days)
    fee: Decimal
    online: bool = False
    county_window: UnitRef | None = None
    # Paper originals travel with every hop (`Custody.originals`): some material asks for them.
    originals: bool = False
    pledge_ok: bool = False  # 告知承诺 allowed: the item allows it and is not high-risk
    weight: float = 1.0


@dataclass
class CountyRef:
    code: str
    stations: list[UnitRef]
    townships: list[UnitRef]
    window: UnitRef | None
    units: dict[int, UnitRef]
    proxy_versions: list[VersionRef]
    township_versions: list[VersionRef]
    county_versions: list[VersionRef]
    local_versions: list[VersionRef] = field(default_factory=list)
    # Proxy items a township hall (not decided by the village) or the county window (decided by
    # the county) may take on an applicant's entrustment (沂水 2016).
    hall_proxy_versions: list[VersionRef] = field(default_factory=list)
    window_proxy_versions: list[VersionRef] = field(default_factory=list)
    supervisors: list[Person] = field(default_factory=list)


def _people(unit_id: int, staff_rows: list) -> tuple[list, list, list]:
    handlers, deciders, heads = [], [], []
    for s in staff_rows:
        p = Person(s.user_id, s.full_name, unit_id)
        roles = set(s.roles)
        if roles & (HANDLERS | DECIDER_ROLES):
            handlers.append(p)
        if roles & DECIDER_ROLES:
            deciders.append(p)
        if RoleCode.HEAD in roles:
            heads.append(p)
    return handlers, deciders, heads


def load_counties(rng: random.Random) -> list[CountyRef]:
    """Every county with stations, townships and published items, keyed by its 6-digit code."""
    staff_by_unit = defaultdict(list)
    for s in Staff.objects.filter(unit__isnull=False, user__is_active=True).order_by("pk"):
        staff_by_unit[s.unit_id].append(s)
    raw = list(Unit.objects.select_related("region", "parent").order_by("pk"))
    units: dict[int, UnitRef] = {}
    for u in raw:
        units[u.pk] = ref = UnitRef(u.pk, u.name, u.kind, u.tier, u.region_id, u.region.code)
        ref.handlers, ref.deciders, ref.heads = _people(u.pk, staff_by_unit[u.pk])
    for u in raw:
        centre = township_centre_of(u)
        units[u.pk].township_centre = units[centre.pk] if centre is not None else None
    counties: dict[str, CountyRef] = {}
    for u in raw:
        _place(u, units, counties, staff_by_unit)
    _add_versions(counties, units, raw, rng)
    for c in counties.values():
        # Township halls also take the commonest village items over the counter.
        c.local_versions = c.township_versions + c.proxy_versions[:10]
    return [
        c
        for c in counties.values()
        if c.stations
        and c.townships
        and (c.proxy_versions or c.local_versions or c.county_versions)
    ]


def _place(u: Unit, units: dict, counties: dict, staff_by_unit: dict) -> None:
    """File the unit under its county: a staffed station, township centre or general window."""
    ref = units[u.pk]
    code = ref.region_code[:6]
    c = counties.setdefault(code, CountyRef(code, [], [], None, units, [], [], []))
    if u.kind == UnitKind.VILLAGE_STATION:
        if ref.handlers and ref.township_centre:
            c.stations.append(ref)
    elif u.kind == UnitKind.TOWNSHIP_CENTRE:
        if ref.handlers:
            c.townships.append(ref)
    elif u.kind == UnitKind.WINDOW:
        general = u.window_type == "general" and u.parent.kind == UnitKind.COUNTY_CENTRE
        if general and ref.handlers and c.window is None:
            c.window = ref
    elif u.kind == UnitKind.COUNTY_CENTRE:
        c.supervisors = [
            Person(s.user_id, s.full_name, u.pk, handler=False)
            for s in staff_by_unit[u.pk]
            if RoleCode.SUPERVISOR in s.roles
        ]


def _version_parts() -> tuple[dict, dict, dict, dict]:
    """Materials, step templates, fee totals and joint units of every version, by version id."""
    mats = defaultdict(list)
    for m in Material.objects.order_by("version_id", "position", "pk").values_list(
        "version_id", "pk", "name", "required", "deferrable", "pledgeable", "originals"
    ):
        mats[m[0]].append(Mat(*m[1:]))
    steps = defaultdict(list)
    for s in StepTemplate.objects.order_by("version_id", "position").values_list(
        "version_id", "position", "name", "tier", "limit_days"
    ):
        steps[s[0]].append(s[1:])
    fees = dict(
        Fee.objects.values("version_id").annotate(t=Sum("amount")).values_list("version_id", "t")
    )
    joint = defaultdict(list)
    for vid, uid in ItemVersion.joint_units.through.objects.values_list(
        "itemversion_id", "unit_id"
    ).order_by("itemversion_id", "unit_id"):
        joint[vid].append(uid)
    return mats, steps, fees, joint


def _add_versions(counties: dict, units: dict, raw: list, rng: random.Random) -> None:
    """Sort every published version into its county's lists by channel."""
    mats, steps, fees, joint = _version_parts()
    # `Unit.Meta.ordering`: the order the engine lists an item's joint units in.
    unit_order = {u.pk: (u.region.code, u.kind, u.name) for u in raw}
    for uids in joint.values():
        uids.sort(key=lambda uid: unit_order.get(uid, ("", "", "")))
    published = ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED).order_by("pk")
    for v in published:
        impl = units.get(v.implementing_unit_id)
        if impl is None or impl.region_code[:6] not in counties:
            continue
        if v.case_class == CaseClass.JOINT and not joint[v.pk]:
            continue
        ref = VersionRef(
            v.pk,
            v.item_id,
            v.name,
            v.case_class,
            v.accept_tier,
            v.decide_tier,
            v.promised_limit,
            v.statutory_limit,
            v.village_proxy,
            v.result_is_certificate,
            impl,
            joint[v.pk],
            mats[v.pk],
            steps[v.pk],
            fees.get(v.pk) or Decimal("0"),
            online=v.online,
            county_window=units.get(v.county_window_id),
            originals=any(m.originals > 0 for m in mats[v.pk]),
            pledge_ok=v.pledge_allowed and not v.high_risk,
            # A few items carry most of the volume (social security, household, certificates).
            weight=rng.paretovariate(1.2),
        )
        c = counties[impl.region_code[:6]]
        if v.village_proxy:
            c.proxy_versions.append(ref)
            if v.decide_tier != Tier.VILLAGE:
                c.hall_proxy_versions.append(ref)
            if v.decide_tier == Tier.COUNTY:
                c.window_proxy_versions.append(ref)
        elif v.accept_tier == Tier.COUNTY:
            c.county_versions.append(ref)
        else:
            c.township_versions.append(ref)
