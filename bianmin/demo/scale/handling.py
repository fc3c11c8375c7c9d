"""Handling an accepted case at the deciding unit: review (joint opinions, site checks), the
supplement of a deferred material, a false pledge, suspension, extension, decision and
conclusion."""

import datetime as dt

from bianmin.cases.deadlines import EXTENSION_DAYS, JOINT_EXTENSION_DAYS
from bianmin.cases.models import (
    FlagKind,
    MaterialStatus,
    Pause,
    PauseKind,
    State,
    SubReview,
    SuspensionReason,
)
from bianmin.catalog.models import CaseClass

from .base import FALSE_PLEDGE, SITE_FINDINGS
from .intake import Intake
from .rows import R


class Handling(Intake):
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
                    opinion=SubReview.Opinion.PENDING,
                    opinion_text="",
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
            sub.opinion = SubReview.Opinion.APPROVED if approved else SubReview.Opinion.REFUSED
            sub.opinion_text, sub.answered_by_id = opinion, who.user_id
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
