"""Build the demo county through the orgs and catalog services.

Every region, unit, staff profile and item version goes through the same service (and so the same
`full_clean`) that an administrator's edit would. Two things are done in bulk for speed: the demo
password is hashed once and written to every account afterwards, and the whole build runs in one
transaction, so a failure leaves the database as it was.

Each part draws from its own generator seeded with the seed and the part's name, so the regions
stay the same when, say, the staff lists change.
"""

import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from bianmin.catalog import services as catalog
from bianmin.catalog.models import CaseClass, Fee, Material, StepTemplate, Tier
from bianmin.orgs import services as org
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind, WindowType

from .catalog_county import COUNTY_ITEMS, REPLY_ITEMS, TOWNSHIP_ITEMS
from .catalog_proxy import PROXY_ITEMS
from .counties import HANTAI, CountyPlace
from .departments import BRANCH_WINDOWS, DEPARTMENTS, GENERAL_INTAKE
from .names import NameSource, credit_code
from .templates import T
from .training import build_training

DEMO_PASSWORD = "bianmin-demo"  # noqa: S105 - the published demo password, never a real one
DEFAULT_SEED = 2026

COUNTY_HOURS = "周一至周五 8:30-12:00，14:30-18:00（冬季 14:00-17:30）；周六上午延时服务"
TOWNSHIP_HOURS = "周一至周五 8:30-12:00，14:30-18:00；节假日值班电话受理"
VILLAGE_HOURS = "周一至周五 9:00-17:00；农忙时节可电话预约上门代办"


@dataclass
class TownshipUnits:
    region: Region
    centre: Unit
    stations: list[Unit] = field(default_factory=list)


@dataclass
class DemoCounty:
    """What the build made, for the command's summary and for tests."""

    county: Region
    centre: Unit
    general_windows: list[Unit]
    departments: dict[str, Unit]
    townships: list[TownshipUnits]
    staff: list[Staff] = field(default_factory=list)
    items: int = 0
    proxy_items: int = 0
    place: CountyPlace = HANTAI

    @property
    def villages(self) -> int:
        return sum(len(t.stations) for t in self.townships)


def _rng(seed: int, part: str, place: CountyPlace = HANTAI) -> random.Random:
    # The demo county keeps its original streams; other counties get their own.
    if place.code == HANTAI.code:
        return random.Random(f"{seed}:{part}")
    return random.Random(f"{seed}:{place.code}:{part}")


# ---------------------------------------------------------------------------------------------
# Regions and units


def plan_regions(
    seed: int, place: CountyPlace = HANTAI
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Township (code, name, [(village code, village name)]) of the county, without touching the DB.

    Codes follow RULES.md "Division codes": 001-199 居委会 (社区) and 200-399 村委会 under their
    township; real lists number villages from 201.
    """
    names = NameSource(_rng(seed, "regions", place))
    plan = []
    for code3, tname, communities, villages in place.townships:
        # The seed moves one count by at most one, keeping the county near 200 villages.
        step = names.rng.choice((-1, 0, 1))
        if villages:
            villages += step
        else:
            communities += step
        prefix = f"{place.code}{code3}"
        if tname.endswith("街道"):
            children = [(f"{prefix}{i + 1:03d}", names.community()) for i in range(communities)]
        else:
            # A town's communities are its seat, named after the town as real lists do.
            stem = tname[:-1] if len(tname) > 2 else tname
            seat = [f"{stem}社区", f"{stem}街社区", f"{stem}新区社区"]
            children = [
                (f"{prefix}{i + 1:03d}", seat[i] if i < len(seat) else names.community())
                for i in range(communities)
            ]
        children += [(f"{prefix}{201 + i:03d}", names.village()) for i in range(villages)]
        plan.append((f"{prefix}000", tname, children))
    return plan


def build_regions(
    seed: int, place: CountyPlace = HANTAI
) -> tuple[Region, list[tuple[Region, list[Region]]]]:
    """The county, its townships and their villages, created through `region_create`."""
    county = org.region_create(code=f"{place.code}000000", name=place.name)
    tree = []
    for code, tname, children in plan_regions(seed, place):
        township = org.region_create(code=code, name=tname, parent=county)
        villages = [
            org.region_create(code=vcode, name=vname, parent=township) for vcode, vname in children
        ]
        tree.append((township, villages))
    return county, tree


def build_units(seed: int, county: Region, tree, place: CountyPlace = HANTAI) -> DemoCounty:
    """County centre with windows and departments; a centre per township; a station per village."""
    names = NameSource(_rng(seed, "units", place))
    complaint = names.landline()
    centre = org.unit_create(
        name=f"{place.name}政务服务中心",
        short_name=f"{place.level}政务服务中心",
        kind=UnitKind.COUNTY_CENTRE,
        region=county,
        code=f"C{place.code}",
        phone=names.landline(),
        complaint_phone=complaint,
        address=place.seat_address,
        office_hours=COUNTY_HOURS,
    )

    def window(name: str, code: str, window_type: str, parent: Unit) -> Unit:
        return org.unit_create(
            name=name,
            kind=UnitKind.WINDOW,
            window_type=window_type,
            region=parent.region,
            code=code,
            parent=parent,
            phone=names.landline(),
            address=parent.address,
            office_hours=parent.office_hours,
        )

    general = [
        window(f"综合受理{n}号窗口", f"W{place.code}-G{n:02d}", WindowType.GENERAL, centre)
        for n in range(1, 5)
    ]
    window("综合出件窗口", f"W{place.code}-G05", WindowType.GENERAL, centre)
    departments = {}
    for d in DEPARTMENTS:
        departments[d.key] = org.unit_create(
            name=place.local(d.name),
            short_name=place.local(d.short_name),
            kind=UnitKind.DEPARTMENT,
            region=county,
            code=f"D{place.code}-{d.key}",
            parent=centre,
            phone=names.landline(),
            complaint_phone=complaint,
            address=names.address(place.full_name),
            office_hours=COUNTY_HOURS,
        )
        if d.window:
            window(d.window, f"W{place.code}-R{d.key}", WindowType.RESIDENT, centre)
    for n, (name, _key) in enumerate(BRANCH_WINDOWS, start=1):
        window(name, f"W{place.code}-B{n:02d}", WindowType.BRANCH, centre)

    townships = []
    for township, children in tree:
        tc = org.unit_create(
            name=f"{township.name}便民服务中心",
            kind=UnitKind.TOWNSHIP_CENTRE,
            region=township,
            code=f"T{township.code[:9]}",
            parent=centre,
            phone=names.landline(),
            complaint_phone=complaint,
            address=names.address(f"{place.name}{township.name}"),
            office_hours=TOWNSHIP_HOURS,
        )
        window("综合受理窗口", f"W{township.code[:9]}-G01", WindowType.GENERAL, tc)
        window("社保医保窗口", f"W{township.code[:9]}-R01", WindowType.RESIDENT, tc)
        tu = TownshipUnits(region=township, centre=tc)
        for village in children:
            committee = "居民委员会" if village.kind_label == "社区" else "村民委员会"
            tu.stations.append(
                org.unit_create(
                    name=f"{village.name}便民服务站",
                    kind=UnitKind.VILLAGE_STATION,
                    region=village,
                    code=f"S{village.code}",
                    parent=tc,
                    phone=names.mobile(),
                    complaint_phone=tc.phone,
                    address=f"{place.name}{township.name}{village.name}{committee}院内",
                    office_hours=VILLAGE_HOURS,
                )
            )
        townships.append(tu)
    return DemoCounty(
        county=county,
        centre=centre,
        general_windows=general,
        departments=departments,
        townships=townships,
        place=place,
    )


# ---------------------------------------------------------------------------------------------
# Staff


def build_staff(seed: int, demo: DemoCounty, *, password_hash: str | None = None) -> list[Staff]:
    """Accounts for every unit; see docs/demo.md for the naming scheme.

    `password_hash`: the demo password already hashed (a city hashes it once for all counties).
    """
    place = demo.place
    names = NameSource(_rng(seed, "staff", place))
    made: list[Staff] = []

    def person(username, unit, roles, title, **kw) -> Staff:
        s = org.staff_create(
            username=f"{place.prefix}{username}",
            password=None,  # set below from one precomputed hash
            full_name=names.person(),
            unit=unit,
            roles=[str(r) for r in roles],
            phone=names.mobile(),
            title=title,
            **kw,
        )
        made.append(s)
        return s

    def pair(a: Staff, b: Staff) -> None:
        org.staff_set_backup(staff=a, backup=b)
        org.staff_set_backup(staff=b, backup=a)

    # Only the demo county's admin is a superuser; other counties' administrators are not.
    superuser = place.code == HANTAI.code
    person("admin", demo.centre, [RoleCode.ADMINISTRATOR], "系统管理员", is_superuser=superuser)
    person("supervisor", demo.centre, [RoleCode.SUPERVISOR], "电子监察员")
    person("c-window", demo.general_windows[0], [RoleCode.WINDOW_STAFF], "综合窗口受理员")
    for n, d in enumerate(DEPARTMENTS, start=1):
        unit = demo.departments[d.key]
        staff = person(
            f"d{n:02d}-staff",
            unit,
            [RoleCode.APPROVER, RoleCode.CHIEF_REPRESENTATIVE],
            "首席代表",
        )
        head_title = {"CL": "理事长", "GA": "分局局长", "HB": "分局局长", "ZR": "分局局长"}
        head = person(
            f"d{n:02d}-head",
            unit,
            [RoleCode.HEAD, RoleCode.APPROVER],
            head_title.get(d.key, "局长"),
        )
        pair(staff, head)
    for t, tu in enumerate(demo.townships, start=1):
        staff = person(
            f"t{t:02d}-staff",
            tu.centre,
            [RoleCode.WINDOW_STAFF, RoleCode.APPROVER],
            "便民服务中心工作人员",
        )
        head = person(
            f"t{t:02d}-head", tu.centre, [RoleCode.HEAD, RoleCode.APPROVER], "便民服务中心主任"
        )
        pair(staff, head)
        for v, station in enumerate(tu.stations, start=1):
            title = "社区代办员" if station.region.kind_label == "社区" else "村代办员"
            person(f"v{t:02d}{v:02d}-agent", station, [RoleCode.AGENT], title)
    # PBKDF2 once instead of once per account: the demo accounts share one password.
    get_user_model().objects.filter(pk__in=[s.user_id for s in made]).update(
        password=password_hash or make_password(DEMO_PASSWORD)
    )
    demo.staff = made
    return made


# ---------------------------------------------------------------------------------------------
# Catalog

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


def build_catalog(seed: int, demo: DemoCounty, *, actor=None) -> int:
    """Publish the county's item list: one published version per item.

    Versions are created and published through the catalog services; their materials, fees and
    steps are validated with the same `full_clean` and inserted in bulk between the two calls,
    which turns thousands of single-row inserts into a few statements.
    """
    place = demo.place
    _refresh_planner_statistics()
    rng = _rng(seed, "catalog", place)
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


# The county's escalation of red alerts (supervision.EscalationRule): the unit above is told after
# this many working days over a deadline, the supervisor's 督办 queue takes the case after that many.
ESCALATE_NOTIFY_HIGHER_DAYS, ESCALATE_SUPERVISOR_DAYS = 3, 10


def build_escalation_rules() -> None:
    from bianmin.supervision.models import EscalationAction, EscalationRule

    EscalationRule.objects.bulk_create(
        [
            EscalationRule(
                days_over=ESCALATE_NOTIFY_HIGHER_DAYS, action=EscalationAction.NOTIFY_HIGHER
            ),
            EscalationRule(
                days_over=ESCALATE_SUPERVISOR_DAYS, action=EscalationAction.SUPERVISOR_QUEUE
            ),
        ]
    )


@transaction.atomic
def build_demo(*, seed: int = DEFAULT_SEED) -> DemoCounty:
    """Build the whole demo county: regions, units, staff, the published catalog and the
    escalation rules of its supervision."""
    county, tree = build_regions(seed)
    demo = build_units(seed, county, tree)
    staff = build_staff(seed, demo)
    admin = next(s.user for s in staff if s.user.username == "admin")
    build_catalog(seed, demo, actor=admin)
    build_training(seed, demo)  # training.py: the organisers' sessions (RULES.md "Training")
    build_escalation_rules()
    return demo
