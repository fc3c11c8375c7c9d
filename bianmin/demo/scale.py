"""Bulk case history for the demo county (and city): `bianmin seed-demo --scale county|city`.

Hundreds of thousands of cases cannot go through `case_register` and `case_transition` one call
at a time in minutes, so this module replays the same workflow in memory and writes the rows with
`bulk_create` in batches. What it writes is what the services would have written for the same
sequence of actions:

- every state change follows a row of `bianmin.cases.workflow.TABLE`, taken by a user whose role
  and unit that row allows, and writes the event the engine writes (same action, states and
  data), hash-chained exactly as `bianmin.cases.chain.event_hash` hashes (under the configured
  `BIANMIN_CHAIN_HASH`), with the case row's tail set to its last event, so `bianmin audit verify`
  holds (tested: generated cases replayed through `case_transition` give the same rows);
- the route is `bianmin.cases.routing`'s (RULES.md "The route of a proxied case"): the station
  takes in, the township centre accepts or relays, forward-accepted county items are referred
  up, county items the township does not accept go to the item's county window or the deciding
  department, and the result comes back through the township centre; every hop is a custody
  record (originals travelling where the item's materials ask for them), `held_since` moves with
  each hop;
- dates agree with the state (accepted_on from acceptance on, decided_on, concluded_on, closed_on);
  the deciding unit's clock starts at its own acceptance or its receipt of the case accepted
  below it (`clock_started_on`), the proxy deadline runs from take-in; deadlines and step due
  dates come from the working-day calendar exactly as `bianmin.cases.deadlines.deadlines_compute`
  and `effects.base.advance_step` compute them (closed pauses included);
- nothing happens after `until` (default today): a case submitted last week is still open, in
  whatever state its planned history had reached by then.

Everything is drawn from one generator seeded with the seed, so the same seed and the same
`until` give the same data. Supervision alerts are not generated (the sweep makes them); only
the flags a transition raises itself (a false pledge, a late referral) are written with it.
"""

import datetime as dt
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
from typing import NamedTuple

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.actors import ONLINE_APPLICANT_NAME
from bianmin.cases.chain import HASHERS, chain_algorithm
from bianmin.cases.deadlines import (
    DELIVERY_DAYS,
    EXTENSION_DAYS,
    JOINT_EXTENSION_DAYS,
    LOWER_LEVEL_REVIEW_DAYS,
    PROXY_EXTRA_DAYS,
)
from bianmin.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    ChainHash,
    Custody,
    Delivery,
    FlagKind,
    MaterialStatus,
    OneTimeNotice,
    Pause,
    PauseKind,
    State,
    Step,
    SubReview,
    SupervisionFlag,
    SuspensionReason,
)
from bianmin.cases.numbers import ALPHABET, check_char, prefix
from bianmin.catalog.models import (
    TIER_ORDER,
    CaseClass,
    Fee,
    ItemVersion,
    Material,
    StepTemplate,
    Tier,
)
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
    """`calendar.add_workdays` by index: the position of every working day in a range, so an
    answer is a lookup (and a few more per closed pause) instead of a walk over the days.

    Answers equal `calendar.add_workdays`, pauses included (tested); outside the range the real
    function runs.
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
        if n == 0:
            return calendar.DateAnswer(start, False)
        ordinals = self.ordinals
        s = start.toordinal()
        # Working days strictly after `start`: the first one is at index bisect_right(start).
        i = bisect_right(ordinals, s) + n - 1
        if pauses:
            # A paused day (after a pause's start, up to and including its end) does not count:
            # every paused working day before the answer moves it one working day on.
            spans = sorted((max(a.toordinal(), s), b.toordinal()) for a, b in pauses)
            last = s
            for lo, hi in spans:
                lo = max(lo, last)  # overlapping pauses count their days once
                if hi <= lo:
                    continue
                if i >= len(ordinals) or ordinals[i] <= lo:
                    break
                i += bisect_right(ordinals, hi) - bisect_right(ordinals, lo)
                last = hi
        if i >= len(self.days):
            return calendar.add_workdays(start, n, pauses, snap=self.snap)
        day = self.days[i]
        return calendar.DateAnswer(day, not self.snap.covers(day))

    def on_or_after(self, day: dt.date) -> dt.date:
        i = bisect_right(self.ordinals, day.toordinal() - 1)
        return self.days[min(i, len(self.days) - 1)]


# ---------------------------------------------------------------------------------------------
# What the generator needs to know about the county, loaded once


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
    # `routing.township_centre_of`: itself for a township centre, its parent for a village
    # station, None at the county.
    township_centre: "UnitRef | None" = None
    handlers: list[Person] = field(default_factory=list)
    deciders: list[Person] = field(default_factory=list)
    heads: list[Person] = field(default_factory=list)


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
    joint: list[int]  # in `Unit`'s default order, as `joint_units.all()` gives them
    materials: list[Mat]  # in position order
    steps: list[tuple]  # (position, name, tier, limit_days)
    fee: Decimal
    online: bool = False
    county_window: int | None = None
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
        if u.kind == UnitKind.TOWNSHIP_CENTRE:
            units[u.pk].township_centre = units[u.pk]
        elif (
            u.kind == UnitKind.VILLAGE_STATION
            and u.parent_id
            and u.parent.kind == UnitKind.TOWNSHIP_CENTRE
        ):
            units[u.pk].township_centre = units[u.parent_id]
    # `Unit.Meta.ordering`: the order the engine lists an item's joint units in.
    unit_order = {u.pk: (u.region.code, u.kind, u.name) for u in raw}
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
        elif u.kind == UnitKind.COUNTY_CENTRE:
            c.supervisors = [
                Person(s.user_id, s.full_name, u.pk, handler=False)
                for s in staff_by_unit[u.pk]
                if RoleCode.SUPERVISOR in s.roles
            ]
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
            v.implementing_unit_id,
            joint[v.pk],
            mats[v.pk],
            steps[v.pk],
            fees.get(v.pk) or Decimal("0"),
            online=v.online,
            county_window=v.county_window_id,
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


def fast_event_hash(ev, case_number: str, algorithm: str = ChainHash.SHA256) -> str:
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
    return HASHERS[algorithm](_CANONICAL(payload).encode())


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
    flags: list = field(default_factory=list)

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
        (SupervisionFlag, "flags"),
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


DEFER_COMMITMENT = "本人承诺在期限内补交该材料，逾期未补交的承担相应责任。"
PLEDGE_COMMITMENT = "本人已知晓告知的条件和要求，承诺所述情况真实，如有虚假愿承担相应法律责任。"
FALSE_PLEDGE = "经事后核查，申请人承诺的情况与事实不符。"
SITE_FINDINGS = (
    "现场情况与申请材料一致",
    "经实地查看，申请人所述情况属实",
    "现场核实房屋及四至与图纸相符",
    "入户核查，家庭人口及收入情况与申报一致",
    "现场核查经营场所符合要求",
)


class Replay:
    """Plans one case's history and plays it up to `until`, collecting its rows.

    The route is `bianmin.cases.routing`'s: a village station takes in and accepts only village
    items; everything else goes to the station's township centre, which accepts its own items and
    the county items it may accept (受理关口前移) and refers those up, or passes the case on to
    the item's county window or the deciding department. The result comes back through the
    township centre to the station that took the case in, or to the hall that did.
    """

    def __init__(self, gen: "Generator", county: CountyRef, n: int):
        self.g, self.c, self.rng = gen, county, county.rng
        self.rows, self.ids = gen.rows, county.ids
        self.seq = 0
        self.prev = ""
        self.case = None
        self.steps: list = []
        self.pauses: list = []
        self.open_custody = None
        self.clock: dt.datetime | None = None
        self.clock_day: dt.date | None = None  # the local day of `clock`
        self.last_at: dt.datetime | None = None  # the time of the last event
        self.mats: dict = {}
        self.notice_missing: list[Mat] = []
        self.deferred: Mat | None = None
        self.pledged: Mat | None = None
        self.false_pledge = ""  # "", "terminate" (before conclusion) or "revoke" (after)

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
        elif self.clock is not None and self.clock_day > day:
            # The previous step ran past midnight: this one follows it.
            self.clock += dt.timedelta(minutes=self.rng.randint(3, 40), seconds=self.rng.random())
        else:
            minute = self.rng.randint(8 * 60 + 30, 17 * 60)
            local = dt.datetime.combine(day, dt.time(minute // 60, minute % 60), TZ)
            self.clock = (local + dt.timedelta(seconds=self.rng.random() * 59)).astimezone(dt.UTC)
            self.clock_day = day
        if self.clock > self.g.now:
            raise _Stop
        return self.clock

    def on(self, day: dt.date) -> dt.date:
        """Move the clock to `day`; the local day it is then on (the engine's "today")."""
        self.at(day)
        return self.clock_day

    def wait(self, day: dt.date, lo: int, hi: int) -> dt.date:
        return self.g.wd.add(day, self.rng.randint(lo, hi)).date

    # -- records ------------------------------------------------------------------------------
    def event(self, actor: Person, action, frm="", to="", data=None, params=None):
        """The event the engine writes for `action` by `actor`, now (`self.clock`)."""
        case, when = self.case, self.clock
        data = {} if data is None else data
        if case.first_responder_id is None and actor.handler:
            # 首问负责: an online case's owner is the first staff member who handles it.
            case.first_responder_id = actor.user_id
            data["first_responder"] = actor.name
        self.seq += 1
        ev = R(
            id=self.ids.take(CaseEvent),
            case_id=case.id,
            seq=self.seq,
            actor_id=actor.user_id,
            actor_name=actor.name,
            unit_id=actor.unit_id,
            at=when,
            action=action,
            from_state=frm,
            to_state=to,
            note="",
            # The engine round-trips data through JSON; ours holds only str, int, bool and lists
            # and dicts of them, which come back unchanged, so the round trip is skipped.
            data=data,
            prev_hash=self.prev,
            hash_algorithm=self.g.chain_hash,
        )
        ev.hash = fast_event_hash(ev, case.number, ev.hash_algorithm)
        self.prev = ev.hash
        self.last_at = when
        self.rows.events.append(ev)
        if to:
            case.state = to
        if self.g.trace is not None:
            # What `case_transition` is called with to make the same event (the tests replay it).
            self.g.trace[case.id].append((action, actor.user_id, when, params or {}))

    def flag(self, actor: Person, kind: str, detail: str, key: str = "") -> None:
        """A supervision flag the transition itself raises (`Ctx.flags`)."""
        self.rows.flags.append(
            R(
                id=self.ids.take(SupervisionFlag),
                case_id=self.case.id,
                kind=kind,
                detail=detail,
                key=key,
                raised_at=self.clock,
                raised_by_id=actor.user_id,
                resolved=False,
            )
        )

    def closed_pauses(self):
        return [(p.started_on, p.ended_on) for p in self.pauses if p.ended_on is not None]

    def deadlines(self) -> None:
        """`deadlines_compute`, on the fast calendar."""
        case, v = self.case, self.v
        pauses = self.closed_pauses()
        add = self.g.wd.add
        answers = []
        extra = v.promised + case.extended_days
        start = case.clock_started_on
        if start is not None:
            promised = add(start, extra, pauses)
            statutory = add(start, v.statutory + case.extended_days, pauses)
            case.promised_due, case.statutory_due = promised.date, statutory.date
            answers += (promised, statutory)
        if case.channel == "proxy":
            proxy = add(case.submitted_on, extra + PROXY_EXTRA_DAYS, pauses)
            case.proxy_due = proxy.date
            answers.append(proxy)
        if case.decided_on is not None:
            delivery = add(case.decided_on, DELIVERY_DAYS)
            case.delivery_due = delivery.date
            answers.append(delivery)
        case.deadlines_provisional = any(a.provisional for a in answers)

    def advance(self, day: dt.date, finish_all: bool = False, through: int | None = None) -> None:
        """`effects.base.advance_step`."""
        current = next((s for s in self.steps if s.finished_on is None), None)
        if current is None:
            return
        for s in self.steps[self.steps.index(current) :]:
            if s.finished_on is None and (
                s is current or finish_all or (through is not None and s.position <= through)
            ):
                s.started_on = s.started_on or day
                s.finished_on = day
        following = next((s for s in self.steps if s.finished_on is None), None)
        if following is not None:
            following.started_on = day
            following.due_on = self.g.wd.add(day, following.limit_days, self.closed_pauses()).date

    def send(self, actor: Person, to: UnitRef, frm: str, state: str) -> None:
        """`effects.intake.e_send`: a forward (转报), a referral (上报) or a hand-back (回交)."""
        originals = self.v.originals
        if frm == State.ACCEPTED and self.cur.tier != Tier.COUNTY:
            self.late_forward(actor)
        self.open_custody = R(
            id=self.ids.take(Custody),
            case_id=self.case.id,
            from_unit_id=self.cur.id,
            to_unit_id=to.id,
            sent_at=self.clock,
            sent_by_id=actor.user_id,
            received_at=None,
            received_by_id=None,
            originals=originals,
            note="",
        )
        self.rows.custodies.append(self.open_custody)
        data = {"from_unit": self.cur.name, "to_unit": to.name}
        if originals:
            data["originals"] = True
        action = "hand_back" if state == State.RETURNING else "forward"
        self.event(actor, action, frm, state, data, {"originals": originals})
        self.cur = to
        case = self.case
        case.current_unit_id = to.id
        # The receiving unit's holding runs from the day the case was sent to it.
        case.held_since = self.clock_day
        case.assigned_to_id, case.assigned_at = None, None

    def late_forward(self, actor: Person) -> None:
        """`effects.intake.late_forward_flag`: a lower level referring an accepted case up after
        its preliminary-review limit (行政许可法 art. 43)."""
        case, day = self.case, self.clock_day
        tier = self.cur.tier
        own = sum(s.limit_days for s in self.steps if s.tier == tier)
        limit = min(own, LOWER_LEVEL_REVIEW_DAYS) if own > 0 else LOWER_LEVEL_REVIEW_DAYS
        pauses = self.closed_pauses()
        used = calendar.workdays_between(case.accepted_on, day, pauses, snap=self.g.wd.snap)
        if used.workdays > limit:
            detail = _("%(u)s 受理后 %(n)s 个工作日才转报上级（时限 %(l)s 个工作日）") % {
                "u": self.cur.name,
                "n": used.workdays,
                "l": limit,
            }
            self.flag(actor, FlagKind.LATE_FORWARD, detail, "late_forward")

    def transit(self, day: dt.date) -> dt.date:
        """When a hop sent on `day` is received: the scans go at once, paper originals with the
        next run of the township's courier."""
        return self.wait(day, 0, 2 if self.v.originals else 1)

    def receive(self, actor: Person, frm: str, to: str) -> None:
        """`effects.intake.e_receive`; the deciding unit's clock starts at its receipt of a case
        accepted below it."""
        if self.open_custody is not None:
            self.open_custody.received_at, self.open_custody.received_by_id = (
                self.clock,
                actor.user_id,
            )
            self.open_custody = None
        data = {"unit": self.cur.name}
        if frm == State.REFERRED and self.cur.id == self.deciding.id:
            self.clock_start(self.clock_day)
            case = self.case
            data.update(promised_due=str(case.promised_due), statutory_due=str(case.statutory_due))
        self.event(actor, "receive", frm, to, data)

    def clock_start(self, day: dt.date) -> None:
        """`effects.intake._clock_start`: the steps of the tiers below are done."""
        self.case.clock_started_on = day
        self.deadlines()
        tier = self.deciding.tier
        below = [s for s in self.steps if s.tier != tier and not s.finished_on]
        if below:
            self.advance(day, through=below[-1].position)

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
    def route(self) -> None:
        """`routing.route_for`: the deciding and the accepting unit of the case."""
        v, c, intake = self.v, self.c, self.intake
        if v.decide_tier == Tier.VILLAGE:
            self.deciding = self.accepting = intake
            return
        if v.decide_tier == Tier.TOWNSHIP:
            self.deciding = intake.township_centre or c.units[v.implementing]
        else:
            self.deciding = c.units[v.implementing]
        # A village never accepts what is decided above it.
        accept = Tier.TOWNSHIP if v.accept_tier == Tier.VILLAGE else v.accept_tier
        if TIER_ORDER[intake.tier] >= TIER_ORDER[accept]:
            self.accepting = intake
        elif accept == Tier.TOWNSHIP:
            self.accepting = intake.township_centre or self.deciding
        else:
            self.accepting = c.units.get(v.county_window) or self.deciding

    def next_hop(self) -> UnitRef:
        """`routing.next_hop`."""
        if self.case.accepted_on is not None:
            return self.deciding
        if self.cur.kind == UnitKind.VILLAGE_STATION and self.accepting.id != self.cur.id:
            return self.cur.township_centre or self.accepting
        return self.accepting

    def back_hop(self) -> UnitRef:
        """`routing.back_hop`: through the intake station's township centre, then the station."""
        intake = self.intake
        if intake.kind == UnitKind.VILLAGE_STATION:
            centre, here = intake.township_centre, self.cur.township_centre
            if centre is not None and (here is None or here.id != centre.id):
                return centre
        return intake

    # -- the plan -------------------------------------------------------------------------------
    def choose(self, submitted: dt.date) -> None:
        rng, c, g = self.rng, self.c, self.g
        roll = rng.random()
        station = rng.choice(c.stations)
        # Channel mix: about half proxied, a quarter at township halls, the rest at the county
        # hall or online (a county without such items shifts the share).
        if not c.county_versions:
            roll *= 0.70
        if not c.local_versions:
            roll = roll * 0.46 if roll < 0.70 else roll
        if not c.proxy_versions:
            roll = 0.46 + roll * 0.54
        if roll < 0.46:
            # Mostly the village agent; a township hall or the county window may also take a
            # proxy request on the applicant's entrustment, and then delivers it itself.
            channel, hall = "proxy", rng.random()
            if hall < 0.01 and c.window is not None and c.window_proxy_versions:
                v, intake = g.pick(c.window_proxy_versions, rng), c.window
            elif hall < 0.06 and c.hall_proxy_versions:
                v, intake = g.pick(c.hall_proxy_versions, rng), station.township_centre
            else:
                v, intake = g.pick(c.proxy_versions, rng), station
        elif roll < 0.70:
            v = g.pick(c.local_versions, rng)
            channel = rng.choice(("window", "window", "window", "appointment", "home_visit"))
            intake = station if v.decide_tier == Tier.VILLAGE else station.township_centre
        else:
            v = g.pick(c.county_versions, rng)
            channel = rng.choice(("window", "online", "online", "appointment"))
            if channel == "online" and not v.online:
                channel = "window"
            impl = c.units[v.implementing]
            intake = c.window if channel == "window" and c.window else impl
            if not intake.handlers:
                intake = c.window or station.township_centre
        self.v, self.intake, self.cur, self.channel = v, intake, intake, channel
        self.station = station
        self.route()
        if not self.deciding.handlers or not self.accepting.handlers:
            raise _Stop  # a unit nobody staffs takes no cases
        self.submitted = submitted

    def play(self, submitted: dt.date) -> Case | None:
        try:
            self.choose(submitted)
        except _Stop:
            return None
        rng, v, g = self.rng, self.v, self.g
        online = self.channel == "online"
        actor = g.applicant if online else self.handler(self.intake)
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
            address=f"{self.station.name.removesuffix('便民服务站')}{rng.randint(1, 12)}组",
            subject="",
            intake_unit_id=self.intake.id,
            current_unit_id=self.intake.id,
            accepting_unit_id=self.accepting.id,
            deciding_unit_id=self.deciding.id,
            region_id=self.intake.region_id,
            first_responder_id=actor.user_id,
            agent_id=g.staff_pk.get(actor.user_id) if proxy else None,
            entrusted_at=when if proxy else None,
            entrustment_signed=proxy,
            entrustment_text=f"委托代办：{v.name}" if proxy else "",
            submitted_on=submitted,
            accepted_on=None,
            clock_started_on=None,
            held_since=submitted,
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
        if g.trace is not None:
            g.trace[case.id] = []
        # A proxied applicant is given the proxy deadline at take-in.
        self.deadlines()
        self.plan_materials()
        provided = []
        for m in v.materials:
            row = R(
                id=self.ids.take(CaseMaterial),
                case_id=case.id,
                material_id=m.id,
                name=m.name,
                required=m.required,
                status=MaterialStatus.PROVIDED,
                due_on=None,
                commitment="",
                provided_on=submitted,
                pledge_checked=False,
            )
            if m in self.notice_missing or m is self.deferred or m is self.pledged:
                row.status, row.provided_on = MaterialStatus.MISSING, None
            else:
                provided.append(m)
            self.mats[m.id] = row
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
                originals=False,
                note="",
            )
        )
        data = {"channel": self.channel, "item": v.name, "unit": self.intake.name}
        if online:
            # `case_submit_online`: the uploaded materials count as provided.
            files = {str(m.id): f"{m.name}.pdf" for m in sorted(provided, key=lambda m: m.id)}
            data.update(reference="", files=files)
        self.event(
            actor,
            "entrust" if proxy else "register",
            to=State.SUBMITTED,
            data=data,
            params={"unit": self.intake.id, "provided": [m.id for m in provided]},
        )
        with suppress(_Stop):
            self.history(submitted)
        case.updated_at = self.last_at
        case.lock_version = self.seq - 1  # one per transition after the intake
        case.last_event_seq, case.last_event_hash = self.seq, self.prev
        self.rows.steps.extend(self.steps)
        return case

    def plan_materials(self) -> None:
        """The checklist at take-in: all in, or some short (a one-time notice follows), or one
        to follow under 容缺 or to be pledged (告知承诺) at acceptance."""
        rng, v = self.rng, self.v
        required = [m for m in v.materials if m.required]
        roll = rng.random()
        if roll < 0.12 and required:
            k = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
            picked = set(rng.sample(range(len(required)), min(k, len(required))))
            self.notice_missing = [m for i, m in enumerate(required) if i in picked]
            return
        deferrable = [m for m in v.materials if m.deferrable]
        if roll < 0.20 and deferrable and v.promised >= 3 and self.accepting.tier != Tier.VILLAGE:
            self.deferred = rng.choice(deferrable)
            return
        pledgeable = [m for m in v.materials if m.pledgeable]
        if roll < 0.35 and pledgeable and v.pledge_ok and v.case_class != CaseClass.IMMEDIATE:
            self.pledged = rng.choice(pledgeable)
            # 事后核查: a few pledges turn out untrue, before the decision or after delivery.
            if rng.random() < 0.25:
                self.false_pledge = rng.choice(("terminate", "revoke"))

    def history(self, day: dt.date) -> None:
        rng, v = self.rng, self.v
        # A stalled case waits far longer at one stage: the open overdue cases of the queues.
        stall = rng.choice(("notice", "relay", "accept", "refer", "review", "decide", "deliver"))
        stalled = rng.random() < 0.025
        slow = {stall: rng.randint(15, 90)} if stalled else {}
        if self.notice_missing:
            day = self.notice(day, slow)
            if day is None:
                return
        # Up to the accepting unit: a station hands a case above the village to its township
        # centre; a township passes a county item it does not accept on to the county.
        while self.cur.id not in (self.accepting.id, self.deciding.id):
            nxt = self.next_hop()
            hold = slow.get("relay", 0) if self.cur.kind == UnitKind.TOWNSHIP_CENTRE else 0
            day = self.on(self.wait(day, 0, 1 + hold))
            self.send(self.handler(self.cur), nxt, State.SUBMITTED, State.FORWARDED)
            day = self.on(self.transit(day))
            self.receive(self.handler(nxt), State.FORWARDED, State.SUBMITTED)
        if self.cur.kind != UnitKind.VILLAGE_STATION and rng.random() < 0.03:
            day = self.on(self.wait(day, 0, 2))
            reasons = "申请事项不属于本机关职权范围，已告知申请人向有关机关申请。"
            self.case.reasons, self.case.concluded_on = reasons, day
            self.deadlines()
            self.event(self.hall(self.cur), "decline", State.SUBMITTED, State.DECLINED,
                       {"reasons": reasons}, {"reasons": reasons})  # fmt: skip
            return
        day = self.accept(self.wait(day, 0, 1 + slow.get("accept", 0) // 20))
        if self.cur.id != self.deciding.id:
            # Accepted below the deciding unit: referred up after the preliminary review; the
            # deciding unit's clock starts when it receives the case.
            # Some townships sit on a case a few days (supervision flags a late referral).
            hold = rng.randint(2, 6) if rng.random() < 0.03 else slow.get("refer", 0) // 3
            day = self.on(self.wait(day, 0, 1 + hold))
            self.send(self.hall(self.cur), self.deciding, State.ACCEPTED, State.REFERRED)
            day = self.on(self.transit(day))
            self.receive(self.hall(self.deciding), State.REFERRED, State.ACCEPTED)
        if v.case_class == CaseClass.IMMEDIATE:
            day = self.conclude_now(day)
        else:
            day = self.handle(day, slow)
            if day is None:
                return
        day, state = self.way_back(day)
        day = self.deliver(day, state, slow)
        self.rate(day)
        if self.false_pledge == "revoke":
            self.pledge_false(self.wait(day, 5, 40), State.CLOSED, State.REVOKED)

    def notice(self, day: dt.date, slow: dict) -> dt.date | None:
        """The one-time notice at the unit that took the case in, and the supplement: at once,
        or in two parts (the case waits until every material asked for has come)."""
        rng, case = self.rng, self.case
        day = self.on(self.wait(day, 0, 2))
        who = self.handler(self.cur)
        missing = self.notice_missing
        notice_no = f"{case.number}-N1"
        self.rows.notices.append(
            R(
                id=self.ids.take(OneTimeNotice),
                case_id=case.id,
                number=notice_no,
                issued_on=day,
                issued_at=self.clock,
                issued_by_id=who.user_id,
                unit_id=who.unit_id,
                item_version_id=self.v.id,
                materials=[{"material": m.id, "name": m.name} for m in missing],
                note="",
            )
        )
        pause = R(
            id=self.ids.take(Pause),
            case_id=case.id,
            kind=PauseKind.NOTICE_WAIT,
            reason="",
            started_on=day,
            ended_on=None,
            told_days=None,
            note="",
        )
        self.pauses.append(pause)
        self.rows.pauses.append(pause)
        case.resume_state = State.SUBMITTED
        self.event(who, "notify_missing", State.SUBMITTED, State.AWAITING_MATERIALS, {
            "missing": sorted(m.id for m in missing),
            "notice": notice_no,
            "materials": [m.name for m in missing],
        }, {"materials": []})  # fmt: skip
        if rng.random() < 0.06:
            day = self.on(self.wait(day, 10, 30))
            pause.ended_on = day
            case.concluded_on = day
            # The engine keeps resume_state on a withdrawal (only PREVIOUS targets clear it) and
            # does not recompute the deadlines.
            reason = "申请人放弃补正"
            self.event(self.handler(self.intake), "withdraw", State.AWAITING_MATERIALS,
                       State.WITHDRAWN, {"reason": reason}, {"reason": reason})  # fmt: skip
            return None
        if len(missing) > 1 and rng.random() < 0.5:
            # A partial supplement: part now, the rest later; the case keeps waiting.
            day = self.on(self.wait(day, 1, 5))
            k = rng.randint(1, len(missing) - 1)
            picked = set(rng.sample(range(len(missing)), k))
            first = [m for i, m in enumerate(missing) if i in picked]
            missing = [m for i, m in enumerate(missing) if i not in picked]
            for m in first:
                row = self.mats[m.id]
                row.status, row.provided_on = MaterialStatus.PROVIDED, day
            self.event(self.handler(self.intake), "supplement", State.AWAITING_MATERIALS,
                       State.AWAITING_MATERIALS, {
                           "materials": [f"{m.name}: provided" for m in first],
                           "still_missing": [m.name for m in missing],
                       }, {"materials": [m.id for m in first]})  # fmt: skip
        day = self.on(self.wait(day, 1, 8 + slow.get("notice", 0)))
        for m in missing:
            row = self.mats[m.id]
            row.status, row.provided_on = MaterialStatus.PROVIDED, day
        pause.ended_on = day
        self.deadlines()
        case.resume_state = ""
        self.event(self.handler(self.intake), "supplement", State.AWAITING_MATERIALS,
                   State.SUBMITTED, {"materials": [f"{m.name}: provided" for m in missing]})  # fmt: skip
        return day

    def accept(self, day: dt.date) -> dt.date:
        """`effects.intake.e_accept`: 容缺 or 告知承诺 chosen here; the clock starts only at the
        deciding unit."""
        rng, case, v = self.rng, self.case, self.v
        day = self.on(day)
        lines, params = [], {}
        if self.deferred is not None:
            m, days = self.deferred, rng.randint(1, v.promised)
            row = self.mats[m.id]
            row.status, row.provided_on = MaterialStatus.DEFERRED, None
            row.due_on = self.g.wd.add(day, days).date
            row.commitment = DEFER_COMMITMENT
            lines.append(f"{m.name}: deferred")
            entry = {"status": "deferred", "commitment": DEFER_COMMITMENT, "due_days": days}
            params = {"materials": {m.id: entry}}
        elif self.pledged is not None:
            m = self.pledged
            row = self.mats[m.id]
            row.status, row.provided_on, row.due_on = MaterialStatus.PLEDGED, None, None
            row.commitment = PLEDGE_COMMITMENT
            lines.append(f"{m.name}: pledged")
            params = {"materials": {m.id: {"status": "pledged", "commitment": PLEDGE_COMMITMENT}}}
        case.accepted_on = day
        if self.cur.id == self.deciding.id:
            case.clock_started_on = day
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
        data = {"materials": lines} if lines else {}
        data.update(
            accepted_on=str(day),
            promised_due=str(case.promised_due),
            statutory_due=str(case.statutory_due),
            proxy_due=str(case.proxy_due or ""),
        )
        self.event(self.handler(self.cur), "accept", State.SUBMITTED, State.ACCEPTED, data, params)
        return day

    def decision_data(self, day: dt.date, approved: bool, reasons: str) -> dict:
        case = self.case
        case.approved, case.reasons = approved, reasons
        case.decided_on = day
        self.deadlines()
        self.advance(day)
        return {"approved": approved, "reasons": reasons, "delivery_due": str(case.delivery_due)}

    def conclusion(self, day: dt.date, data: dict) -> dict:
        case = self.case
        params = {}
        if case.approved and self.v.certificate:
            case.certificate_number = f"{self.c.code}{day:%Y%m%d}{case.id:08d}"
            data["certificate_number"] = params["certificate_number"] = case.certificate_number
        case.concluded_on = day
        self.advance(day, finish_all=True)
        return params

    def conclude_now(self, day: dt.date) -> dt.date:
        day = self.on(day)
        data = self.decision_data(day, True, "")
        params = self.conclusion(day, data)
        self.event(self.handler(self.cur), "conclude", State.ACCEPTED, State.CONCLUDED, data,
                   params)  # fmt: skip
        return day

    def handle(self, day: dt.date, slow: dict) -> dt.date | None:
        rng, v, case = self.rng, self.v, self.case
        unit = self.deciding
        review_in = max(0, v.promised // 3)
        day = self.wait(
            day, 0, review_in + slow.get("review", 0) + (2 if rng.random() < 0.1 else 0)
        )
        if rng.random() < 0.02:
            day = self.on(day)
            case.concluded_on = day
            reason = "申请人申请撤回"
            self.event(self.handler(self.intake), "withdraw", State.ACCEPTED, State.WITHDRAWN,
                       {"reason": reason}, {"reason": reason})  # fmt: skip
            return None
        day = self.on(day)
        if v.case_class == CaseClass.JOINT:
            subs = []
            for uid in v.joint:
                sub = R(
                    id=self.ids.take(SubReview),
                    case_id=case.id,
                    unit_id=uid,
                    state=SubReview.Opinion.PENDING,
                    opinion="",
                    answered_at=None,
                    answered_by_id=None,
                )
                subs.append(sub)
                self.rows.subreviews.append(sub)
            self.advance(day)
            names = [self.c.units[u].name if u in self.c.units else str(u) for u in v.joint]
            self.event(self.decider(unit), "review", State.ACCEPTED, State.JOINT_REVIEW,
                       {"joint_units": names})  # fmt: skip
            in_review = State.JOINT_REVIEW
        else:
            self.advance(day)
            self.event(self.decider(unit), "review", State.ACCEPTED, State.REVIEWED)
            in_review, subs = State.REVIEWED, []
        if v.case_class in (CaseClass.PROMISED, CaseClass.JOINT) and rng.random() < 0.15:
            # 现场核查 (art. 34): part of review, inside the limit.
            day = self.on(self.wait(day, 0, 2))
            who = self.decider(unit)
            findings = rng.choice(SITE_FINDINGS)
            people = "、".join(sorted({who.name, self.decider(unit).name}))
            self.event(who, "site_check", in_review, in_review,
                       {"findings": findings, "checked_on": str(day), "people": people},
                       {"findings": findings, "people": people})  # fmt: skip
        refused = False
        for sub in subs:
            other = self.c.units.get(sub.unit_id)
            if other is None or not other.deciders:
                continue
            day = self.on(self.wait(day, 0, max(1, v.promised // 3)))
            who = self.decider(other)
            approved = rng.random() > 0.04
            refused |= not approved
            opinion = "同意" if approved else "不符合本部门审查要求"
            sub.state = SubReview.Opinion.APPROVED if approved else SubReview.Opinion.REFUSED
            sub.opinion, sub.answered_by_id = opinion, who.user_id
            sub.answered_at = self.clock
            data = {"unit": other.name, "approved": approved, "opinion": opinion}
            params = {"approved": approved, "opinion": opinion}
            if not approved:
                data = {"reasons": opinion, **data}
                params = {"approved": approved, "reasons": opinion}
            self.event(who, "opine", State.JOINT_REVIEW, State.JOINT_REVIEW, data, params)
        if self.deferred is not None and rng.random() < 0.9:
            m = self.mats[self.deferred.id]
            day = self.on(self.g.wd.add(day, 1).date if m.due_on > day else day)
            # `materials._check`: a provided material keeps no due date or commitment.
            m.status, m.provided_on, m.due_on, m.commitment = MaterialStatus.PROVIDED, day, None, ""
            self.event(self.handler(self.intake), "supplement", in_review, in_review,
                       {"materials": [f"{m.name}: provided"]},
                       {"materials": [self.deferred.id]})  # fmt: skip
        if self.false_pledge == "terminate":
            # The check after acceptance finds the pledge untrue: the case stops (告知承诺).
            self.pledge_false(self.wait(day, 1, 5), in_review, State.TERMINATED)
            return None
        if rng.random() < 0.04 and v.promised >= 3:
            day = self.on(self.wait(day, 0, 2))
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
                note="",
            )
            self.pauses.append(pause)
            self.rows.pauses.append(pause)
            case.resume_state = in_review
            self.event(self.decider(unit), "suspend", in_review, State.SUSPENDED,
                       {"reason": reason, "told_days": told},
                       {"reason": reason, "told_days": told})  # fmt: skip
            day = self.on(self.wait(day, told, told + 3))
            pause.ended_on = day
            self.deadlines()
            case.resume_state = ""
            self.event(self.decider(unit), "resume", State.SUSPENDED, in_review,
                       {"promised_due": str(case.promised_due)})  # fmt: skip
        head = self.head(unit)
        if head is not None and rng.random() < 0.03 and v.promised >= 5:
            day = self.on(self.wait(day, 0, 2))
            joint = v.case_class == CaseClass.JOINT
            case.extended_days = JOINT_EXTENSION_DAYS if joint else EXTENSION_DAYS
            case.extension_reason = "案情复杂，经本单位负责人批准延长办理期限"
            self.deadlines()
            self.event(head, "extend", in_review, in_review, {
                "days": case.extended_days,
                "reason": case.extension_reason,
                "promised_due": str(case.promised_due),
                "statutory_due": str(case.statutory_due),
            }, {"reason": case.extension_reason})  # fmt: skip
        # Most cases are decided inside the promised limit; some run late.
        left = max(0, v.promised - review_in - 1)
        late = rng.randint(1, 8) if rng.random() < 0.05 else 0
        day = self.on(self.wait(day, 0, max(0, left) + late + slow.get("decide", 0)))
        approved = v.case_class != CaseClass.REPLY and not refused and rng.random() > 0.04
        reasons = "" if approved else "经审查，申请不符合法定条件，依法不予批准。"
        data = self.decision_data(day, approved, reasons)
        self.event(self.decider(unit), "decide", in_review, State.DECIDED, data,
                   {"approved": approved, "reasons": reasons})  # fmt: skip
        day = self.on(self.wait(day, 0, 1))
        data = {}
        params = self.conclusion(day, data)
        self.event(self.hall(unit), "conclude", State.DECIDED, State.CONCLUDED, data, params)
        return day

    def pledge_false(self, day: dt.date, frm: str, to: str) -> None:
        """`effects.clock.e_pledge_false`: open pauses end, the pledges are marked checked, and the
        transition raises a supervision flag."""
        day = self.on(day)
        if to == State.REVOKED:
            # After delivery the case sits at the station: supervision revokes it.
            who = self.rng.choice(self.c.supervisors) if self.c.supervisors else None
            who = who or self.decider(self.cur)
        else:
            who = self.decider(self.deciding)
        for p in self.pauses:
            if p.ended_on is None:
                p.ended_on = day
        for row in self.mats.values():
            if row.status == MaterialStatus.PLEDGED:
                row.pledge_checked = True
        self.event(who, "pledge_false", frm, to, {"reason": FALSE_PLEDGE}, {"reason": FALSE_PLEDGE})
        self.flag(who, FlagKind.FALSE_PLEDGE, FALSE_PLEDGE)

    def way_back(self, day: dt.date) -> tuple[dt.date, str]:
        """The result goes back the way the case came (`routing.back_hop`)."""
        state = State.CONCLUDED
        while self.cur.id != self.intake.id:
            back = self.back_hop()
            day = self.on(self.wait(day, 0, 2))
            self.send(self.hall(self.cur), back, state, State.RETURNING)
            day = self.on(self.transit(day))
            self.receive(self.handler(back), State.RETURNING, State.TO_DELIVER)
            state = State.TO_DELIVER
        return day, state

    def deliver(self, day: dt.date, state: str, slow: dict) -> dt.date:
        rng, case = self.rng, self.case
        day = self.on(self.wait(day, 0, 3 + slow.get("deliver", 0) // 4))
        who = self.handler(self.intake)
        self.deliverer = who
        signer = case.applicant_name if case.applicant_kind == "person" else case.contact
        feedback = rng.choice(("", "", "满意", "办事方便，不用跑路", "感谢代办员"))
        self.rows.deliveries.append(
            R(
                id=self.ids.take(Delivery),
                case_id=case.id,
                delivered_at=self.clock,
                delivered_by_id=who.user_id,
                signed_by_name=signer,
                signature=SIGNATURE,
                feedback=feedback,
            )
        )
        case.closed_on = day
        self.event(who, "deliver", state, State.CLOSED,
                   {"signed_by_name": signer, "feedback": feedback},
                   {"signed_by_name": signer, "feedback": feedback})  # fmt: skip
        return day

    def rate(self, day: dt.date) -> None:
        """好差评: on the station's or window's rating pad right after delivery (the staff member
        who delivered hands it over, so the rating is named), and online a few days later."""
        rng, case = self.rng, self.case
        onsite = rng.random() < 0.3
        online = rng.random() < 0.15
        rated_day = self.wait(day, 0, 3)
        for channel, when_day in ((RatingChannel.ONSITE, day), (RatingChannel.ONLINE, rated_day)):
            if channel == RatingChannel.ONSITE and not onsite:
                continue
            if channel == RatingChannel.ONLINE and not online:
                continue
            level = rng.choices((5, 4, 3), weights=(70, 25, 5))[0]
            try:
                at = self.at(when_day)
            except _Stop:
                return
            if channel == RatingChannel.ONSITE:
                keys = ("overall", "efficiency", "skill", "attitude")
                named, rated_by = True, self.deliverer.user_id
            else:
                keys = ("overall", "efficiency", "guide_accuracy", "convenience", "ease_of_use")
                named, rated_by = rng.random() < 0.6, None
            self.rows.ratings.append(
                R(
                    id=self.ids.take(Rating),
                    case_id=case.id,
                    kind=RatingKind.INITIAL,
                    channel=channel,
                    level=level,
                    indicators=dict.fromkeys(keys, level),
                    named=named,
                    unit_id=case.deciding_unit_id,
                    intake_unit_id=case.intake_unit_id,
                    staff_user_id=case.first_responder_id,
                    rated_by_id=rated_by,
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
    def __init__(self, *, seed: int, until: dt.date, years: int, trace: dict | None = None):
        self.rng = random.Random(f"{seed}:cases")
        # case id -> [(action, actor user id, time, parameters)]: what the engine would be called
        # with to write the same history (the tests replay cases through it); None: not kept.
        self.trace = trace
        # The applicant acting online (`cases.actors.ApplicantActor`): no account, no unit.
        self.applicant = Person(None, str(ONLINE_APPLICANT_NAME), None, handler=False)
        self.until = until
        # Nothing is dated in the future, not even later today.
        self.now = min(
            timezone.now(), dt.datetime.combine(until, dt.time(23, 59), TZ).astimezone(dt.UTC)
        )
        self.first = until.replace(year=until.year - years) + dt.timedelta(days=1)
        self.wd = Workdays(self.first - dt.timedelta(days=7), until + dt.timedelta(days=800))
        self.seed = seed
        self.staff_pk = dict(Staff.objects.values_list("user_id", "pk"))
        self.chain_hash = chain_algorithm()
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
        for _i in range(n):
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
    trace: dict | None = None,
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
    `trace` (a dict, filled in place): each case's actions with the parameters the engine would
    be called with, for the tests that replay generated cases through `case_transition`.
    """
    started = time.monotonic()
    until = until or timezone.localdate()
    gen = Generator(seed=seed, until=until, years=years, trace=trace)
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
    if connection.vendor == "postgresql":
        # Bulk inserts leave PostgreSQL planning from stale statistics (a case page's reads of
        # hops and pauses took seconds per case in the tests); ANALYZE works inside a transaction.
        with connection.cursor() as cursor:
            cursor.execute(
                "ANALYZE cases_case, cases_casematerial, cases_custody, cases_pause, cases_step, "
                "cases_caseevent, cases_subreview, cases_onetimenotice, ratings_rating"
            )
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
