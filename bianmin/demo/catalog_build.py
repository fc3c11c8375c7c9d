"""The demo county's catalog: the item templates (`catalog_proxy`, `catalog_county`) expanded
into items and published through the catalog services, each with its materials, steps and fees.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection

from bianmin.catalog import services as catalog
from bianmin.catalog.models import CaseClass, Fee, Material, StepTemplate, Tier

from .catalog_county import COUNTY_ITEMS, REPLY_ITEMS, TOWNSHIP_ITEMS
from .catalog_proxy import PROXY_ITEMS
from .counties import part_rng
from .departments import DEPARTMENTS, GENERAL_INTAKE
from .names import credit_code
from .templates import T

if TYPE_CHECKING:
    from .builder import DemoCounty

TIER_PLACE = {
    Tier.VILLAGE: "村(社区)便民服务站",
    Tier.TOWNSHIP: "镇(街道)便民服务中心",
    Tier.COUNTY: "区政务服务中心",
}


# Paper the deciding unit keeps: receipts and invoices (a reimbursement pays against them) and
# the medical, death and cremation certificates a registration collects.
RECEIPTS = ("发票", "票据", "结算单", "费用清单")
ORIGINAL_PAPER = (*RECEIPTS, "医学证明", "诊断证明", "死亡证明", "火化证明")


def _material(name: str, *, pledge_ok: bool) -> dict:
    """A material row from its template name (see `templates` for the ~ and ! markers).

    网上传件 (RULES.md "The route"): what the station scans travels with the case; the paper
    original goes along only where the item needs it: the forms and statements the applicant
    signs, photos for a card, receipts, and the certificates a registration collects. Identity
    documents and other existing papers are checked against the original at intake (原件核验)
    and travel as scans.
    """
    deferrable = name.startswith("~")
    pledgeable = name.startswith("!") and pledge_ok
    name = name.lstrip("~!")
    is_form = name.endswith(("表", "申请书", "申请", "声明", "承诺书", "授权书", "方案"))
    photo = "照片" in name
    original = is_form or photo or any(k in name for k in ORIGINAL_PAPER)
    return {
        "name": name,
        "required": True,
        "deferrable": deferrable,
        "pledgeable": pledgeable,
        "originals": 2 if photo else 1 if original else 0,
        "copies": 0 if is_form or photo else 1,
        "source": "窗口领取或网上下载" if is_form else "申请人自备",
        "note": "可先行受理，在承诺时限内补齐" if deferrable else "",
    }


def _steps(t: T) -> list[dict]:
    """Step templates by case class; their limits add up to at most the promised limit."""
    first = {
        Tier.VILLAGE: "村级代办受理",
        Tier.TOWNSHIP: "镇级受理",
        Tier.COUNTY: "窗口受理",
    }[t.accept]
    steps = [(first, t.accept, 0)]
    # 受理关口前移: the township accepts a county item and refers it up after its preliminary
    # review (行政许可法 art. 43), a step of its own.
    relay = t.accept == Tier.TOWNSHIP and t.decide == Tier.COUNTY
    if t.case_class == CaseClass.IMMEDIATE:
        steps.append(("办结", t.decide, 0))
        return [{"name": n, "tier": tier, "limit_days": d} for n, tier, d in steps]
    days = t.promised
    if relay:
        steps.append(("镇级初审转报", Tier.TOWNSHIP, 1 if days >= 4 else 0))
    middle = {
        CaseClass.PROMISED: ["审核", "审批"],
        CaseClass.JOINT: ["联合审查", "审批决定"],
        CaseClass.ESCALATED: ["初审", "上报上级机关"],
        CaseClass.REPLY: ["核查", "书面答复"],
    }[t.case_class]
    left = days - sum(d for _n, _t, d in steps)
    first_share = left // 2
    steps.append((middle[0], t.decide, first_share))
    steps.append((middle[1], t.decide, left - first_share))
    if t.case_class != CaseClass.REPLY:
        steps.append(("办结", t.decide, 0))
    return [{"name": n, "tier": tier, "limit_days": d} for n, tier, d in steps]


def _conditions(t: T) -> str:
    if t.conditions:
        return t.conditions
    text = "申请人符合法律法规规定的条件，申请材料齐全、符合法定形式。"
    if t.proxy:
        text += "申请人可委托所在村(社区)代办员全程代办，代办不收取任何费用。"
    return text


def _notes(t: T) -> str:
    if t.decide != Tier.COUNTY:
        return f"由申请人户籍所在地{TIER_PLACE[t.decide]}办理。"
    if t.accept == Tier.TOWNSHIP:
        return "受理关口前移：由申请人所在镇(街道)便民服务中心受理并初审，报区级部门决定。"
    return ""


def expanded_items() -> list[tuple[T, int, int, str]]:
    """Every (template, template number, variant number, name) in catalog order."""
    rows = []
    for ti, t in enumerate(PROXY_ITEMS + COUNTY_ITEMS + TOWNSHIP_ITEMS + REPLY_ITEMS, start=1):
        for vi, name in enumerate(t.names(), start=1 if t.variants else 0):
            rows.append((t, ti, vi, name))
    return rows


def _child(model, version, data: dict):
    """A material, fee or step of `version`, validated like the service validates it."""
    obj = model(version=version, **data)
    # The version exists (it was just created), so only its foreign-key lookup is skipped.
    obj.full_clean(exclude=["version"])
    return obj


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans from table statistics that bulk inserts leave stale: with a county of
    units just added, publishing an item (which reads its joint units ordered by region) took
    seconds per item in the full-city test, and reading the published catalog's materials took
    over a minute in the tests after an earlier module's rolled-back county. ANALYZE is allowed
    inside the transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE orgs_region, orgs_unit, orgs_staff, catalog_item, catalog_itemversion, "
                "catalog_itemversion_joint_units, catalog_material, catalog_fee, "
                "catalog_steptemplate"
            )


def build_catalog(seed: int, demo: "DemoCounty", *, actor=None) -> int:
    """Publish the county's item list: one published version per item.

    Versions are created and published through the catalog services; their materials, fees and
    steps are validated with the same `full_clean` and inserted in bulk between the two calls,
    which turns thousands of single-row inserts into a few statements.
    """
    place = demo.place
    _refresh_planner_statistics()
    rng = part_rng(seed, "catalog", place)
    dept_index = {d.key: n for n, d in enumerate(DEPARTMENTS, start=1)}
    credit = {d.key: credit_code(n, place.code) for n, d in enumerate(DEPARTMENTS, start=1)}
    seq: dict[str, int] = {}
    complaint = demo.centre.complaint_phone
    drafts = []
    children: dict[type, list] = {Material: [], Fee: [], StepTemplate: []}
    for t, ti, vi, name in expanded_items():
        dept = demo.departments[t.dept]
        seq[t.dept] = seq.get(t.dept, 0) + 1
        basic = f"{t.item_type}{dept_index[t.dept]:03d}{ti:04d}{vi:03d}"
        pledge_ok = not t.high_risk
        # A township sends these county items to the centre's general window, not the department.
        window = (
            demo.general_windows[0]
            if t.dept in GENERAL_INTAKE and t.accept == t.decide == Tier.COUNTY
            else None
        )
        if window is not None:
            where = f"{place.level}政务服务中心{window.name}"
        elif t.accept == Tier.COUNTY:
            where = f"{place.level}政务服务中心{dept.short_name}窗口"
        else:
            where = TIER_PLACE[t.accept]
        version = catalog.item_version_create(
            local_code=f"{place.code}-{t.dept}-{seq[t.dept]:03d}",
            joint_units=[demo.departments[k] for k in t.joint],
            basic_code=basic,
            implementation_code=f"{credit[t.dept]}{basic}001",
            name=name,
            item_type=t.item_type,
            service_objects=list(t.objects),
            power_source=t.power,
            legal_basis=t.basis,
            implementing_unit=dept,
            acceptance_conditions=_conditions(t),
            statutory_limit=t.statutory,
            promised_limit=t.promised,
            case_class=t.case_class,
            accept_tier=t.accept,
            decide_tier=t.decide,
            county_window=window,
            village_proxy=t.proxy,
            # A few services are still paper-only in practice; the seed picks which.
            online=t.online and rng.random() < 0.85,
            pledge_allowed=pledge_ok and any(m.startswith("!") for m in t.materials),
            high_risk=t.high_risk,
            life_events=list(t.events),
            contact_phone=dept.phone,
            complaint_phone=complaint,
            location=place.local(where),
            result_name=t.result,
            result_is_certificate=t.certificate,
            notes=_notes(t),
        )
        drafts.append((version, t))
        for i, m in enumerate(t.materials, start=1):
            data = {"position": i, **_material(m, pledge_ok=pledge_ok)}
            children[Material].append(_child(Material, version, data))
        for f in t.fees:
            data = {
                "name": f.name,
                "amount": Decimal(f.amount),
                "standard": f.standard,
                "legal_basis": f.legal_basis,
            }
            children[Fee].append(_child(Fee, version, data))
        for i, step in enumerate(_steps(t), start=1):
            children[StepTemplate].append(_child(StepTemplate, version, {"position": i, **step}))
    for model, objs in children.items():
        model.objects.bulk_create(objs, batch_size=500)
    for version, _t in drafts:
        catalog.item_version_publish(version=version, actor=actor)
    _refresh_planner_statistics()  # the catalog just loaded in bulk is what cases read next
    demo.items = len(drafts)
    demo.proxy_items = sum(t.proxy for _v, t in drafts)
    return demo.items
