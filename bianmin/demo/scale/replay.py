"""One case's planned history, played up to `until`: `Replay.play` is what the run calls."""

import datetime as dt
from contextlib import suppress

from bianmin.cases.models import (
    Case,
    CaseMaterial,
    Custody,
    Delivery,
    MaterialStatus,
    State,
)
from bianmin.cases.numbers import ALPHABET, check_char, prefix
from bianmin.catalog.models import CaseClass
from bianmin.orgs.models import UnitKind
from bianmin.ratings.models import Rating, RatingChannel, RatingKind

from .base import _Stop, credit_code, id_number
from .handling import Handling
from .rows import SIGNATURE, R


class Replay(Handling):
    """Plans one case's history and plays it up to `until`, collecting its rows."""

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
        names = self.names
        self.case = case = R(
            id=self.ids.take(Case),
            number=f"{number_body}-{check_char(number_body)}",
            item_version_id=v.id,
            case_class=v.case_class,
            channel=self.channel,
            state=State.SUBMITTED,
            applicant_kind="person" if person else "enterprise",
            applicant_name=names.person() if person else f"汉中{names.person()[1:]}商贸有限公司",
            id_number=id_number(rng, self.c.code, g.until) if person else "",
            credit_code="" if person else credit_code(rng, self.c.code),
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
