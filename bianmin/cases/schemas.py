"""JSON shapes of the cases API; `case_out` turns a Case into them (ID numbers masked but for the
deciding unit, see `privacy`)."""

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from django.db.models import prefetch_related_objects
from ninja import Field, Schema

from bianmin.common.inputs import INT_MAX
from bianmin.common.schemas import (
    DOCUMENT,
    NOTE,
    Bounded,
    Id,
    Identifier,
    LongText,
    Text,
    choice,
)
from bianmin.common.validators import mask_id_number, mask_phone

from .deadlines import clock
from .models import (
    JOINT_REVIEWS,
    ApplicantKind,
    Case,
    Channel,
    FileReview,
    FileSource,
    MaterialStatus,
    MoneyDirection,
    State,
)

if TYPE_CHECKING:
    from .selectors import CaseRow


# A material id of the item's checklist, as a JSON object key ("12") or a list entry (12).
MaterialId = Id


class MaterialEntryIn(Schema):
    """容缺 or 告知承诺 for one material (RULES.md "Deferred acceptance and pledges")."""

    status: choice(MaterialStatus.values)
    due_days: Bounded(1, 3650) | None = None  # deferred: working days to bring it
    commitment: LongText[NOTE] = ""


# {material id: "provided" | "missing" | {"status": "deferred", "due_days": n, "commitment": ..}}
MaterialSpec = Annotated[
    dict[MaterialId, choice(MaterialStatus.values) | MaterialEntryIn],
    Field(json_schema_extra={"propertyNames": {"pattern": r"^[1-9][0-9]{0,9}$"}}),
]


class CaseCreateIn(Schema):
    item: Identifier[40] | None = None  # the item's local code: its published version is used
    item_version: Id | None = None
    channel: choice(Channel.values)
    applicant_kind: choice(ApplicantKind.values) = ApplicantKind.PERSON.value
    applicant_name: Text[100]
    id_number: Identifier[18] = ""
    credit_code: Identifier[18] = ""
    phone: Identifier[20] = ""
    contact: Text[50] = ""
    address: Text[200] = ""
    subject: Text[300] = ""
    unit: Id | None = None  # intake unit; default the caller's own
    materials: MaterialSpec | None = None
    entrustment_signed: bool = False
    entrustment_text: LongText[DOCUMENT] = ""
    note: LongText[NOTE] = ""


class CaseActionIn(Schema):
    """The body of `POST /cases/{number}/actions/{action}`: which fields an action reads is in
    docs/cases.md; the others are ignored."""

    expected_version: Bounded(0, INT_MAX) | None = None
    note: LongText[NOTE] = ""
    approved: bool | None = None
    reasons: LongText[NOTE] = ""
    opinion: LongText[NOTE] = ""
    reason: LongText[NOTE] = ""
    to_unit: Id | None = None
    # forward / hand_back: the originals travel with the case
    originals: bool | None = None
    # accept: a checklist as at intake (容缺/告知承诺); notify_missing, supplement: material ids
    materials: MaterialSpec | list[MaterialId] | None = None
    told_days: Bounded(1, 3650) | None = None
    # site_check (现场核查): what was found and who went
    findings: LongText[NOTE] = ""
    people: Text[200] = ""
    certificate_number: Identifier[60] = ""
    signature: str | None = None  # base64 PNG or a data: URL
    signed_by_name: Text[100] = ""
    feedback: LongText[NOTE] = ""
    # assign: whom to assign to (user id; default the caller)
    assignee: Id | None = None
    # errands: money handled
    direction: choice([*MoneyDirection.values, ""]) = ""
    amount: Decimal | None = Field(None, ge=0, max_digits=10, decimal_places=2)
    party: Text[100] = ""
    receipt_number: Identifier[60] = ""
    receipt_photo: str | None = None  # base64 of a PDF, JPEG or PNG
    # upload (网上传件): the checklist's catalog material id, its files (base64 or data: URLs of
    # PDF, JPEG or PNG; page images become one PDF), camera or scanner
    material: Id | None = None
    files: list[str] | None = Field(None, max_length=50)
    source: choice([*FileSource.values, ""]) = ""
    # file_review: the material file's id, accepted or returned, the reason when returned
    file: Id | None = None
    verdict: choice([FileReview.ACCEPTED.value, FileReview.RETURNED.value, ""]) = ""
    review_note: Text[200] = ""


class CaseSummary(Schema):
    number: str
    state: str
    state_label: str
    case_class: str
    channel: str
    item: str  # the item's name, or an errand's kind
    errand_kind: str = ""
    applicant_name: str
    # Masked (110105********002X); in full only in GET /cases/{number} for the deciding unit
    # while it decides, and that view is logged (cases/privacy.py).
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
    # The running deadline ("case" promised, "proxy", "delivery", or "") and its colour
    # (green / yellow / red / none) by the one colour rule (`deadlines.colour_of`).
    clock: str
    colour: str
    lock_version: int


class CaseMaterialOut(Schema):
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
    answered_at: dt.datetime | None = None
    answered_by: str | None = None


class CustodyOut(Schema):
    from_unit: str | None
    to_unit: str
    sent_at: dt.datetime
    received_at: dt.datetime | None
    originals: bool


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
    accepting_unit: str | None
    clock_started_on: dt.date | None
    # What the caller may do now, the next expected action first (`case_actions_for`).
    allowed_actions: list[str]
    # The step the case waits for from the caller, if any (`next_action`).
    next_action: str | None
    materials: list[CaseMaterialOut]
    custodies: list[CustodyOut]
    notices: list[NoticeOut]
    subreviews: list[SubReviewOut]


class CasePage(Schema):
    items: list[CaseSummary]
    next_cursor: str | None


class CaseEventOut(Schema):
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


def case_out(
    case: "Case | CaseRow", *, detail: bool = False, actor=None, id_number: str | None = None
) -> dict:
    """A case for the API: a list row (`CaseRow`) or, with `detail`, the whole case with what
    `actor` may do to it now. The ID number is masked unless the caller passes the one the viewer
    may see (`privacy.id_number_shown`, which logs a full view)."""
    from .services import case_actions_for, next_action

    c = clock(case)
    out = {
        "number": case.number,
        "state": case.state,
        "state_label": str(State(case.state).label),
        "case_class": case.case_class,
        "channel": case.channel,
        "item": case.title,
        "errand_kind": case.errand_kind,
        "applicant_name": case.applicant_name,
        "id_number": mask_id_number(case.id_number) if id_number is None else id_number,
        "credit_code": case.credit_code,
        "phone": case.phone if detail else mask_phone(case.phone),
        "intake_unit": case.intake_unit.name,
        "current_unit": case.current_unit.name,
        "deciding_unit": case.deciding_unit.name,
        "days_used": c.days_used,
        "days_left": c.days_left,
        "overdue": c.overdue,
        "clock": c.kind,
        "colour": c.colour,
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
    # Read once: the list below and the workflow's conditions (pledges, outstanding) use them.
    prefetch_related_objects([case], "materials", JOINT_REVIEWS)
    allowed = case_actions_for(case, actor)
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
        accepting_unit=case.accepting_unit.name if case.accepting_unit_id else None,
        clock_started_on=case.clock_started_on,
        allowed_actions=allowed,
        next_action=next_action(case, allowed),
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
            {
                "unit": r.unit.name,
                "state": r.opinion,  # the JSON keeps its names: `state` is the verdict
                "opinion": r.opinion_text,
                "answered_at": r.answered_at,
                "answered_by": str(r.answered_by.staff) if r.answered_by_id else None,
            }
            for r in case.subreviews.all()
        ],
        custodies=[
            {
                "from_unit": h.from_unit.name if h.from_unit_id else None,
                "to_unit": h.to_unit.name,
                "sent_at": h.sent_at,
                "received_at": h.received_at,
                "originals": h.originals,
            }
            for h in case.custodies.select_related("from_unit", "to_unit")
        ],
    )
    return out
