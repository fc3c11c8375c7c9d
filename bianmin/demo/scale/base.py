"""One case's history, replayed as the engine writes it: the clock, the events and the rules
the engine applies on each transition, called from the engine (`bianmin.cases`), not copied."""

import datetime as dt
import random
from operator import attrgetter
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.utils import timezone

from bianmin.cases.deadlines import deadlines_set, lower_level_limit_of
from bianmin.cases.effects.base import steps_advance
from bianmin.cases.effects.intake import late_forward
from bianmin.cases.models import CaseEvent, Custody, State, SupervisionFlag
from bianmin.cases.routing import back_hop, next_hop, route_for
from bianmin.catalog.models import Tier
from bianmin.common.validators import (
    USCC_CHARSET,
    id_number_check_char,
    org_code_check_char,
    uscc_check_char,
)
from bianmin.orgs.models import UnitKind
from bianmin.workdays import calendar

from .county import CountyRef, Mat, Person, UnitRef
from .hashing import encode_basestring, event_hash
from .rows import TZ, R

if TYPE_CHECKING:
    from .run import Generator, Stream

_centre = attrgetter("township_centre")


class _Stop(Exception):
    """The next action of the planned history lies after `until`."""


def id_number(rng: random.Random, county: str, today: dt.date) -> str:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange((today.year - 1958) * 365))
    body = f"{county}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + id_number_check_char(body)


def credit_code(rng: random.Random, county: str) -> str:
    org8 = "".join(rng.choice(USCC_CHARSET) for _ in range(8))
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


class ReplayBase:
    """One case's history as the engine writes it: its clock, its events (hash-chained as
    `bianmin.cases.chain.event_hash` chains them: `hashing`, tested equal), deadlines (`deadlines.deadlines_set`), steps
    (`effects.base.steps_advance`), hops and route (`bianmin.cases.routing`), and who acts.

    The route is `bianmin.cases.routing`'s: a village station takes in and accepts only village
    items; everything else goes to the station's township centre, which accepts its own items and
    the county items it may accept (受理关口前移) and refers those up, or passes the case on to
    the item's county window or the deciding department. The result comes back through the
    township centre to the station that took the case in, or to the hall that did.
    """

    def __init__(self, gen: "Generator", county: CountyRef, stream: "Stream"):
        self.g, self.c, self.rng, self.names = gen, county, stream, stream.names
        self.rows, self.ids = stream.rows, stream.ids
        self.seq = 0
        self.prev = ""
        self.case = None
        self.case_json: str | None = None  # the case number as the chain text spells it
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
        if self.case_json is None:
            self.case_json = encode_basestring(case.number)
        ev.hash = event_hash(ev, case_json=self.case_json, algorithm=ev.hash_algorithm)
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
        """`deadlines.deadlines_compute` on the case row."""
        v = self.v
        deadlines_set(
            self.case,
            promised_limit=v.promised,
            statutory_limit=v.statutory,
            is_proxy=self.case.channel == "proxy",
            pauses=self.closed_pauses(),
            add_workdays=self.g.wd.add,
        )

    def advance(self, day: dt.date, finish_all: bool = False, through: int | None = None) -> None:
        """`effects.base.advance_step` on the case's steps."""
        steps_advance(
            self.steps,
            day,
            pauses=self.closed_pauses,
            finish_all=finish_all,
            through=through,
            add_workdays=self.g.wd.add,
        )

    def send(self, actor: Person, to: UnitRef, frm: str, state: str) -> None:
        """`effects.intake.e_send`: a forward (转报), a referral (上报) or a hand-back (回交)."""
        originals = self.v.originals
        if frm == State.ACCEPTED and self.cur.tier != Tier.COUNTY:
            self.late_forward_check(actor)
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

    def late_forward_check(self, actor: Person) -> None:
        """`effects.intake.late_forward_flag`: a lower level referring an accepted case up after
        its preliminary-review limit (行政许可法 art. 43)."""
        used = calendar.workdays_between(
            self.case.accepted_on, self.clock_day, self.closed_pauses(), snap=self.g.wd.snap
        )
        limit = lower_level_limit_of(self.steps, self.cur.tier)
        flag = late_forward(unit_name=self.cur.name, used=used.workdays, limit=limit)
        if flag is not None:
            self.flag(actor, *flag)

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
        route = route_for(item_version=self.v, intake_unit=self.intake, centre_of=_centre)
        self.deciding, self.accepting = route.deciding, route.accepting

    def where(self) -> SimpleNamespace:
        """The case's units and acceptance, under the names `routing`'s hops read."""
        return SimpleNamespace(
            current_unit=self.cur,
            intake_unit=self.intake,
            accepting_unit=self.accepting,
            accepting_unit_id=self.accepting.id,
            deciding_unit=self.deciding,
            accepted_on=self.case.accepted_on,
        )

    def next_hop(self) -> UnitRef:
        return next_hop(self.where(), centre_of=_centre)

    def back_hop(self) -> UnitRef:
        return back_hop(self.where(), centre_of=_centre)
