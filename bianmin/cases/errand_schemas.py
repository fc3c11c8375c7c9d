"""JSON shapes of the errands (便民服务) in the cases API; `errand_out` turns an errand into them
(the phone masked but on its own page)."""

import datetime as dt

from ninja import Schema

from bianmin.common.schemas import NOTE, Identifier, LongText, Text, choice
from bianmin.common.validators import mask_phone

from .models import Case, ErrandKind, State


class ErrandCreateIn(Schema):
    kind: choice(ErrandKind.values)
    person_name: Text[100]
    subject: Text[300]
    phone: Identifier[20] = ""
    id_number: Identifier[18] = ""
    address: Text[200] = ""
    note: LongText[NOTE] = ""


class MoneyOut(Schema):
    direction: str
    amount: str
    party: str
    receipt_number: str
    has_receipt_photo: bool
    recorded_on: dt.date
    recorded_by: str


class ErrandOut(Schema):
    number: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    person_name: str
    phone: str
    subject: str
    unit: str
    agent: str | None
    submitted_on: dt.date
    closed_on: dt.date | None
    money_in: str
    money_out: str
    lock_version: int
    allowed_actions: list[str]
    money: list[MoneyOut] = []


class AgentMoneyOut(Schema):
    agent_id: int
    agent: str
    unit: str
    entries: int
    money_in: str
    money_out: str
    held: str


def errand_out(case: Case, *, detail: bool = False, actor=None) -> dict:
    from .effects.errand import money_balance
    from .services import case_actions_for

    received, paid = money_balance(case)
    out = {
        "number": case.number,
        "kind": case.errand_kind,
        "kind_label": case.title,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "person_name": case.applicant_name,
        "phone": case.phone if detail else mask_phone(case.phone),
        "subject": case.subject,
        "unit": case.intake_unit.name,
        "agent": case.agent.full_name if case.agent_id else None,
        "submitted_on": case.submitted_on,
        "closed_on": case.closed_on,
        "money_in": str(received),
        "money_out": str(paid),
        "lock_version": case.lock_version,
        "allowed_actions": case_actions_for(case, actor),
    }
    if detail:
        out["money"] = [
            {
                "direction": m.direction,
                "amount": str(m.amount),
                "party": m.party,
                "receipt_number": m.receipt_number,
                "has_receipt_photo": bool(m.receipt_photo),
                "recorded_on": m.recorded_on,
                "recorded_by": getattr(getattr(m.recorded_by, "staff", None), "full_name", "")
                or m.recorded_by.get_username(),
            }
            for m in case.money.select_related("recorded_by__staff")
        ]
    return out
