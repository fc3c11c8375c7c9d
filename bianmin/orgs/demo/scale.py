"""Bulk case history for the demo county (and city): `bianmin seed-demo --scale county|city`.

Hundreds of thousands of cases cannot go through `case_register` and `case_transition` one call
at a time in minutes, so this module replays the same workflow in memory and writes the rows with
`bulk_create` in batches. What it writes is what the services would have written for the same
sequence of actions:

- every state change follows a row of `bianmin.cases.workflow.TABLE`, taken by a user whose role
  and unit that row allows, and writes the event the engine writes (same action, states and data
  keys), hash-chained exactly as `bianmin.cases.chain.event_hash` hashes, so `bianmin audit verify`
  holds;
- dates agree with the state (accepted_on from acceptance on, decided_on, concluded_on, closed_on),
  deadlines and step due dates come from the working-day calendar exactly as
  `bianmin.cases.deadlines.deadlines_compute` and `effects.base.advance_step` compute them
  (closed pauses included), custody records every hop between units;
- nothing happens after `until` (default today): a case submitted last week is still open, in
  whatever state its planned history had reached by then.

Everything is drawn from one generator seeded with the seed, so the same seed and the same
`until` give the same data. Supervision alerts are not generated: the sweep makes them.
"""

import datetime as dt
import hashlib
import json
import random
import time
import zoneinfo
from bisect import bisect_right
from collections import defaultdict
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from bianmin.cases.deadlines import (
    DELIVERY_DAYS,
    EXTENSION_DAYS,
    JOINT_EXTENSION_DAYS,
    PROXY_EXTRA_DAYS,
)
from bianmin.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    Custody,
    Delivery,
    MaterialStatus,
    OneTimeNotice,
    Pause,
    PauseKind,
    State,
    Step,
    SubReview,
    SuspensionReason,
)
from bianmin.cases.numbers import ALPHABET, check_char, prefix
from bianmin.catalog.models import CaseClass, Fee, ItemVersion, Material, StepTemplate, Tier
from bianmin.common.validators import uscc_check_char
from bianmin.orgs.models import UNIT_TIER, RoleCode, Staff, Unit, UnitKind
from bianmin.ratings.models import Rating, RatingChannel, RatingKind
from bianmin.workdays import calendar

from . import places
from .names import NameSource

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
SIGNATURE = "cases/signatures/demo-signature.png"
# A 1x1 white PNG: every bulk delivery points at this one file (the demo has no real signatures).
SIGNATURE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da63f8ffff3f0005fe02fea7d6a48a0000000049454e44ae426082"
)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

HANDLERS = {RoleCode.AGENT, RoleCode.WINDOW_STAFF, RoleCode.CHIEF_REPRESENTATIVE}
DECIDER_ROLES = {RoleCode.APPROVER, RoleCode.CHIEF_REPRESENTATIVE, RoleCode.HEAD}


# ---------------------------------------------------------------------------------------------
# Working days, fast


class Workdays:
    """`calendar.add_workdays` without pauses in O(1): the index of every working day in a range.

    Answers equal `calendar.add_workdays` (tested); with pauses that matter the real function runs.
    """

    def __init__(self, first: dt.date, last: dt.date):
        self.snap = calendar.snapshot()
        self.first = first
        self.days = []  # working days in [first, last]
        d = first
        while d <= last:
            if self.snap.is_workday(d):
                self.days.append(d)
            d += dt.timedelta(days=1)
        self.ordinals = [d.toordinal() for d in self.days]

    def add(self, start: dt.date, n: int, pauses=()) -> calendar.DateAnswer:
        if pauses and any(end > start for _s, end in pauses):
            return calendar.add_workdays(start, n, pauses, snap=self.snap)
        if n == 0:
            return calendar.DateAnswer(start, False)
        # Working days strictly after `start`: the first one is at index bisect_right(start).
        i = bisect_right(self.ordinals, start.toordinal()) + n - 1
        if i >= len(self.days):
            return calendar.add_workdays(start, n, snap=self.snap)
        day = self.days[i]
        return calendar.DateAnswer(day, not self.snap.covers(day))

    def on_or_after(self, day: dt.date) -> dt.date:
        i = bisect_right(self.ordinals, day.toordinal() - 1)
        return self.days[min(i, len(self.days) - 1)]


# ---------------------------------------------------------------------------------------------
# What the generator needs to know about the county, loaded once


@dataclass(frozen=True)
class Person:
    user_id: int
    name: str
    unit_id: int


@dataclass
class UnitRef:
    id: int
    name: str
    kind: str
    tier: str
    region_id: int
    region_code: str
    township_centre: "UnitRef | None" = None
    handlers: list[Person] = field(default_factory=list)
    deciders: list[Person] = field(default_factory=list)
    heads: list[Person] = field(default_factory=list)


@dataclass
class VersionRef:
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
    implementing: int
    joint: list[int]
    materials: list[tuple]  # (id, name, required, deferrable)
    steps: list[tuple]  # (position, name, tier, limit_days)
    fee: Decimal
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
    # Set by build_cases: the county's own random stream, applicant names and primary keys.
    rng: random.Random | None = None
    names: NameSource | None = None
    ids: "Ids | None" = None


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
    staff_by_unit = defaultdict(list)
    for s in Staff.objects.filter(unit__isnull=False, user__is_active=True).order_by("pk"):
        staff_by_unit[s.unit_id].append(s)
    units: dict[int, UnitRef] = {}
    raw = list(Unit.objects.select_related("region", "parent").order_by("pk"))
    for u in raw:
        kind = u.parent.kind if u.kind == UnitKind.WINDOW and u.parent_id else u.kind
        h, d, hd = _people(u.pk, staff_by_unit[u.pk])
        units[u.pk] = UnitRef(
            u.pk, u.name, u.kind, UNIT_TIER.get(kind, "county"), u.region_id, u.region.code, None
        )
        units[u.pk].handlers, units[u.pk].deciders, units[u.pk].heads = h, d, hd
    for u in raw:
        if u.kind == UnitKind.VILLAGE_STATION and u.parent_id:
            units[u.pk].township_centre = units[u.parent_id]
    counties: dict[str, CountyRef] = {}
    for u in raw:
        ref = units[u.pk]
        c = counties.setdefault(
            ref.region_code[:6], CountyRef(ref.region_code[:6], [], [], None, units, [], [], [])
        )
        if u.kind == UnitKind.VILLAGE_STATION and ref.handlers and ref.township_centre:
            c.stations.append(ref)
        elif u.kind == UnitKind.TOWNSHIP_CENTRE and ref.handlers:
            c.townships.append(ref)
        elif (
            u.kind == UnitKind.WINDOW
            and u.window_type == "general"
            and u.parent.kind == UnitKind.COUNTY_CENTRE
            and ref.handlers
            and c.window is None
        ):
            c.window = ref
    mats = defaultdict(list)
    for m in Material.objects.order_by("version_id", "position", "pk").values_list(
        "version_id", "pk", "name", "required", "deferrable"
    ):
        mats[m[0]].append(m[1:])
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
            v.implementing_unit_id,
            joint[v.pk],
            mats[v.pk],
            steps[v.pk],
            fees.get(v.pk) or Decimal("0"),
            # A few items carry most of the volume (social security, household, certificates).
            weight=rng.paretovariate(1.2),
        )
        c = counties[impl.region_code[:6]]
        if v.village_proxy:
            c.proxy_versions.append(ref)
        elif v.accept_tier == Tier.COUNTY:
            c.county_versions.append(ref)
        else:
            c.township_versions.append(ref)
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


# ---------------------------------------------------------------------------------------------
# One case, replayed


def R(**fields) -> SimpleNamespace:
    """A row to insert: attribute names as the model's `attname`s, no model machinery (speed)."""
    return SimpleNamespace(**fields)


# `bianmin.cases.chain.canonical` with its encoder built once: json.dumps with non-default
# options builds a new encoder per call, which at tens of millions of events was a hot spot.
_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def fast_event_hash(ev, case_number: str) -> str:
    """`bianmin.cases.chain.event_hash` of an event row (equal by test, and by `audit verify`)."""
    at = ev.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = {
        "case": case_number,
        "seq": ev.seq,
        "actor": ev.actor_id,
        "actor_name": ev.actor_name,
        "unit": ev.unit_id,
        "at": at,
        "action": ev.action,
        "from": ev.from_state,
        "to": ev.to_state,
        "note": ev.note,
        "data": ev.data,
        "prev": ev.prev_hash,
    }
    return hashlib.sha256(_CANONICAL(payload).encode()).hexdigest()


class _Stop(Exception):
    """The next action of the planned history lies after `until`."""


@dataclass
class Rows:
    cases: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    custodies: list = field(default_factory=list)
    pauses: list = field(default_factory=list)
    subreviews: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    deliveries: list = field(default_factory=list)
    events: list = field(default_factory=list)
    ratings: list = field(default_factory=list)

    ORDER = (
        (Case, "cases"),
        (CaseMaterial, "materials"),
        (OneTimeNotice, "notices"),
        (Custody, "custodies"),
        (Pause, "pauses"),
        (SubReview, "subreviews"),
        (Step, "steps"),
        (Delivery, "deliveries"),
        (CaseEvent, "events"),
        (Rating, "ratings"),
    )

    def count(self) -> int:
        return sum(len(getattr(self, name)) for _m, name in self.ORDER)


def first_ids() -> dict:
    """The first free primary key of every table written here."""
    return {m: (m.objects.aggregate(m=Max("pk"))["m"] or 0) + 1 for m, _n in Rows.ORDER}


class Ids:
    """Primary keys handed out in advance, so child rows can point at parents before insert.

    Each county takes every `stride`-th key from `first + offset`: counties never collide, and
    a county's keys do not depend on which process generates it or what the others do.
    """

    def __init__(self, first: dict, offset: int = 0, stride: int = 1):
        self.next = {m: n + offset for m, n in first.items()}
        self.stride = stride

    def take(self, model) -> int:
        n = self.next[model]
        self.next[model] = n + self.stride
        return n


def _id_number(rng: random.Random, county: str, today: dt.date) -> str:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange((today.year - 1958) * 365))
    body = f"{county}{born:%Y%m%d}{rng.randrange(1000):03d}"
    r = sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11
    return body + "10X98765432"[r]


def _credit_code(rng: random.Random, county: str) -> str:
    from bianmin.common.validators import org_code_check_char

    org8 = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    first17 = f"91{county}{org8}{org_code_check_char(org8)}"
    return first17 + uscc_check_char(first17)


class Replay:
    """Plans one case's history and plays it up to `until`, collecting its rows."""

    def __init__(self, gen: "Generator", county: CountyRef, n: int):
        self.g, self.c, self.rng = gen, county, county.rng
        self.rows, self.ids = gen.rows, county.ids
        self.seq = 0
        self.prev = ""
        self.case = None
        self.steps: list[Step] = []
        self.pauses: list[Pause] = []
        self.open_custody: Custody | None = None
        self.clock: dt.datetime | None = None
        self.clock_day: dt.date | None = None  # the local day of `clock`

    # -- time ---------------------------------------------------------------------------------
    def at(self, day: dt.date) -> dt.datetime:
        """A moment on `day` in office hours, after the case's previous event."""
        if day > self.g.until:
            raise _Stop
        if self.clock is not None and self.clock_day == day:
            self.clock += dt.timedelta(minutes=self.rng.randint(3, 40), seconds=self.rng.random())
            # Late steps can cross midnight; the day is looked up again only then.
            if self.clock >= self.g.midnight_utc(day):
                self.clock_day = timezone.localtime(self.clock, TZ).date()
        else:
            minute = self.rng.randint(8 * 60 + 30, 17 * 60)
            local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), TZ)
            self.clock = (local + dt.timedelta(seconds=self.rng.random() * 59)).astimezone(dt.UTC)
            self.clock_day = day
        if self.clock > self.g.now:
            raise _Stop
        return self.clock

    def wait(self, day: dt.date, lo: int, hi: int) -> dt.date:
        return self.g.wd.add(day, self.rng.randint(lo, hi)).date

    # -- records ------------------------------------------------------------------------------
    def event(self, when, actor: Person | None, action, frm="", to="", data=None, note=""):
        self.seq += 1
        ev = R(
            id=self.ids.take(CaseEvent),
            case_id=self.case.id,
            seq=self.seq,
            actor_id=actor.user_id if actor else None,
            actor_name=actor.name if actor else "系统",
            unit_id=actor.unit_id if actor else None,
            at=when,
            action=action,
            from_state=frm,
            to_state=to,
            note=note,
            # The engine round-trips data through JSON; ours holds only str, int, bool and lists
            # of them, which come back unchanged, so the round trip is skipped.
            data=data or {},
            prev_hash=self.prev,
        )
        ev.hash = fast_event_hash(ev, self.case.number)
        self.prev = ev.hash
        self.rows.events.append(ev)
        if to:
            self.case.state = to

    def closed_pauses(self):
        return [(p.started_on, p.ended_on) for p in self.pauses if p.ended_on is not None]

    def deadlines(self) -> None:
        """`deadlines_compute`, on the fast calendar."""
        case, v = self.case, self.v
        pauses = self.closed_pauses()
        add = self.g.wd.add
        promised = add(case.accepted_on, v.promised + case.extended_days, pauses)
        statutory = add(case.accepted_on, v.statutory + case.extended_days, pauses)
        answers = [promised, statutory]
        case.promised_due, case.statutory_due = promised.date, statutory.date
        if case.channel == "proxy":
            proxy = add(
                case.accepted_on, v.promised + case.extended_days + PROXY_EXTRA_DAYS, pauses
            )
            case.proxy_due = proxy.date
            answers.append(proxy)
        if case.decided_on is not None:
            delivery = add(case.decided_on, DELIVERY_DAYS)
            case.delivery_due = delivery.date
            answers.append(delivery)
        case.deadlines_provisional = any(a.provisional for a in answers)

    def advance(self, day: dt.date, finish_all: bool = False) -> None:
        """`effects.base.advance_step`."""
        current = next((s for s in self.steps if s.finished_on is None), None)
        if current is None:
            return
        for s in self.steps[self.steps.index(current) :]:
            if s.finished_on is None and (s is current or finish_all):
                s.started_on = s.started_on or day
                s.finished_on = day
        following = next((s for s in self.steps if s.finished_on is None), None)
        if following is not None:
            following.started_on = day
            following.due_on = self.g.wd.add(day, following.limit_days, self.closed_pauses()).date

    def send(self, when, actor: Person, to: UnitRef, frm: str, state: str) -> None:
        self.open_custody = R(
            id=self.ids.take(Custody),
            case_id=self.case.id,
            from_unit_id=self.cur.id,
            to_unit_id=to.id,
            sent_at=when,
            sent_by_id=actor.user_id,
        )
        self.rows.custodies.append(self.open_custody)
        self.event(when, actor, "forward" if state != State.RETURNING else "hand_back", frm,
                   state, {"from_unit": self.cur.name, "to_unit": to.name})  # fmt: skip
        self.cur = to
        self.case.current_unit_id = to.id
        self.case.assigned_to_id, self.case.assigned_at = None, None

    def receive(self, when, actor: Person, frm: str, to: str) -> None:
        if self.open_custody is not None:
            self.open_custody.received_at, self.open_custody.received_by_id = when, actor.user_id
            self.open_custody = None
        self.event(when, actor, "receive", frm, to, {"unit": self.cur.name})

    # -- who acts -------------------------------------------------------------------------------
    def handler(self, unit: UnitRef) -> Person:
        return self.rng.choice(unit.handlers)

    def hall(self, unit: UnitRef) -> Person:
        """HALL roles for `unit`: a village station's township centre acts for it."""
        if unit.kind == UnitKind.VILLAGE_STATION:
            unit = unit.township_centre
        return self.rng.choice(unit.handlers)

    def decider(self, unit: UnitRef) -> Person:
        if unit.kind == UnitKind.VILLAGE_STATION or not unit.deciders:
            unit = unit.township_centre or unit
        return self.rng.choice(unit.deciders or unit.handlers)

    def head(self, unit: UnitRef) -> Person | None:
        if unit.kind == UnitKind.VILLAGE_STATION:
            unit = unit.township_centre
        return self.rng.choice(unit.heads) if unit.heads else None

    # -- routing (bianmin.cases.routing) --------------------------------------------------------
    def can_accept_here(self) -> bool:
        return self.cur.id == self.deciding.id or self.cur.tier == self.v.accept_tier

    def next_hop(self) -> UnitRef:
        if self.case.accepted_on is not None or self.cur.tier == self.v.accept_tier:
            return self.deciding
        if self.cur.kind == UnitKind.VILLAGE_STATION:
            return self.cur.township_centre or self.deciding
        return self.deciding

    # -- the plan -------------------------------------------------------------------------------
    def choose(self, submitted: dt.date) -> None:
        rng, c = self.rng, self.c
        roll = rng.random()
        station = rng.choice(c.stations)
        # Channel mix: about half proxied by village agents, a quarter at township halls, the
        # rest at the county hall or online (a county without such items shifts the share).
        if not c.county_versions:
            roll *= 0.70
        if not c.local_versions:
            roll = roll * 0.46 if roll < 0.70 else roll
        if not c.proxy_versions:
            roll = 0.46 + roll * 0.54
        if roll < 0.46:
            channel, v = "proxy", self.g.pick(c.proxy_versions, rng)
            intake = station
        elif roll < 0.70:
            v = self.g.pick(c.local_versions, rng)
            channel = rng.choice(("window", "window", "window", "appointment", "home_visit"))
            intake = station.township_centre if v.accept_tier != Tier.VILLAGE else station
        else:
            v = self.g.pick(c.county_versions, rng)
            channel = rng.choice(("window", "online", "online", "appointment"))
            impl = c.units[v.implementing]
            intake = c.window if channel == "window" and c.window else impl
            if not intake.handlers:
                intake = c.window or station.township_centre
        self.v, self.intake, self.cur, self.channel = v, intake, intake, channel
        if v.decide_tier == Tier.VILLAGE:
            self.deciding = intake
        elif v.decide_tier == Tier.TOWNSHIP:
            if intake.kind == UnitKind.TOWNSHIP_CENTRE:
                self.deciding = intake
            elif intake.township_centre is not None:
                self.deciding = intake.township_centre
            else:
                self.deciding = c.units[v.implementing]
        else:
            self.deciding = c.units[v.implementing]
        if not self.deciding.handlers:
            raise _Stop  # a unit nobody staffs takes no cases
        self.submitted = submitted

    def play(self, submitted: dt.date) -> Case | None:
        try:
            self.choose(submitted)
        except _Stop:
            return None
        rng, v, g = self.rng, self.v, self.g
        actor = self.handler(self.intake)
        try:
            when = self.at(submitted)
        except _Stop:
            return None
        person = rng.random() < 0.88
        number_body = f"{prefix()}-{self.intake.region_code}-{submitted:%Y%m%d}-" + "".join(
            rng.choice(ALPHABET) for _ in range(8)
        )
        proxy = self.channel == "proxy"
        names = self.c.names
        self.case = case = R(
            id=self.ids.take(Case),
            number=f"{number_body}-{check_char(number_body)}",
            item_version_id=v.id,
            case_class=v.case_class,
            channel=self.channel,
            state=State.SUBMITTED,
            applicant_kind="person" if person else "enterprise",
            applicant_name=names.person() if person else f"汉中{names.person()[1:]}商贸有限公司",
            id_number=_id_number(rng, self.c.code, g.until) if person else "",
            credit_code="" if person else _credit_code(rng, self.c.code),
            phone=names.mobile(),
            contact="" if person else names.person(),
            address=f"{self.intake.name.removesuffix('便民服务站')}{rng.randint(1, 12)}组",
            subject="",
            intake_unit_id=self.intake.id,
            current_unit_id=self.intake.id,
            deciding_unit_id=self.deciding.id,
            region_id=self.intake.region_id,
            first_responder_id=actor.user_id,
            agent_id=g.staff_pk.get(actor.user_id) if proxy else None,
            entrusted_at=when if proxy else None,
            entrustment_signed=proxy,
            entrustment_text=f"委托代办：{v.name}" if proxy else "",
            submitted_on=submitted,
            accepted_on=None,
            decided_on=None,
            concluded_on=None,
            closed_on=None,
            promised_due=None,
            statutory_due=None,
            proxy_due=None,
            delivery_due=None,
            deadlines_provisional=False,
            extended_days=0,
            extension_reason="",
            approved=None,
            reasons="",
            resume_state="",
            certificate_number="",
            fee_total=v.fee,
            created_at=when,
        )
        self.rows.cases.append(case)
        # The checklist: all in, or one material short (a notice follows), or one deferred.
        plan_notice = rng.random() < 0.12 and any(m[2] for m in v.materials)
        deferrable = [m for m in v.materials if m[3]]
        plan_defer = not plan_notice and deferrable and v.promised >= 3 and rng.random() < 0.05
        missing = rng.choice([m for m in v.materials if m[2]])[0] if plan_notice else None
        deferred = rng.choice(deferrable)[0] if plan_defer else None
        self.mats = {}
        for mid, name, required, _d in v.materials:
            row = R(
                id=self.ids.take(CaseMaterial),
                case_id=case.id,
                material_id=mid,
                name=name,
                required=required,
                status=MaterialStatus.PROVIDED,
                provided_on=submitted,
            )
            if mid == missing:
                row.status, row.provided_on = MaterialStatus.MISSING, None
            elif mid == deferred:
                days = rng.randint(1, v.promised)
                row.status, row.provided_on = MaterialStatus.DEFERRED, None
                row.due_on = g.wd.add(submitted, days).date
                row.commitment = "本人承诺在期限内补交该材料，逾期未补交的承担相应责任。"
            self.mats[mid] = row
            self.rows.materials.append(row)
        self.rows.custodies.append(
            R(
                id=self.ids.take(Custody),
                case_id=case.id,
                from_unit_id=None,
                to_unit_id=self.intake.id,
                sent_at=when,
                sent_by_id=actor.user_id,
                received_at=when,
                received_by_id=actor.user_id,
            )
        )
        self.event(
            when,
            actor,
            "entrust" if proxy else "register",
            to=State.SUBMITTED,
            data={"channel": self.channel, "item": v.name, "unit": self.intake.name},
        )
        with suppress(_Stop):
            self.history(submitted, missing, deferred)
        case.updated_at = self.clock
        self.rows.steps.extend(self.steps)
        return case

    def history(self, day: dt.date, missing, deferred) -> None:
        rng, v, case = self.rng, self.v, self.case
        # A stalled case waits far longer at one stage: the open overdue cases of the queues.
        stall = rng.choice(("notice", "accept", "review", "decide", "deliver"))
        stalled = rng.random() < 0.025
        slow = {stall: rng.randint(15, 90)} if stalled else {}
        if missing is not None:
            day = self.wait(day, 0, 2)
            who = self.handler(self.cur)
            count = 1
            names = [self.mats[missing].name]
            notice_no = f"{case.number}-N{count}"
            when = self.at(day)
            self.rows.notices.append(
                R(
                    id=self.ids.take(OneTimeNotice),
                    case_id=case.id,
                    number=notice_no,
                    issued_on=day,
                    issued_at=when,
                    issued_by_id=who.user_id,
                    unit_id=who.unit_id,
                    item_version_id=v.id,
                    materials=[{"material": missing, "name": names[0]}],
                )
            )
            pause = R(
                id=self.ids.take(Pause),
                case_id=case.id,
                kind=PauseKind.NOTICE_WAIT,
                started_on=day,
                ended_on=None,
            )
            self.pauses.append(pause)
            self.rows.pauses.append(pause)
            case.resume_state = State.SUBMITTED
            self.event(when, who, "notify_missing", State.SUBMITTED, State.AWAITING_MATERIALS,
                       {"missing": [missing], "notice": notice_no, "materials": names})  # fmt: skip
            if rng.random() < 0.06:
                day = self.wait(day, 10, 30)
                when = self.at(day)
                pause.ended_on = day
                case.concluded_on = day
                # The engine keeps resume_state on a withdrawal (only PREVIOUS targets clear it).
                self.event(when, self.handler(self.intake), "withdraw", State.AWAITING_MATERIALS,
                           State.WITHDRAWN, {"reason": "申请人放弃补正"})  # fmt: skip
                return
            day = self.wait(day, 1, 8 + slow.get("notice", 0))
            when = self.at(day)
            m = self.mats[missing]
            m.status, m.provided_on = MaterialStatus.PROVIDED, day
            pause.ended_on = day
            case.resume_state = ""
            self.event(when, self.handler(self.intake), "supplement", State.AWAITING_MATERIALS,
                       State.SUBMITTED, {"materials": [f"{m.name}: provided"]})  # fmt: skip
        while not self.can_accept_here():
            nxt = self.next_hop()
            day = self.wait(day, 0, 2)
            self.send(self.at(day), self.handler(self.cur), nxt, State.SUBMITTED, State.FORWARDED)
            day = self.wait(day, 0, 1)
            self.receive(self.at(day), self.handler(nxt), State.FORWARDED, State.SUBMITTED)
        if self.cur.kind != UnitKind.VILLAGE_STATION and rng.random() < 0.03:
            day = self.wait(day, 0, 2)
            when = self.at(day)
            reasons = "申请事项不属于本机关职权范围，已告知申请人向有关机关申请。"
            case.reasons, case.concluded_on = reasons, day
            self.event(when, self.hall(self.cur), "decline", State.SUBMITTED,
                       State.DECLINED, {"reasons": reasons})  # fmt: skip
            return
        day = self.wait(day, 0, 1 + slow.get("accept", 0) // 20)
        self.accept(day)
        if self.cur.id != self.deciding.id:
            day = self.wait(day, 0, 1)
            self.send(self.at(day), self.hall(self.cur), self.deciding, State.ACCEPTED,
                      State.REFERRED)  # fmt: skip
            day = self.wait(day, 0, 1)
            self.receive(self.at(day), self.decider(self.deciding), State.REFERRED, State.ACCEPTED)
        if v.case_class == CaseClass.IMMEDIATE:
            self.conclude_now(day)
        else:
            day = self.handle(day, slow, deferred)
            if day is None:
                return
        self.deliver(day, slow)

    def accept(self, day: dt.date) -> None:
        case, v = self.case, self.v
        when = self.at(day)
        case.accepted_on = day
        self.deadlines()
        for i, (position, name, tier, limit) in enumerate(v.steps):
            self.steps.append(
                R(
                    id=self.ids.take(Step),
                    case_id=case.id,
                    position=position,
                    name=name,
                    tier=tier,
                    limit_days=limit,
                    started_on=day if i == 0 else None,
                    finished_on=None,
                    due_on=None,
                )
            )
        self.advance(day)
        self.event(when, self.handler(self.cur), "accept", State.SUBMITTED, State.ACCEPTED, {
            "accepted_on": str(day),
            "promised_due": str(case.promised_due),
            "statutory_due": str(case.statutory_due),
            "proxy_due": str(case.proxy_due or ""),
        })  # fmt: skip

    def decision_data(self, approved: bool, reasons: str) -> dict:
        case = self.case
        case.approved, case.reasons = approved, reasons
        case.decided_on = self.day
        self.deadlines()
        self.advance(self.day)
        return {"approved": approved, "reasons": reasons, "delivery_due": str(case.delivery_due)}

    def conclusion(self, data: dict) -> None:
        case = self.case
        if case.approved and self.v.certificate:
            case.certificate_number = f"{self.c.code}{self.day:%Y%m%d}{case.id:08d}"
            data["certificate_number"] = case.certificate_number
        case.concluded_on = self.day
        self.advance(self.day, finish_all=True)

    def conclude_now(self, day: dt.date) -> None:
        when = self.at(day)
        self.day = day
        data = self.decision_data(True, "")
        self.conclusion(data)
        self.event(when, self.handler(self.cur), "conclude", State.ACCEPTED, State.CONCLUDED, data)

    def handle(self, day: dt.date, slow: dict, deferred) -> dt.date | None:
        rng, v, case = self.rng, self.v, self.case
        unit = self.deciding
        review_in = max(0, v.promised // 3)
        day = self.wait(
            day, 0, review_in + slow.get("review", 0) + (2 if rng.random() < 0.1 else 0)
        )
        if rng.random() < 0.02:
            when = self.at(day)
            who = self.handler(self.intake)
            case.concluded_on = day
            self.event(when, who, "withdraw", State.ACCEPTED, State.WITHDRAWN,
                       {"reason": "申请人申请撤回"})  # fmt: skip
            return None
        when = self.at(day)
        self.day = day
        if v.case_class == CaseClass.JOINT:
            subs = []
            for uid in v.joint:
                sub = R(id=self.ids.take(SubReview), case_id=case.id, unit_id=uid)
                subs.append(sub)
                self.rows.subreviews.append(sub)
            self.advance(day)
            names = [self.c.units[u].name if u in self.c.units else str(u) for u in v.joint]
            self.event(when, self.decider(unit), "review", State.ACCEPTED, State.JOINT_REVIEW,
                       {"joint_units": names})  # fmt: skip
            in_review = State.JOINT_REVIEW
            refused = False
            for sub in subs:
                other = self.c.units.get(sub.unit_id)
                if other is None or not other.deciders:
                    continue
                day = self.wait(day, 0, max(1, v.promised // 3))
                at = self.at(day)
                who = self.decider(other)
                approved = rng.random() > 0.04
                refused |= not approved
                opinion = "同意" if approved else "不符合本部门审查要求"
                sub.state = SubReview.Opinion.APPROVED if approved else SubReview.Opinion.REFUSED
                sub.opinion, sub.answered_by_id = opinion, who.user_id
                sub.answered_at = at
                data = {"unit": other.name, "approved": approved, "opinion": opinion}
                if not approved:
                    data = {"reasons": opinion, **data}
                self.event(sub.answered_at, who, "opine", State.JOINT_REVIEW, State.JOINT_REVIEW,
                           data)  # fmt: skip
        else:
            self.advance(day)
            self.event(when, self.decider(unit), "review", State.ACCEPTED, State.REVIEWED)
            in_review, refused = State.REVIEWED, False
        if deferred is not None:
            m = self.mats[deferred]
            if rng.random() < 0.9:
                day = self.g.wd.add(day, 1).date if m.due_on > day else day
                when = self.at(day)
                m.status, m.provided_on = MaterialStatus.PROVIDED, day
                self.event(when, self.handler(self.intake), "supplement", in_review,
                           in_review, {"materials": [f"{m.name}: provided"]})  # fmt: skip
        if rng.random() < 0.04 and v.promised >= 3:
            day = self.wait(day, 0, 2)
            when = self.at(day)
            reason = rng.choice(SuspensionReason.values)
            told = rng.randint(3, 20)
            pause = R(
                id=self.ids.take(Pause),
                case_id=case.id,
                kind=PauseKind.SUSPENSION,
                reason=reason,
                told_days=told,
                started_on=day,
                ended_on=None,
            )
            self.pauses.append(pause)
            self.rows.pauses.append(pause)
            case.resume_state = in_review
            self.event(when, self.decider(unit), "suspend", in_review, State.SUSPENDED,
                       {"reason": reason, "told_days": told})  # fmt: skip
            day = self.wait(day, told, told + 3)
            when = self.at(day)
            pause.ended_on = day
            self.deadlines()
            case.resume_state = ""
            self.event(when, self.decider(unit), "resume", State.SUSPENDED, in_review,
                       {"promised_due": str(case.promised_due)})  # fmt: skip
        head = self.head(unit)
        if head is not None and rng.random() < 0.03 and v.promised >= 5:
            day = self.wait(day, 0, 2)
            when = self.at(day)
            joint = v.case_class == CaseClass.JOINT
            case.extended_days = JOINT_EXTENSION_DAYS if joint else EXTENSION_DAYS
            case.extension_reason = "需现场核查，经本单位负责人批准延长办理期限"
            self.deadlines()
            self.event(when, head, "extend", in_review, in_review, {
                "days": case.extended_days,
                "reason": case.extension_reason,
                "promised_due": str(case.promised_due),
                "statutory_due": str(case.statutory_due),
            })  # fmt: skip
        # Most cases are decided inside the promised limit; some run late.
        left = max(0, v.promised - review_in - 1)
        late = rng.randint(1, 8) if rng.random() < 0.05 else 0
        day = self.wait(day, 0, max(0, left) + late + slow.get("decide", 0))
        when = self.at(day)
        self.day = day
        approved = v.case_class != CaseClass.REPLY and not refused and rng.random() > 0.04
        reasons = "" if approved else "经审查，申请不符合法定条件，依法不予批准。"
        data = self.decision_data(approved, reasons)
        self.event(when, self.decider(unit), "decide", in_review, State.DECIDED, data)
        day = self.wait(day, 0, 1)
        when = self.at(day)
        self.day = day
        data = {}
        self.conclusion(data)
        self.event(when, self.hall(unit), "conclude", State.DECIDED, State.CONCLUDED, data)
        return day

    def deliver(self, day: dt.date, slow: dict) -> None:
        rng, case = self.rng, self.case
        state = State.CONCLUDED
        if self.cur.id != self.intake.id:
            day = self.wait(day, 0, 2)
            back = self.intake
            self.send(self.at(day), self.hall(self.cur), back, State.CONCLUDED, State.RETURNING)
            day = self.wait(day, 0, 2)
            self.receive(self.at(day), self.handler(back), State.RETURNING, State.TO_DELIVER)
            state = State.TO_DELIVER
        day = self.wait(day, 0, 3 + slow.get("deliver", 0) // 4)
        when = self.at(day)
        who = self.handler(self.intake)
        signer = case.applicant_name if case.applicant_kind == "person" else case.contact
        feedback = rng.choice(("", "", "满意", "办事方便，不用跑路", "感谢代办员"))
        self.rows.deliveries.append(
            R(
                id=self.ids.take(Delivery),
                case_id=case.id,
                delivered_at=when,
                delivered_by_id=who.user_id,
                signed_by_name=signer,
                signature=SIGNATURE,
                feedback=feedback,
            )
        )
        case.closed_on = day
        self.event(when, who, "deliver", state, State.CLOSED,
                   {"signed_by_name": signer, "feedback": feedback})  # fmt: skip
        if rng.random() < 0.35:
            rated = self.wait(day, 0, 2)
            if rated > self.g.until:
                return
            channel = rng.choice((RatingChannel.ONSITE, RatingChannel.ONLINE))
            level = rng.choices((5, 4, 3), weights=(70, 25, 5))[0]
            keys = ("overall", "efficiency") + (
                ("skill", "attitude")
                if channel == RatingChannel.ONSITE
                else ("guide_accuracy", "convenience", "ease_of_use")
            )
            at = self.at(rated)
            self.rows.ratings.append(
                R(
                    id=self.ids.take(Rating),
                    case_id=case.id,
                    kind=RatingKind.INITIAL,
                    channel=channel,
                    level=level,
                    indicators=dict.fromkeys(keys, level),
                    named=rng.random() < 0.6,
                    unit_id=case.deciding_unit_id,
                    intake_unit_id=case.intake_unit_id,
                    staff_user_id=case.first_responder_id,
                    rated_at=at,
                    created_at=at,
                    updated_at=at,
                )
            )


# ---------------------------------------------------------------------------------------------
# The run


@contextmanager
def _explicit_timestamps():
    """bulk_create would stamp auto_now(_add) fields with the present; history needs its own."""
    fields = [
        f
        for model, _n in Rows.ORDER
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


class Inserter:
    """Batched multi-row INSERTs of `R` rows into one model's table.

    The same statement `bulk_create` issues, values adapted as the backend adapts them, without
    building model instances or compiling the statement per batch: at millions of rows that
    compile step alone took most of the run. Per row, the columns are read with one
    `itemgetter` and only the columns that need it are converted; on SQLite, datetimes (always
    UTC-aware here) are written as Django writes them and dates are converted once per date.
    """

    def __init__(self, model, chunk: int = 5000):
        ops, qn = connection.ops, connection.ops.quote_name
        self.chunk = chunk
        fields = list(model._meta.concrete_fields)
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from _meta
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
        )
        names = [f.attname for f in fields]
        self.width = len(names)
        self.defaults = {f.attname: f.get_default() for f in fields}
        self.get = itemgetter(*names)
        sqlite = connection.vendor == "sqlite"
        self.convs = []
        for i, f in enumerate(fields):
            kind = f.get_internal_type()
            if kind == "JSONField":
                conv = lambda v, f=f: ops.adapt_json_value(v, f.encoder)  # noqa: E731
            elif kind == "DateTimeField":
                conv = _sqlite_datetime if sqlite else ops.adapt_datetimefield_value
            elif kind == "DateField":
                conv = _Memo(ops.adapt_datefield_value)
            elif kind == "DecimalField":
                conv = lambda v, f=f: ops.adapt_decimalfield_value(  # noqa: E731
                    v, f.max_digits, f.decimal_places
                )
            elif kind == "FileField":
                conv = str
            else:
                continue
            self.convs.append((i, conv))

    def values(self, row) -> list:
        d = row.__dict__
        if len(d) < self.width:
            d = {**self.defaults, **d}
        out = list(self.get(d))
        for i, conv in self.convs:
            v = out[i]
            if v is not None:
                out[i] = conv(v)
        return out

    def insert(self, rows: list) -> int:
        with connection.cursor() as cursor:
            for i in range(0, len(rows), self.chunk):
                cursor.executemany(self.sql, [self.values(r) for r in rows[i : i + self.chunk]])
        return len(rows)


def _sqlite_datetime(value: dt.datetime) -> str:
    """`DatabaseOperations.adapt_datetimefield_value` of the SQLite backend, for aware values."""
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


class _Memo(dict):
    """A converter that converts each distinct value once (dates: a few thousand in all)."""

    def __init__(self, conv):
        super().__init__()
        self.conv = conv

    def __call__(self, value):
        try:
            return self[value]
        except KeyError:
            out = self[value] = self.conv(value)
            return out


@dataclass
class ScaleResult:
    cases: int = 0
    rows: int = 0
    seconds: float = 0.0
    states: dict = field(default_factory=dict)


class Generator:
    def __init__(self, *, seed: int, until: dt.date, years: int):
        self.rng = random.Random(f"{seed}:cases")
        self.until = until
        # Nothing is dated in the future, not even later today.
        self.now = min(
            timezone.now(), dt.datetime.combine(until, dt.time(23, 59), TZ).astimezone(dt.UTC)
        )
        self.first = until.replace(year=until.year - years) + dt.timedelta(days=1)
        self.wd = Workdays(self.first - dt.timedelta(days=7), until + dt.timedelta(days=800))
        self.seed = seed
        self.staff_pk = dict(Staff.objects.values_list("user_id", "pk"))
        self.rows = Rows()
        self._weights: dict[int, tuple] = {}
        self.inserters: dict = {}
        self._midnights: dict[dt.date, dt.datetime] = {}

    def midnight_utc(self, day: dt.date) -> dt.datetime:
        """The end of local `day` in UTC, memoised (a few thousand days serve millions of events)."""
        end = self._midnights.get(day)
        if end is None:
            local = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), TZ)
            end = self._midnights[day] = local.astimezone(dt.UTC)
        return end

    def pick(self, versions: list[VersionRef], rng: random.Random) -> VersionRef:
        key = id(versions)
        if key not in self._weights or self._weights[key][0] is not versions:
            cum, total = [], 0.0
            for v in versions:
                total += v.weight
                cum.append(total)
            self._weights[key] = (versions, cum, total)
        _v, cum, total = self._weights[key]
        return versions[min(bisect_right(cum, rng.random() * total), len(versions) - 1)]

    def days(self, n: int) -> list[dt.date]:
        """`n` submission days over the period, more recent ones busier (volume grows ~30%/yr)."""
        first = self.wd.on_or_after(self.first)
        lo = bisect_right(self.wd.ordinals, first.toordinal() - 1)
        hi = bisect_right(self.wd.ordinals, self.until.toordinal())
        span = hi - lo
        out = []
        for _ in range(n):
            # Inverse of a linear density rising from 1 to 1.9 over the span.
            u = self.rng.random()
            a = 0.9
            x = ((1 + 2 * a * u * (1 + a / 2)) ** 0.5 - 1) / a
            out.append(self.wd.days[lo + min(span - 1, int(x * span))])
        out.sort()
        return out

    def flush(self) -> int:
        n = 0
        with transaction.atomic():
            for model, name in Rows.ORDER:
                objs = getattr(self.rows, name)
                if objs:
                    n += self.inserters.setdefault(model, Inserter(model)).insert(objs)
        self.rows = Rows()
        return n


def build_cases(
    *,
    seed: int,
    cases: int,
    until: dt.date | None = None,
    years: int = 3,
    batch: int = 5000,
    progress=None,
    defer_indexes: bool | None = None,
    workers: int = 1,
) -> ScaleResult:
    """Generate `cases` cases over the `years` years up to `until` across every county present.

    The submission days and each case's county are drawn first; then every county plays its
    cases from its own random stream with its own primary keys (`Ids`), so the data depend on
    the seed and `until` only, not on how the counties are shared out between processes.

    `workers` > 1 forks that many processes (Linux), each generating and inserting a share of the
    counties; it needs a database other processes can open (a file or PostgreSQL, outside any
    transaction). `defer_indexes` (default: on SQLite, outside a transaction, from 50,000 cases
    on): drop the secondary indexes of the case tables for the load and build them again at the
    end, several times faster than keeping them up to date row by row. The indexes are rebuilt
    even when the load fails; only a killed process leaves them missing (re-seed a fresh file).
    """
    started = time.monotonic()
    until = until or timezone.localdate()
    gen = Generator(seed=seed, until=until, years=years)
    counties = load_counties(gen.rng)
    if not counties:
        raise ValueError("no county with stations, townships and published items")
    first = first_ids()
    for k, c in enumerate(counties):
        c.rng = random.Random(f"{seed}:cases:{c.code}")
        c.names = NameSource(random.Random(f"{seed}:applicants:{c.code}"))
        c.ids = Ids(first, offset=k, stride=len(counties))
    days = gen.days(cases)
    plan = [(day, gen.rng.randrange(len(counties))) for day in days]
    _signature_file()
    if defer_indexes is None:
        defer_indexes = (
            cases >= 50_000 and connection.vendor == "sqlite" and not connection.in_atomic_block
        )
    workers = max(1, min(workers, len(counties)))
    with _explicit_timestamps(), _deferred_indexes(defer_indexes):
        if workers == 1:
            result = _play(gen, counties, plan, set(range(len(counties))), batch, progress)
        else:
            result = _play_in_processes(gen, counties, plan, workers, batch, progress)
    _reset_sequences()
    result.seconds = time.monotonic() - started
    return result


def _play(gen, counties, plan, mine: set, batch: int, progress) -> ScaleResult:
    """Play the cases of the counties numbered in `mine`, inserting every `batch` cases."""
    started = time.monotonic()
    result = ScaleResult()
    states: dict[str, int] = defaultdict(int)
    total = len(plan)
    for i, (day, k) in enumerate(plan, start=1):
        if k not in mine:
            continue
        case = Replay(gen, counties[k], i).play(day)
        if case is not None:
            result.cases += 1
            states[case.state] += 1
        if len(gen.rows.cases) >= batch:  # pragma: no branch
            result.rows += gen.flush()
            if progress:
                progress(i, total, time.monotonic() - started)
    result.rows += gen.flush()
    result.states = dict(states)
    return result


def _play_in_processes(gen, counties, plan, workers: int, batch: int, progress) -> ScaleResult:
    """Fork `workers` processes, each playing every `workers`-th county on its own connection."""
    import multiprocessing
    import traceback
    from queue import Empty

    from django.db import connections

    if connection.in_atomic_block:
        raise ValueError("workers > 1 cannot run inside a transaction")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()

    def child(w: int) -> None:
        try:
            # A forked child must not share the parent's connection; a long wait for the other
            # writer's lock (SQLite) is expected, not an error.
            connections.close_all()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("PRAGMA busy_timeout = 600000")
                    cursor.execute("PRAGMA cache_size = -131072")
            mine = {k for k in range(len(counties)) if k % workers == w}
            queue.put((w, _play(gen, counties, plan, mine, batch, progress if w == 0 else None)))
        except BaseException:
            queue.put((w, traceback.format_exc()))
        finally:
            connections.close_all()

    connections.close_all()
    procs = [ctx.Process(target=child, args=(w,), daemon=True) for w in range(workers)]
    for proc in procs:
        proc.start()
    answers: dict = {}
    while len(answers) < workers:
        try:
            w, answer = queue.get(timeout=5)
            answers[w] = answer
        except Empty:
            # A child killed from outside never answers: stop waiting for it.
            for w, proc in enumerate(procs):
                if w not in answers and proc.exitcode not in (None, 0):
                    answers[w] = f"worker {w} exited with code {proc.exitcode}"
    for proc in procs:
        proc.join()
    failed = [a for a in answers.values() if isinstance(a, str)]
    if failed:
        raise RuntimeError("case generation failed in a worker process:\n" + failed[0])
    result = ScaleResult()
    states: dict[str, int] = defaultdict(int)
    for part in answers.values():
        result.cases += part.cases
        result.rows += part.rows
        for state, n in part.states.items():
            states[state] += n
    result.states = dict(states)
    return result


@contextmanager
def _deferred_indexes(enabled: bool):
    """SQLite: drop the case tables' secondary indexes for the load, recreate them after."""
    if not enabled:
        yield
        return
    tables = [m._meta.db_table for m, _n in Rows.ORDER]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql, tbl_name FROM sqlite_master "
            "WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
        )
        indexes = [(name, sql) for name, sql, table in cursor.fetchall() if table in tables]
        # A larger page cache keeps the remaining (unique) indexes in memory while loading.
        cursor.execute("PRAGMA cache_size = -262144")
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)


def _signature_file() -> None:
    path = Path(settings.MEDIA_ROOT) / SIGNATURE
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(SIGNATURE_PNG)


def _reset_sequences() -> None:
    """PostgreSQL: move the id sequences past the ids handed out here (SQLite needs nothing)."""
    sql = connection.ops.sequence_reset_sql(no_style(), [m for m, _n in Rows.ORDER])
    if sql:
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


__all__ = ["ScaleResult", "Workdays", "build_cases", "load_counties", "places"]
