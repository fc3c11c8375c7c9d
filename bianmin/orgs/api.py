from ninja import Router, Schema

from bianmin.api.auth import staff_auth
from bianmin.common.schemas import STAFF_ERRORS, Id, Identifier, choice

from . import selectors
from .models import UnitKind

router = Router(tags=["orgs"], auth=staff_auth)


class RegionRef(Schema):
    code: str
    name: str
    level: str


class RegionOut(RegionRef):
    kind_label: str
    parent: RegionRef | None
    children: list[RegionRef]


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    window_type: str
    region_code: str
    region_name: str
    parent_id: int | None
    phone: str
    address: str
    office_hours: str


def unit_out(u) -> dict:
    return {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "window_type": u.window_type,
        "region_code": u.region.code,
        "region_name": u.region.name,
        "parent_id": u.parent_id,
        "phone": u.phone,
        "address": u.address,
        "office_hours": u.office_hours,
    }


@router.get(
    "/units", response={200: list[UnitOut], **STAFF_ERRORS}, summary="Units the caller may see"
)
def list_units(request, kind: choice(UnitKind.values) | None = None):
    return [unit_out(u) for u in selectors.unit_list(viewer=request.auth, kind=kind)]


@router.get("/units/{unit_id}", response={200: UnitOut, **STAFF_ERRORS}, summary="One unit")
def get_unit(request, unit_id: Id):
    return unit_out(selectors.unit_get(viewer=request.auth, pk=unit_id))


@router.get(
    "/regions/{code}",
    response={200: RegionOut, **STAFF_ERRORS},
    summary="A region with its children",
)
def get_region(request, code: Identifier[12]):
    region = selectors.region_get(viewer=request.auth, code=code)
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "kind_label": region.kind_label,
        "parent": region.parent,
        "children": list(selectors.region_children(viewer=request.auth, region=region)),
    }
