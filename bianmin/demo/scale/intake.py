"""Taking a case in: the channel and unit it comes through, its checklist, the one-time notice
and the supplement, and acceptance (容缺受理 and 告知承诺 chosen there)."""

import datetime as dt

from bianmin.cases.models import MaterialStatus, OneTimeNotice, Pause, PauseKind, State, Step
from bianmin.catalog.models import CaseClass, Tier

from .base import DEFER_COMMITMENT, PLEDGE_COMMITMENT, ReplayBase, _Stop
from .rows import R


class Intake(ReplayBase):
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
            impl = v.implementing_unit
            intake = c.window if channel == "window" and c.window else impl
            if not intake.handlers:
                intake = c.window or station.township_centre
        self.v, self.intake, self.cur, self.channel = v, intake, intake, channel
        self.station = station
        self.route()
        if not self.deciding.handlers or not self.accepting.handlers:
            raise _Stop  # a unit nobody staffs takes no cases
        self.submitted = submitted

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
