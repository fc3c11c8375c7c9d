"""Intake: a case is opened at a unit, in a channel, for a published item version."""

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.common.validators import normalize_credit_code, normalize_id_number, validate_phone
from bianmin.orgs.models import RoleCode, Unit, UnitKind
from bianmin.orgs.scope import scope_for

from .. import routing
from ..deadlines import deadlines_compute
from ..files import Document, documents_prepare, source_checked
from ..materials import checklist_create
from ..models import ApplicantKind, Case, Channel, Custody, State
from ..numbers import case_number_new
from .engine import case_transition
from .events import event_record

INTAKE_ROLES = {
    RoleCode.AGENT,
    RoleCode.WINDOW_STAFF,
    RoleCode.CHIEF_REPRESENTATIVE,
    RoleCode.APPROVER,
    RoleCode.HEAD,
}


def _applicant(
    *,
    applicant_kind: str,
    applicant_name: str,
    id_number: str,
    credit_code: str,
    phone: str,
    contact: str,
) -> dict:
    """Validated applicant fields; a wrong check character names its field (GB 11643, GB 32100)."""
    if applicant_kind not in ApplicantKind.values:
        raise ValidationFailed(_("申请人类型无效"), field="applicant_kind")
    name = (applicant_name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写申请人姓名或名称"), field="applicant_name")
    out = {
        "applicant_kind": applicant_kind,
        "applicant_name": name,
        "contact": (contact or "").strip(),
    }
    try:
        if applicant_kind == ApplicantKind.PERSON:
            out["id_number"] = normalize_id_number(id_number)
        else:
            out["credit_code"] = normalize_credit_code(credit_code)
    except ValidationError as e:
        field = "id_number" if applicant_kind == ApplicantKind.PERSON else "credit_code"
        raise ValidationFailed(e.messages[0], field=field) from None
    phone = (phone or "").strip()
    if phone:
        try:
            validate_phone(phone)
        except ValidationError as e:
            raise ValidationFailed(e.messages[0], field="phone") from None
    elif applicant_kind == ApplicantKind.PERSON:
        raise ValidationFailed(_("请填写申请人联系电话"), field="phone")
    if applicant_kind == ApplicantKind.ENTERPRISE and not out["contact"]:
        raise ValidationFailed(_("请填写企业联系人"), field="contact")
    out["phone"] = phone
    return out


def case_register(
    *,
    actor,
    item_version: ItemVersion,
    channel: str,
    applicant_kind: str,
    applicant_name: str,
    id_number: str = "",
    credit_code: str = "",
    phone: str = "",
    contact: str = "",
    address: str = "",
    subject: str = "",
    unit: Unit | None = None,
    materials: dict | None = None,
    entrustment_signed: bool = False,
    entrustment_text: str = "",
    note: str = "",
    files: Mapping[int, Sequence] | None = None,
) -> Case:
    """Open a case (收件/委托). The staff member who opens it is its first responder (首问负责).

    Proxy cases (代办) are taken on the applicant's signed entrustment: by the village agent at
    the station for items the catalog allows villages to proxy, or by a township or county hall
    for any item (沂水 2016); proxy handling charges nothing (county proxy rule), so the case
    carries only the catalog's own fee. The proxy deadline runs from today. `materials` maps material id to a
    status (or a dict with status, commitment, due_days); materials not named are missing.
    Invalid identifiers are refused with the field named and nothing is saved.

    `files` (网上传件, RULES.md "The route"): catalog material id -> the uploads of that material
    (a `files.Pages`, whose `source` says camera or scanner; a plain list counts as scanned). They
    are checked before the case is created and stored after it, each material as an `upload`
    event of its own, the same path as an upload on the case page; a bad file refuses the whole
    registration.
    """
    staff = getattr(actor, "staff", None)
    if staff is None or not (set(staff.roles) & INTAKE_ROLES or actor.is_superuser):
        raise PermissionDenied(_("您的角色不能登记办件"))
    unit = unit or staff.unit
    if unit is None or not scope_for(actor).can_act_for_unit(unit):
        raise PermissionDenied(_("您无权以该单位名义登记办件"))
    if channel not in Channel.values:
        raise ValidationFailed(_("办理渠道无效"), field="channel")
    if channel == Channel.ONLINE:
        # One way in for online applications: the applicant's own submission, whose arrival
        # starts the art. 32 clock (`case_submit_online`).
        raise ValidationFailed(_("网上申报须由申请人在网上提交"), field="channel")
    if item_version.status != ItemVersion.Status.PUBLISHED:
        raise ValidationFailed(_("该事项版本未发布，不能办理"), field="item_version")
    fields = _applicant(
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        id_number=id_number,
        credit_code=credit_code,
        phone=phone,
        contact=contact,
    )
    now = timezone.now()
    proxy = channel == Channel.PROXY
    if proxy:
        # A village agent proxies at the station; township and county halls may take proxy
        # requests directly (沂水 2016), and then their own window delivers.
        if unit.kind == UnitKind.VILLAGE_STATION:
            if not staff.has_role(RoleCode.AGENT):
                raise PermissionDenied(_("村级代办件须由本站代办员登记"))
            if not item_version.village_proxy:
                raise ValidationFailed(_("该事项不在村级代办范围内"), field="item_version")
        if not entrustment_signed:
            raise ValidationFailed(_("代办须有申请人签署的委托书"), field="entrustment_signed")
    # The files are checked and converted before the transaction: decoding pages must not hold
    # the database write lock (SQLite takes it at BEGIN).
    uploads = _uploads_prepared(item_version, files)
    with transaction.atomic():
        case = case_create(
            item_version=item_version,
            unit=unit,
            channel=channel,
            now=now,
            first_responder=actor,
            fields={
                **fields,
                "address": address,
                "subject": subject,
                "agent": staff if proxy else None,
                "entrusted_at": now if proxy else None,
                "entrustment_signed": bool(entrustment_signed) if proxy else False,
                "entrustment_text": entrustment_text if proxy else "",
            },
            materials=materials,
        )
        event_record(
            case=case,
            actor=actor,
            action="entrust" if proxy else "register",
            to_state=State.SUBMITTED,
            note=note,
            data={"channel": channel, "item": item_version.name, "unit": unit.name},
        )
        if uploads:
            for material, (documents, source) in uploads.items():
                case = case_transition(
                    case=case,
                    action="upload",
                    actor=actor,
                    material=material,
                    files=documents,
                    source=source,
                )
        return case


def _uploads_prepared(
    item_version: ItemVersion, files: Mapping[int, Sequence] | None
) -> dict[int, tuple[list[Document], str]]:
    """The intake's files checked and converted before anything is saved: a refused file leaves
    neither a case nor a stored file behind."""
    if not files:
        return {}
    names = dict(item_version.materials.values_list("pk", "name"))
    out = {}
    for key, uploads in files.items():
        try:
            material = int(key)
        except (TypeError, ValueError):
            material = None
        if material not in names:
            raise ValidationFailed(_("所传文件的材料不属于本事项"), field="files")
        if not uploads:
            continue
        source = source_checked(getattr(uploads, "source", ""))
        out[material] = (documents_prepare(list(uploads), label=names[material]), source)
    return out


def case_create(
    *,
    item_version: ItemVersion,
    unit: Unit,
    channel: str,
    now,
    first_responder,
    fields: dict,
    materials: dict | None,
) -> Case:
    """Save a new submitted case with a fresh number, its checklist and its first custody record
    (received at `unit` the moment it came in). The caller writes the intake event."""
    today = timezone.localdate(now)
    fee = item_version.fees.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    route = routing.route_for(item_version=item_version, intake_unit=unit)
    case = Case(
        item_version=item_version,
        case_class=item_version.case_class,
        channel=channel,
        state=State.SUBMITTED,
        intake_unit=unit,
        current_unit=unit,
        accepting_unit=route.accepting,
        deciding_unit=route.deciding,
        region=unit.region,
        first_responder=first_responder,
        submitted_on=today,
        held_since=today,
        fee_total=fee,
        **fields,
    )
    deadlines_compute(case)  # a proxied applicant is given the proxy deadline at take-in
    case_save_numbered(case, region_code=unit.region.code, day=today)
    checklist_create(case=case, spec=materials, today=today)
    Custody.objects.create(
        case=case,
        from_unit=None,
        to_unit=unit,
        sent_at=now,
        sent_by=first_responder,
        received_at=now,
        received_by=first_responder,
    )
    return case


def case_save_numbered(case: Case, *, region_code: str, day) -> Case:
    """Insert `case` under a fresh random number, drawing again on the rare collision."""
    for _attempt in range(5):
        case.number = case_number_new(region_code=region_code, day=day)
        try:
            with transaction.atomic():
                case.save()
            return case
        except IntegrityError:
            case.pk = None
    raise RuntimeError("could not draw a free case number")  # pragma: no cover
