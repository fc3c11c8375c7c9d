"""JSON shapes of the cases API; `case_out` turns a Case into them (ID numbers masked in lists)."""

import datetime as dt
from typing import Any

from ninja import Schema

from bianmin.common.validators import mask_id_number, mask_phone

from . import workflow
from .deadlines import clock
from .models import Case, State


class CaseCreateIn(Schema):
    item: str | None = None  # the item's local code: its published version is used
    item_version: int | None = None
    channel: str
    applicant_kind: str = "person"
    applicant_name: str
    id_number: str = ""
    credit_code: str = ""
    phone: str = ""
    contact: str = ""
    address: str = ""
    subject: str = ""
    unit: int | None = None  # intake unit; default the caller's own
    materials: dict[str, Any] | None = None
    entrustment_signed: bool = False
    entrustment_text: str = ""
    note: str = ""


class ActionIn(Schema):
    expected_version: int | None = None
    note: str = ""
    approved: bool | None = None
    reasons: str = ""
    opinion: str = ""
    reason: str = ""
    to_unit: int | None = None
    materials: dict[str, Any] | list[int] | None = None
    told_days: int | None = None
    certificate_number: str = ""
    signature: str | None = None  # base64 PNG or a data: URL
    signed_by_name: str = ""
    feedback: str = ""


class CaseSummary(Schema):
    number: str
    state: str
    state_label: str
    case_class: str
    channel: str
    item: str
    applicant_name: str
    id_number: str
    credit_code: str
    phone: str
    intake_unit: str
    current_unit: str
    deciding_unit: str
    submitted_on: dt.date
    accepted_on: dt.date | None
    promised_due: dt.date | None
    statutory_due: dt.date | None
    proxy_due: dt.date | None
    delivery_due: dt.date | None
    deadlines_provisional: bool
    days_used: int | None
    days_left: int | None
    overdue: bool
    lock_version: int


class MaterialOut(Schema):
    material: int
    name: str
    required: bool
    status: str
    due_on: dt.date | None
    commitment: str


class NoticeOut(Schema):
    number: str
    issued_on: dt.date
    materials: list[str]


class SubReviewOut(Schema):
    unit: str
    state: str
    opinion: str


class CaseDetail(CaseSummary):
    applicant_kind: str
    contact: str
    address: str
    subject: str
    agent: str | None
    deemed_accepted: bool
    approved: bool | None
    reasons: str
    certificate_number: str
    extended_days: int
    assigned_to: str | None
    fee_total: float
    allowed_actions: list[str]
    materials: list[MaterialOut]
    notices: list[NoticeOut]
    subreviews: list[SubReviewOut]


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None


class EventOut(Schema):
    seq: int
    at: dt.datetime
    action: str
    action_label: str
    actor: str
    unit: str | None
    from_state: str
    to_state: str
    note: str
    data: dict
    hash: str


def case_out(case: Case, *, detail: bool = False) -> dict:
    c = clock(case)
    out = {
        "number": case.number,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "case_class": case.case_class,
        "channel": case.channel,
        "item": case.item_version.name,
        "applicant_name": case.applicant_name,
        "id_number": case.id_number if detail else mask_id_number(case.id_number),
        "credit_code": case.credit_code,
        "phone": case.phone if detail else mask_phone(case.phone),
        "intake_unit": case.intake_unit.name,
        "current_unit": case.current_unit.name,
        "deciding_unit": case.deciding_unit.name,
        "days_used": c.days_used,
        "days_left": c.days_left,
        "overdue": c.overdue,
        **{
            f: getattr(case, f)
            for f in (
                "submitted_on",
                "accepted_on",
                "promised_due",
                "statutory_due",
                "proxy_due",
                "delivery_due",
                "deadlines_provisional",
                "lock_version",
            )
        },
    }
    if not detail:
        return out
    out.update(
        applicant_kind=case.applicant_kind,
        contact=case.contact,
        address=case.address,
        subject=case.subject,
        agent=str(case.agent) if case.agent_id else None,
        deemed_accepted=case.deemed_accepted,
        approved=case.approved,
        reasons=case.reasons,
        certificate_number=case.certificate_number,
        extended_days=case.extended_days,
        assigned_to=case.assigned_to.get_username() if case.assigned_to_id else None,
        fee_total=float(case.fee_total),
        allowed_actions=workflow.allowed_actions(state=case.state, case_class=case.case_class),
        materials=[
            {
                "material": m.material_id,
                "name": m.name,
                "required": m.required,
                "status": m.status,
                "due_on": m.due_on,
                "commitment": m.commitment,
            }
            for m in case.materials.all()
        ],
        notices=[
            {
                "number": n.number,
                "issued_on": n.issued_on,
                "materials": [m["name"] for m in n.materials],
            }
            for n in case.notices.all()
        ],
        subreviews=[
            {"unit": r.unit.name, "state": r.state, "opinion": r.opinion}
            for r in case.subreviews.select_related("unit")
        ],
    )
    return out
