"""The public catalog API: published items only, no sign-in (公开公示)."""

import datetime as dt
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.renderers import JSONRenderer
from pydantic import Field

from bianmin.common import public_cache
from bianmin.common.schemas import PUBLIC_ERRORS, Identifier, Limit, Offset, Text, choice

from . import selectors
from .models import ItemVersion, LifeEvent, ServiceObject, Tier

router = Router(tags=["catalog"])


class UnitRef(Schema):
    code: str
    name: str
    phone: str
    address: str = ""


class ItemMaterialOut(Schema):
    position: int
    name: str
    required: bool
    deferrable: bool
    pledgeable: bool
    originals: int
    copies: int
    source: str
    template_url: str | None
    sample_url: str | None
    note: str


class FeeOut(Schema):
    name: str
    amount: Decimal
    standard: str
    legal_basis: str


class StepOut(Schema):
    position: int
    name: str
    tier: str
    tier_label: str
    limit_days: int


class CodeLabel(Schema):
    code: str
    label: str


class ItemSummary(Schema):
    code: str = Field(description="local code (本地编码)")
    basic_code: str
    implementation_code: str
    name: str
    version: int
    item_type: CodeLabel
    case_class: CodeLabel
    accept_tier: str
    decide_tier: str
    village_proxy: bool
    online: bool
    statutory_limit: int
    promised_limit: int
    implementing_unit: str
    fee: str = Field(description="“免费” when the item charges nothing")


class ItemDetail(ItemSummary):
    service_objects: list[CodeLabel]
    power_source: CodeLabel
    legal_basis: str
    acceptance_conditions: str
    implementing_unit_detail: UnitRef
    joint_departments: list[UnitRef]
    pledge_allowed: bool
    life_events: list[CodeLabel]
    contact_phone: str
    complaint_phone: str
    location: str
    result_name: str
    result_is_certificate: bool
    notes: str
    published_at: dt.datetime | None
    materials: list[ItemMaterialOut]
    fees: list[FeeOut]
    steps: list[StepOut]


class ItemPage(Schema):
    total: int
    limit: int
    offset: int
    items: list[ItemSummary]


class ListFilters(Schema):
    tier: choice(Tier.values) | None = None
    q: Text[100] | None = Field(None, description="words in the name, codes or materials")
    department: Identifier[40] | None = Field(
        None, description="unit code of the implementing or joint unit"
    )
    life_event: choice(LifeEvent.values) | None = None
    village_proxy: bool | None = None
    online: bool | None = None
    limit: Limit(200) = 20
    offset: Offset = 0


def _fee_text(v: ItemVersion) -> str:
    fees = [f for f in v.fees.all() if f.amount > 0]
    if not fees:
        return _("免费")
    return "；".join(
        f"{f.name} {f.amount}元" + (f"（{f.standard}）" if f.standard else "") for f in fees
    )


def _summary(v: ItemVersion) -> dict:
    return {
        "code": v.item.local_code,
        "basic_code": v.basic_code,
        "implementation_code": v.implementation_code,
        "name": v.name,
        "version": v.number,
        "item_type": {"code": v.item_type, "label": v.get_item_type_display()},
        "case_class": {"code": v.case_class, "label": v.get_case_class_display()},
        "accept_tier": v.accept_tier,
        "decide_tier": v.decide_tier,
        "village_proxy": v.village_proxy,
        "online": v.online,
        "statutory_limit": v.statutory_limit,
        "promised_limit": v.promised_limit,
        "implementing_unit": v.implementing_unit.name,
        "fee": _fee_text(v),
    }


def _unit(u) -> dict:
    return {"code": u.code, "name": u.name, "phone": u.phone, "address": u.address}


def _labels(choices, codes) -> list[dict]:
    names = dict(choices.choices)
    return [{"code": c, "label": str(names.get(c, c))} for c in codes]


def _detail(v: ItemVersion) -> dict:
    unit = v.implementing_unit
    return {
        **_summary(v),
        "service_objects": _labels(ServiceObject, v.service_objects),
        "power_source": {"code": v.power_source, "label": v.get_power_source_display()},
        "legal_basis": v.legal_basis,
        "acceptance_conditions": v.acceptance_conditions,
        "implementing_unit_detail": _unit(unit),
        "joint_departments": [_unit(u) for u in v.joint_units.all()],
        "pledge_allowed": v.pledge_allowed,
        "life_events": _labels(LifeEvent, v.life_events),
        # The item's own numbers first; the implementing unit's when the catalog leaves them out.
        "contact_phone": v.contact_phone or unit.phone,
        "complaint_phone": v.complaint_phone or unit.complaint_phone,
        "location": v.location or unit.address,
        "result_name": v.result_name,
        "result_is_certificate": v.result_is_certificate,
        "notes": v.notes,
        "published_at": v.published_at,
        "materials": [
            {
                "position": m.position,
                "name": m.name,
                "required": m.required,
                "deferrable": m.deferrable,
                "pledgeable": m.pledgeable,
                "originals": m.originals,
                "copies": m.copies,
                "source": m.source,
                "template_url": m.template.url if m.template else None,
                "sample_url": m.sample.url if m.sample else None,
                "note": m.note,
            }
            for m in v.materials.all()
        ],
        "fees": [
            {
                "name": f.name,
                "amount": f.amount,
                "standard": f.standard,
                "legal_basis": f.legal_basis,
            }
            for f in v.fees.all()
        ],
        "steps": [
            {
                "position": s.position,
                "name": s.name,
                "tier": s.tier,
                "tier_label": s.get_tier_display(),
                "limit_days": s.limit_days,
            }
            for s in v.steps.all()
        ],
    }


# The API's renderer (bianmin.api.api sets no other; that module is a layer above this one).
_JSON = JSONRenderer()


def _shared(request, kind: str, schema: type[Schema], build) -> HttpResponse:
    """The answer of `build()` as ninja would render it against `schema`, kept in the public
    cache: the same published catalogue for every caller, serialised once per publication."""

    def render() -> str:
        data = schema.model_validate(build()).model_dump()
        return _JSON.render(request, data, response_status=200)

    content = public_cache.cached(request, kind, render)
    return HttpResponse(content, content_type=f"{_JSON.media_type}; charset={_JSON.charset}")


@router.get(
    "", response={200: ItemPage, **PUBLIC_ERRORS}, summary="Published service items (public)"
)
def list_items(request, filters: Query[ListFilters]):
    def build() -> dict:
        qs = selectors.item_list_published(
            tier=filters.tier,
            q=filters.q,
            department=filters.department,
            life_event=filters.life_event,
            village_proxy=filters.village_proxy,
            online=filters.online,
        )
        total = qs.count()
        page = qs[filters.offset : filters.offset + filters.limit]
        return {
            "total": total,
            "limit": filters.limit,
            "offset": filters.offset,
            "items": [_summary(v) for v in page],
        }

    return _shared(request, "item_list", ItemPage, build)


@router.get(
    "/{code}",
    response={200: ItemDetail, **PUBLIC_ERRORS},
    summary="One published item by local, implementation or basic code (public)",
)
def get_item(request, code: Identifier[40]):
    return _shared(request, "item", ItemDetail, lambda: _detail(selectors.item_get_published(code)))
