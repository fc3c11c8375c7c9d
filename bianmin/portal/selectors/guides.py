"""Where to go and what to bring: the public units, the service guides, a village's service card.
Public by law (公开公示): no viewer, no scope."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from bianmin.cases.models import Case
from bianmin.catalog import selectors as catalog
from bianmin.catalog.models import ItemVersion, LifeEvent, Tier
from bianmin.common.errors import NotFound
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind

from ..models import Question

# -- units (public) -------------------------------------------------------------------------


def public_units(*, kind: str | None = None) -> QuerySet[Unit]:
    qs = Unit.objects.filter(is_active=True).select_related("region", "parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "kind", "name")


def public_unit_get(*, code: str) -> Unit:
    unit = public_units().filter(code=code).first()
    if unit is None:
        raise NotFound("unit")
    return unit


def county_centre() -> Unit | None:
    return public_units(kind=UnitKind.COUNTY_CENTRE).first()


def township_centre_for_region(region: Region) -> Unit | None:
    township = region if region.level == "township" else region.parent
    return public_units(kind=UnitKind.TOWNSHIP_CENTRE).filter(region=township).first()


def station_for_region(region: Region) -> Unit | None:
    return public_units(kind=UnitKind.VILLAGE_STATION).filter(region=region).first()


def agents_of(unit: Unit) -> list[Staff]:
    """Active agents of a station (a JSON role list is filtered in Python: portable, tiny)."""
    staff = Staff.objects.filter(unit=unit, user__is_active=True).order_by("full_name")
    return [s for s in staff if RoleCode.AGENT in s.roles]


def villages() -> QuerySet[Region]:
    return Region.objects.filter(level="village").select_related("parent").order_by("code")


# -- guides ---------------------------------------------------------------------------------


def guide_list(**filters) -> QuerySet[ItemVersion]:
    """Published items by tier, department (unit code), life event and keyword words."""
    return catalog.item_list_published(**{k: v for k, v in filters.items() if v not in ("", None)})


def guide_get(*, code: str) -> ItemVersion:
    return catalog.item_get_published(code)


def life_events() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in LifeEvent.choices]


def departments() -> QuerySet[Unit]:
    return public_units(kind=UnitKind.DEPARTMENT)


@dataclass
class WhereToGo:
    """Where a person can hand an item in: village stations (proxy), township centres, county."""

    stations_by_township: list[tuple[Unit, list[Unit]]]
    townships: list[Unit]
    county: list[Unit]


def where_to_go(version: ItemVersion) -> WhereToGo:
    """Every place that takes the item, by the catalog's accepting tier and proxy flag.

    A village-proxyable item can be handed to any station's agent, who carries it up; an item the
    township accepts is taken at every township centre; a county item at the county centre's
    windows and the implementing department (issue 5 "where to go").
    """
    townships = list(public_units(kind=UnitKind.TOWNSHIP_CENTRE))
    stations = list(public_units(kind=UnitKind.VILLAGE_STATION))
    if version.accept_tier == Tier.VILLAGE and version.implementing_unit.kind == (
        UnitKind.VILLAGE_STATION
    ):
        # A village's own item (a residence certificate) is handled by that village only.
        stations = [u for u in stations if u.pk == version.implementing_unit_id]
    by_township = []
    if version.village_proxy or version.accept_tier == Tier.VILLAGE:
        for t in townships:
            mine = [s for s in stations if s.parent_id == t.pk]
            if mine:
                by_township.append((t, mine))
    county = []
    if version.accept_tier == Tier.COUNTY or version.decide_tier == Tier.COUNTY:
        centre = county_centre()
        county = [u for u in (centre, version.implementing_unit) if u is not None]
        if centre is not None:
            county[1:1] = list(public_units(kind=UnitKind.WINDOW).filter(parent=centre))
    return WhereToGo(
        stations_by_township=by_township,
        townships=townships if version.accept_tier == Tier.TOWNSHIP else [],
        county=list(dict.fromkeys(county)),
    )


def answered_questions(*, item_id: int) -> QuerySet[Question]:
    return Question.objects.filter(item_id=item_id, public_allowed=True).exclude(answer="")


# -- service card ---------------------------------------------------------------------------


def top_items_for_village(region: Region, *, limit: int = 10) -> list[ItemVersion]:
    """The items most requested in a village (by case count there), topped up with the items its
    agent can take by proxy when the village has few cases yet."""
    counts = (
        Case.objects.filter(region__code__startswith=region.code)
        .values("item_version__item_id")
        .annotate(n=Count("id"))
        .order_by("-n", "item_version__item_id")
    )
    item_ids = [row["item_version__item_id"] for row in counts]
    published = {v.item_id: v for v in catalog.item_list_published(tier=Tier.VILLAGE)}
    published.update({v.item_id: v for v in catalog.item_list_published() if v.item_id in item_ids})
    ordered = [published[i] for i in item_ids if i in published]
    for version in published.values():
        if len(ordered) >= limit:
            break
        if version not in ordered:
            ordered.append(version)
    return ordered[:limit]
