"""Errands (便民服务: 代缴, 代领, 代购, 代收代发, 联系维修/殡葬): light cases a village agent takes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.common.validators import normalize_id_number, validate_phone
from bianmin.orgs.models import RoleCode, UnitKind
from bianmin.orgs.scope import scope_for

from ..models import ERRAND, ApplicantKind, Case, Channel, Custody, ErrandKind, State
from .events import event_record
from .intake import case_save_numbered


@transaction.atomic
def errand_register(
    *,
    actor,
    kind: str,
    person_name: str,
    subject: str,
    phone: str = "",
    id_number: str = "",
    address: str = "",
    note: str = "",
) -> Case:
    """Open an errand (便民服务) for a person at the agent's village station.

    Errands are non-approval help (issue 7 item 5): no catalog item, no legal time limit, free of
    charge like proxy handling. The agent who takes it is its first responder and agent; the
    flow is register -> done -> handed over (against the person's signature), or cancelled, and
    any money handled is recorded as it moves (`money`) so that the agent holds nothing at the end.
    """
    staff = getattr(actor, "staff", None)
    if staff is None or not staff.has_role(RoleCode.AGENT):
        raise PermissionDenied(_("便民服务由村(社区)代办员登记"))
    unit = staff.unit
    if unit is None or unit.kind != UnitKind.VILLAGE_STATION:
        raise PermissionDenied(_("便民服务由村(社区)代办员登记"))
    if not scope_for(actor).can_act_for_unit(unit):  # pragma: no cover - own unit
        raise PermissionDenied(_("您无权以该单位名义登记"))
    if kind not in ErrandKind.values:
        raise ValidationFailed(_("请选择便民服务类别"), field="kind")
    name = (person_name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写服务对象姓名"), field="person_name")
    what = (subject or "").strip()
    if not what:
        raise ValidationFailed(_("请写明代办什么"), field="subject")
    phone = (phone or "").strip()
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as e:
            raise ValidationFailed(e.messages[0], field="phone") from None
    id_number = (id_number or "").strip()
    if id_number:
        try:
            id_number = normalize_id_number(id_number)
        except ValidationError as e:
            raise ValidationFailed(e.messages[0], field="id_number") from None
    now = timezone.now()
    today = timezone.localdate(now)
    case = Case(
        case_class=ERRAND,
        errand_kind=kind,
        channel=Channel.PROXY,
        state=State.ERRAND_OPEN,
        applicant_kind=ApplicantKind.PERSON,
        applicant_name=name[:100],
        id_number=id_number,
        phone=phone,
        address=(address or "").strip()[:200],
        subject=what[:300],
        intake_unit=unit,
        current_unit=unit,
        deciding_unit=unit,
        region=unit.region,
        first_responder=actor,
        agent=staff,
        entrusted_at=now,
        submitted_on=today,
    )
    case_save_numbered(case, region_code=unit.region.code, day=today)
    Custody.objects.create(
        case=case,
        to_unit=unit,
        sent_at=now,
        sent_by=actor,
        received_at=now,
        received_by=actor,
    )
    event_record(
        case=case,
        actor=actor,
        action="register",
        to_state=State.ERRAND_OPEN,
        note=note,
        data={"errand": kind, "subject": case.subject, "unit": unit.name},
    )
    return case
