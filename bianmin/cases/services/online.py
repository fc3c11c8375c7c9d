"""Online applications (网上申报): the applicant submits and supplements without a staff actor."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import Conflict, ErrorCode, PermissionDenied, ValidationFailed
from bianmin.common.validators import phone_tail_matches
from bianmin.orgs.models import Unit

from ..actors import ApplicantActor
from ..models import Case, Channel, MaterialStatus, State
from .engine import case_transition
from .events import event_record
from .intake import _applicant, case_create


@transaction.atomic
def case_submit_online(
    *,
    item_version: ItemVersion,
    unit: Unit,
    applicant_kind: str,
    applicant_name: str,
    id_number: str = "",
    credit_code: str = "",
    phone: str = "",
    contact: str = "",
    address: str = "",
    subject: str = "",
    uploads: dict[int, str] | None = None,
    reference: str = "",
) -> Case:
    """Open a case the moment an online application arrives at its accepting `unit`.

    行政许可法 art. 32 counts from the day the materials arrive: the unit must accept or issue
    the one-time notice within 5 working days, else the application counts as accepted on that
    day (`flags_sweep`). So the case exists from submission, channel online, submitted today and
    received at `unit` at once; its event is the applicant's. Nobody is its first responder yet:
    首问负责 falls on the staff member who first handles it (the engine sets it at pre-review).
    `uploads` maps material id to the uploaded file's name; those materials count as provided,
    every other one as missing. `reference` is the portal's application code, kept in the event.
    """
    if item_version.status != ItemVersion.Status.PUBLISHED:
        raise ValidationFailed(_("该事项版本未发布，不能办理"), field="item_version")
    if not item_version.online:
        raise ValidationFailed(_("该事项暂不支持网上申报"), field="item_version")
    fields = _applicant(
        applicant_kind=applicant_kind,
        applicant_name=applicant_name,
        id_number=id_number,
        credit_code=credit_code,
        phone=phone,
        contact=contact,
    )
    if not fields["phone"]:
        # The applicant follows the case and answers notices by number and phone digits.
        raise ValidationFailed(_("请填写手机号"), field="phone")
    uploads = {int(k): str(v) for k, v in (uploads or {}).items()}
    case = case_create(
        item_version=item_version,
        unit=unit,
        channel=Channel.ONLINE,
        now=timezone.now(),
        first_responder=None,
        fields={**fields, "address": address, "subject": subject},
        materials=dict.fromkeys(uploads, MaterialStatus.PROVIDED),
    )
    event_record(
        case=case,
        actor=ApplicantActor(case_id=case.pk),
        action="register",
        to_state=State.SUBMITTED,
        data={
            "channel": Channel.ONLINE,
            "item": item_version.name,
            "unit": unit.name,
            "reference": reference,
            "files": {str(k): v for k, v in sorted(uploads.items())},
        },
    )
    return case


def case_supplement_online(*, case: Case, phone_tail: str, uploads: dict[int, str]) -> Case:
    """The applicant answers the one-time notice online (补正, 行政许可法 art. 32).

    The applicant is proven by the case number and the last four digits of the case's phone (the
    portal throttles guesses). Only materials on the latest notice are taken, and every one of
    them still missing must come at once, so that the case goes back to staff complete: it is
    recorded as the `supplement` action by the applicant and returns to the state it was paused
    from (before acceptance: the unit's "to accept" queue, where staff accept it or, if an
    upload is unusable, notice it again for materials already on the first notice).
    """
    if not phone_tail_matches(case.phone, phone_tail):
        raise PermissionDenied(_("办件编号或手机号后四位不正确"))
    if case.state != State.AWAITING_MATERIALS:
        raise Conflict(_("该办件当前不需要补正材料"), code=ErrorCode.NOT_WAITING)
    uploads = {int(k): str(v) for k, v in (uploads or {}).items()}
    if not uploads:
        raise ValidationFailed(_("请选择要上传的补正材料"), field="files")
    notice = case.notices.order_by("-issued_at", "-pk").first()
    asked = notice.material_ids if notice else set()
    if set(uploads) - asked:
        raise ValidationFailed(_("所传材料不在一次性告知书所列范围内"), field="files")
    missing = case.materials.filter(material_id__in=asked, status=MaterialStatus.MISSING)
    left = missing.exclude(material_id__in=uploads).order_by("material__position", "pk")
    if left.exists():
        raise ValidationFailed(
            _("请一并上传一次性告知书所列的全部材料，还缺：%(m)s")
            % {"m": "、".join(left.values_list("name", flat=True))},
            field="files",
        )
    return case_transition(
        case=case,
        action="supplement",
        actor=ApplicantActor(case_id=case.pk),
        materials=dict.fromkeys(uploads, MaterialStatus.PROVIDED),
        files={str(k): v for k, v in sorted(uploads.items())},
    )
