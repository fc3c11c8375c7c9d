"""Online applications (网上申报): submitted from a draft as a case, then pre-reviewed (预审)."""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bianmin.cases.models import ApplicantKind, Case
from bianmin.cases.services import case_submit_online
from bianmin.catalog.models import ItemVersion, Tier
from bianmin.common.errors import ValidationFailed
from bianmin.common.validators import normalize_credit_code, normalize_id_number
from bianmin.common.workflow import transition
from bianmin.orgs.models import Region, Unit, UnitKind

from ..models import Application, ApplicationDraft, ApplicationFile
from ..uploads import CheckedUpload
from ..workflow import ApplicationMachine
from .base import create_with_code, phone_or_blank


def application_unit(*, item_version: ItemVersion, region: Region | None) -> Unit:
    """Where an online application lands: the accepting unit for the applicant's village
    (station for village items, its township centre for township items) or, for county items,
    the implementing unit (routing then follows the case engine's rules)."""
    from .. import selectors

    tier = item_version.accept_tier
    if tier == Tier.COUNTY:
        return item_version.implementing_unit
    if region is None or region.level != "village":
        raise ValidationFailed(_("请选择您所在的村(社区)"), field="region")
    if tier == Tier.VILLAGE:
        if item_version.implementing_unit.kind == UnitKind.VILLAGE_STATION:
            if item_version.implementing_unit.region_id != region.pk:
                raise ValidationFailed(
                    _("该事项只由%(u)s办理") % {"u": item_version.implementing_unit.name},
                    field="region",
                )
            return item_version.implementing_unit
        unit = selectors.station_for_region(region)
    else:
        unit = selectors.township_centre_for_region(region)
    if unit is None:
        raise ValidationFailed(_("所选村(社区)暂无受理单位，请到窗口办理"), field="region")
    return unit


@transaction.atomic
def application_submit(*, draft: ApplicationDraft) -> Application:
    """Submit an online application from its draft, for an item that allows online filing.

    Applicant fields are validated as at the window (GB 11643 / GB 32100 check characters, phone),
    with the field named; uploaded files were already checked by content when they came in.
    """
    version = draft.item_version
    if not version.online or version.status != ItemVersion.Status.PUBLISHED:
        raise ValidationFailed(_("该事项暂不支持网上申报"), field="item")
    data = draft.data
    kind = data.get("applicant_kind") or ApplicantKind.PERSON
    name = (data.get("applicant_name") or "").strip()
    if not name:
        raise ValidationFailed(_("请填写申请人姓名或名称"), field="applicant_name")
    fields = {"applicant_kind": kind, "applicant_name": name[:100]}
    try:
        if kind == ApplicantKind.PERSON:
            fields["id_number"] = normalize_id_number(data.get("id_number", ""))
        elif kind == ApplicantKind.ENTERPRISE:
            fields["credit_code"] = normalize_credit_code(data.get("credit_code", ""))
        else:
            raise ValidationFailed(_("申请人类型无效"), field="applicant_kind")
    except ValidationError as e:
        field = "id_number" if kind == ApplicantKind.PERSON else "credit_code"
        raise ValidationFailed(e.messages[0], field=field) from None
    fields["phone"] = phone_or_blank(data.get("phone", ""), required=True)
    contact = (data.get("contact") or "").strip()
    if kind == ApplicantKind.ENTERPRISE and not contact:
        raise ValidationFailed(_("请填写企业联系人"), field="contact")
    region = Region.objects.filter(code=data.get("region") or "").first()
    unit = application_unit(item_version=version, region=region)
    app = create_with_code(
        Application,
        length=12,
        item_version=version,
        unit=unit,
        region=region,
        contact=contact[:50],
        address=(data.get("address") or "").strip()[:200],
        subject=(data.get("subject") or "").strip()[:300],
        **fields,
    )
    known = {m.pk for m in version.materials.all()}
    files = {
        int(material_id): meta
        for material_id, meta in (data.get("files") or {}).items()
        if int(material_id) in known
    }
    for material_id, meta in files.items():
        ApplicationFile.objects.create(
            application=app,
            material_id=material_id,
            file=meta["path"],
            original_name=meta["name"][:200],
            content_type=meta["type"],
            size=meta["size"],
        )
    # The case engine opens the case now, so the art. 32 clock runs from the day it arrived.
    app.case = case_submit_online(
        item_version=version,
        unit=unit,
        address=app.address,
        subject=app.subject,
        contact=app.contact,
        uploads={m: meta["name"][:200] for m, meta in files.items()},
        reference=app.code,
        **fields,
    )
    app.save(update_fields=["case", "updated_at"])
    draft.delete()
    return app


def application_accept(*, application: Application, actor) -> Application:
    """Pre-review passed: the case is accepted (`workflow.e_accept`). The reviewer becomes the
    case's first responder (首问负责) unless a colleague already handled it."""
    return transition(ApplicationMachine(), application, action="accept", actor=actor)


def application_notice(
    *, application: Application, actor, materials: Sequence[int] = (), note: str = ""
) -> Application:
    """Pre-review found something missing: the one-time notice (`workflow.e_notice`). After a
    supplement, the case engine allows a further notice only for materials the first one listed."""
    return transition(
        ApplicationMachine(),
        application,
        action="notice",
        actor=actor,
        materials=materials,
        notice=note,
    )


def application_supplement(
    *, case: Case, uploads: dict[int, CheckedUpload], phone_tail: str
) -> Application:
    """The applicant answers the one-time notice online by uploading what it listed
    (`workflow.e_supplement`); the case goes back to staff, who accept it or notice it again."""
    app = getattr(case, "application", None)
    if app is None:
        raise ValidationFailed(_("该办件不是网上申报的，请把补正材料交到经办窗口或代办员"))
    return transition(
        ApplicationMachine(),
        app,
        action="supplement",
        actor=None,
        uploads=uploads,
        phone_tail=phone_tail,
    )


def application_supplement_confirm(*, application: Application, actor) -> Application:
    """Staff checked the supplement (already recorded on the case by the applicant)."""
    return transition(ApplicationMachine(), application, action="confirm_supplement", actor=actor)
