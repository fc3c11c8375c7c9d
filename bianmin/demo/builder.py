"""Build the demo county through the orgs and catalog services.

Every region, unit, staff profile and item version goes through the same service (and so the same
`full_clean`) that an administrator's edit would. Two things are done in bulk for speed: the demo
password is hashed once and written to every account afterwards, and the whole build runs in one
transaction, so a failure leaves the database as it was.

Each part draws from its own generator seeded with the seed and the part's name, so the regions
stay the same when, say, the staff lists change.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from bianmin.orgs import services as org
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind, WindowType

from .catalog_build import build_catalog
from .counties import HANTAI, CountyPlace, part_rng
from .departments import BRANCH_WINDOWS, DEPARTMENTS
from .names import NameSource
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


# ---------------------------------------------------------------------------------------------
# Regions and units


def plan_regions(
    seed: int, place: CountyPlace = HANTAI
) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Township (code, name, [(village code, village name)]) of the county, without touching the DB.

    Codes follow RULES.md "Division codes": 001-199 居委会 (社区) and 200-399 村委会 under their
    township; real lists number villages from 201.
    """
    names = NameSource(part_rng(seed, "regions", place))
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
    names = NameSource(part_rng(seed, "units", place))
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
    names = NameSource(part_rng(seed, "staff", place))
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
# The county's oversight of red alerts (supervision.OversightRule): the unit above is told after
# this many working days over a deadline, the supervisor's 督办 queue takes the case after that many.
ESCALATE_NOTIFY_HIGHER_DAYS, ESCALATE_SUPERVISOR_DAYS = 3, 10


def build_oversight_rules() -> None:
    from bianmin.supervision.models import OversightAction, OversightRule

    OversightRule.objects.bulk_create(
        [
            OversightRule(
                days_over=ESCALATE_NOTIFY_HIGHER_DAYS, action=OversightAction.NOTIFY_HIGHER
            ),
            OversightRule(
                days_over=ESCALATE_SUPERVISOR_DAYS, action=OversightAction.SUPERVISOR_QUEUE
            ),
        ]
    )


@transaction.atomic
def build_demo(*, seed: int = DEFAULT_SEED) -> DemoCounty:
    """Build the whole demo county: regions, units, staff, the published catalog and the
    oversight rules of its supervision."""
    county, tree = build_regions(seed)
    demo = build_units(seed, county, tree)
    staff = build_staff(seed, demo)
    admin = next(s.user for s in staff if s.user.username == "admin")
    build_catalog(seed, demo, actor=admin)
    build_training(seed, demo)  # training.py: the organisers' sessions (RULES.md "Training")
    build_oversight_rules()
    return demo
