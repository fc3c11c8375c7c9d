"""Writes of the public side: questions, appointments, home visits, online applications.

Each function states its rule; anything that changes a case goes through `bianmin.cases.services`.
"""

import contextlib
import datetime as dt
import functools
import os
import secrets
from collections.abc import Sequence

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import FileField
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.cases.models import ApplicantKind, Case, Channel, State
from bianmin.cases.numbers import case_number_valid
from bianmin.cases.services import (
    case_register,
    case_submit_online,
    case_supplement_online,
    case_transition,
)
from bianmin.catalog.models import ItemVersion, Tier
from bianmin.common.challenge import Answer
from bianmin.common.errors import Conflict, ErrorCode, NotFound, PermissionDenied, ValidationFailed
from bianmin.common.validators import (
    normalize_credit_code,
    normalize_id_number,
    phone_tail_matches,
    validate_phone,
)
from bianmin.orgs.models import Region, Unit, UnitKind
from bianmin.orgs.scope import scope_for
from bianmin.workdays.calendar import is_workday

from . import throttle
from .models import (
    Application,
    ApplicationDraft,
    ApplicationFile,
    Appointment,
    AppointmentCapacity,
    HalfDay,
    HomeVisitRequest,
    Question,
)
from .uploads import CheckedUpload

APPOINTMENT_DAYS_AHEAD = 30
BOOKABLE_KINDS = {
    UnitKind.VILLAGE_STATION,
    UnitKind.TOWNSHIP_CENTRE,
    UnitKind.COUNTY_CENTRE,
    UnitKind.WINDOW,
}


def _phone_or_blank(phone: str, *, field: str = "phone", required: bool = False) -> str:
    phone = (phone or "").strip()
    if not phone:
        if required:
            raise ValidationFailed(_("请填写手机号"), field=field)
        return ""
    try:
        validate_phone(phone)
    except ValidationError as e:
        raise ValidationFailed(e.messages[0], field=field) from None
    return phone


@transaction.atomic
def question_ask(
    *,
    item_version: ItemVersion,
    question: str,
    asker_name: str = "",
    phone: str = "",
    public_allowed: bool = False,
) -> Question:
    """A consultation question about an item, routed to the item's implementing unit, which
    answers it; the answer is shown publicly only if the asker allowed it (issue 5 item 7)."""
    text = (question or "").strip()
    if len(text) < 5:
        raise ValidationFailed(_("请把问题写清楚（至少5个字）"), field="question")
    if len(text) > 1000:
        raise ValidationFailed(_("问题不能超过1000字"), field="question")
    return Question.objects.create(
        item=item_version.item,
        unit=item_version.implementing_unit,
        question=text,
        asker_name=(asker_name or "").strip()[:50],
        phone=_phone_or_blank(phone),
        public_allowed=bool(public_allowed),
    )


# -- helpers --------------------------------------------------------------------------------


def _code(length: int = 10) -> str:
    """A random, unguessable, easily read code (Crockford alphabet, no I/L/O/U)."""
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(secrets.choice(alphabet) for _i in range(length))


def _create_with_code(model, *, length: int = 10, **fields):
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return model.objects.create(code=_code(length), **fields)
        except IntegrityError:
            continue
    raise Conflict(_("编号生成失败，请重试"))  # pragma: no cover - 50 random bits


# -- appointments ---------------------------------------------------------------------------


def appointment_capacity(*, unit: Unit, half: str) -> int:
    cap = AppointmentCapacity.objects.filter(unit=unit).first()
    if cap is None:
        return int(getattr(settings, "BIANMIN_APPOINTMENT_DEFAULT_CAPACITY", 4))
    return cap.for_half(half)


def _check_slot(*, unit: Unit, day: dt.date, half: str, today: dt.date) -> None:
    if half not in HalfDay.values:
        raise ValidationFailed(_("请选择上午或下午"), field="half")
    if day <= today:
        raise ValidationFailed(_("只能预约明天及以后的日期"), field="day")
    if day > today + dt.timedelta(days=APPOINTMENT_DAYS_AHEAD):
        raise ValidationFailed(
            _("最多可预约 %(n)s 天内的日期") % {"n": APPOINTMENT_DAYS_AHEAD}, field="day"
        )
    workday, _provisional = is_workday(day)
    if not workday:
        raise ValidationFailed(_("%(d)s 不是工作日，请另选日期") % {"d": day}, field="day")
    if unit.kind not in BOOKABLE_KINDS or not unit.is_active:
        raise ValidationFailed(_("该单位不接受预约"), field="unit")


def _take_seat(*, unit: Unit, day: dt.date, half: str) -> int:
    """The lowest free seat of the half-day; Conflict when it is full."""
    taken = set(
        Appointment.objects.filter(
            unit=unit, day=day, half=half, status=Appointment.Status.BOOKED
        ).values_list("slot", flat=True)
    )
    capacity = appointment_capacity(unit=unit, half=half)
    free = next((n for n in range(1, capacity + 1) if n not in taken), None)
    if free is None:
        raise Conflict(
            _("%(d)s%(h)s已约满，请选择其他时段") % {"d": day, "h": HalfDay(half).label},
            code=ErrorCode.SLOT_FULL,
        )
    return free


@transaction.atomic
def appointment_book(
    *,
    unit: Unit,
    day: dt.date,
    half: str,
    name: str,
    phone: str,
    item_version: ItemVersion | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Appointment:
    """Book a half-day at a window or station (预约).

    Working days only (the holiday calendar), at most the unit's capacity per half-day, one
    booking per phone per unit and half-day. The seat number and the partial unique constraints
    make double booking impossible even for two simultaneous requests: the loser gets a 409.
    """
    today = today or timezone.localdate()
    _check_slot(unit=unit, day=day, half=half, today=today)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写姓名"), field="name")
    phone = _phone_or_blank(phone, required=True)
    if Appointment.objects.filter(
        unit=unit, day=day, half=half, phone=phone, status=Appointment.Status.BOOKED
    ).exists():
        raise Conflict(_("您已预约该时段，无需重复预约"), code=ErrorCode.ALREADY_BOOKED)
    try:
        with transaction.atomic():
            return _create_with_code(
                Appointment,
                unit=unit,
                day=day,
                half=half,
                slot=_take_seat(unit=unit, day=day, half=half),
                name=name[:50],
                phone=phone,
                item_version=item_version,
                note=(note or "").strip()[:200],
            )
    except IntegrityError:
        raise Conflict(_("该时段刚刚被约满，请重新选择"), code=ErrorCode.SLOT_FULL) from None


def _appointment_for_update(code: str, phone_tail: str) -> Appointment:
    appt = (
        Appointment.objects.select_for_update(of=("self",))
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if appt is None or not phone_tail_matches(appt.phone, phone_tail):
        raise NotFound(_("预约码或手机号后四位不正确"))
    if appt.status != Appointment.Status.BOOKED:
        raise Conflict(_("该预约已取消"), code=ErrorCode.CANCELLED)
    return appt


@transaction.atomic
def appointment_cancel(*, code: str, phone_tail: str) -> Appointment:
    """Cancel with the appointment code and the last four digits of the phone; frees the seat."""
    appt = _appointment_for_update(code, phone_tail)
    appt.status = Appointment.Status.CANCELLED
    appt.save(update_fields=["status", "updated_at"])
    return appt


@transaction.atomic
def appointment_reschedule(
    *, code: str, phone_tail: str, day: dt.date, half: str, today: dt.date | None = None
) -> Appointment:
    """Move a booking to another half-day of the same unit under the same rules; keeps its code."""
    appt = _appointment_for_update(code, phone_tail)
    today = today or timezone.localdate()
    _check_slot(unit=appt.unit, day=day, half=half, today=today)
    if (appt.day, appt.half) == (day, half):
        return appt
    try:
        with transaction.atomic():
            appt.slot = _take_seat(unit=appt.unit, day=day, half=half)
            appt.day, appt.half = day, half
            appt.save()
    except IntegrityError:
        raise Conflict(_("该时段刚刚被约满，请重新选择"), code=ErrorCode.SLOT_FULL) from None
    return appt


# -- home visits ----------------------------------------------------------------------------


@transaction.atomic
def home_visit_request(
    *,
    station: Unit,
    item_version: ItemVersion,
    reason: str,
    name: str,
    id_number: str,
    phone: str,
    address: str,
    note: str = "",
) -> HomeVisitRequest:
    """上门服务: the elderly, the disabled and pregnant women may ask the village agent to come.

    Only for items the agent can take by proxy; the agent registers the proxy case at the visit,
    when the applicant signs the entrustment (`home_visit_register`).
    """
    if station.kind != UnitKind.VILLAGE_STATION:
        raise ValidationFailed(_("请选择所在村(社区)"), field="station")
    if reason not in HomeVisitRequest.Reason.values:
        raise ValidationFailed(_("上门服务面向老年人、残疾人和孕产妇，请选择原因"), field="reason")
    if not item_version.village_proxy:
        raise ValidationFailed(_("该事项不在村级代办范围内，不能上门代办"), field="item")
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写姓名"), field="name")
    try:
        id_number = normalize_id_number(id_number)
    except ValidationError as e:
        raise ValidationFailed(e.messages[0], field="id_number") from None
    address = (address or "").strip()
    if not address:
        raise ValidationFailed(_("请填写上门地址"), field="address")
    return _create_with_code(
        HomeVisitRequest,
        station=station,
        item_version=item_version,
        reason=reason,
        name=name[:50],
        id_number=id_number,
        phone=_phone_or_blank(phone, required=True),
        address=address[:200],
        note=(note or "").strip()[:300],
    )


@transaction.atomic
def home_visit_register(
    *, request: HomeVisitRequest, actor, entrustment_signed: bool
) -> HomeVisitRequest:
    """The agent visited and the applicant signed the entrustment: open the proxy case through
    the case engine's intake (`case_register`, channel proxy) with the agent as first responder."""
    row = HomeVisitRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)
    if row.case is not None:
        raise Conflict(_("该上门服务已登记为办件 %(n)s") % {"n": row.case.number}, code=ErrorCode.DONE)  # fmt: skip
    case = case_register(
        actor=actor,
        item_version=row.item_version.item.published_version or row.item_version,
        channel=Channel.PROXY,
        unit=row.station,
        applicant_kind=ApplicantKind.PERSON,
        applicant_name=row.name,
        id_number=row.id_number,
        phone=row.phone,
        address=row.address,
        entrustment_signed=entrustment_signed,
        entrustment_text=_("上门服务（%(r)s）：%(i)s")
        % {
            "r": row.get_reason_display(),
            "i": row.item_version.name,
        },
        note=_("上门服务申请 %(c)s") % {"c": row.code},
    )
    row.case, row.status = case, HomeVisitRequest.Status.REGISTERED
    row.save(update_fields=["case", "status", "updated_at"])
    return row


# -- online application ---------------------------------------------------------------------

DRAFT_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "id_number",
    "credit_code",
    "phone",
    "contact",
    "address",
    "subject",
    "region",
)


def draft_save(*, token: str, item_version: ItemVersion, data: dict) -> ApplicationDraft:
    """Keep what was typed (only known text fields, each cut to a sane length)."""
    clean = {k: str(data.get(k, ""))[:300] for k in DRAFT_FIELDS if k in data}
    draft, _created = ApplicationDraft.objects.get_or_create(
        token=token, defaults={"item_version": item_version, "data": {}}
    )
    dropped = []
    if draft.item_version_id != item_version.pk:
        # Another item's materials mean nothing here; their files go with them (a draft's files
        # are personal data kept only for the form they were uploaded to).
        dropped = _draft_paths(draft)
        draft.item_version, draft.data = item_version, {}
    draft.data = {**draft.data, **clean}
    draft.save()
    for path in dropped:
        _draft_file_delete(path)
    return draft


def draft_keep_file(
    *, draft: ApplicationDraft, material_id: int, upload: CheckedUpload
) -> ApplicationDraft:
    """Store an accepted upload with the draft, so a later error elsewhere does not lose it."""
    path = default_storage.save(
        f"portal/drafts/{draft.token[:16]}/{material_id}.{upload.extension}",
        ContentFile(upload.content),
    )
    files = dict(draft.data.get("files") or {})
    old = files.get(str(material_id))
    if old and old.get("path") != path:
        default_storage.delete(old["path"])
    files[str(material_id)] = {
        "path": path,
        "name": upload.original_name,
        "type": upload.content_type,
        "size": len(upload.content),
    }
    draft.data = {**draft.data, "files": files}
    draft.save(update_fields=["data", "updated_at"])
    return draft


# Personal data minimisation (个人信息保护法 art. 6 and 19: keep personal information only as long
# as the purpose needs): a draft nobody touched for this many days is abandoned, and it and its
# uploaded files (ID cards, forms) are deleted by `draft_uploads_purge`.
DRAFT_KEEP_DAYS = 30
DRAFT_UPLOAD_DIR = "portal/drafts/"


def _draft_paths(draft: ApplicationDraft) -> list[str]:
    return [
        meta["path"]
        for meta in (draft.data.get("files") or {}).values()
        if isinstance(meta, dict) and str(meta.get("path") or "").startswith(DRAFT_UPLOAD_DIR)
    ]


def _file_referenced(path: str) -> bool:
    """Whether any stored file field still names `path` (a submitted application's material,
    which a case's file lists): such a file is never deleted with a draft."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if (
                isinstance(field, FileField)
                and model._default_manager.filter(**{field.name: path}).exists()
            ):
                return True
    return False


def _draft_file_delete(path: str) -> bool:
    """Delete a draft's upload (and its folder once empty) unless something else refers to it."""
    if not path.startswith(DRAFT_UPLOAD_DIR) or _file_referenced(path):
        return False
    if not default_storage.exists(path):
        return False
    default_storage.delete(path)
    # Not a local disk, or the folder still holds other files: leave the folder.
    with contextlib.suppress(NotImplementedError, OSError):
        os.rmdir(os.path.dirname(default_storage.path(path)))
    return True


def draft_uploads_purge(*, older_than_days: int = DRAFT_KEEP_DAYS, today: dt.date | None = None):
    """Delete online-application drafts untouched for `older_than_days` days (before local midnight
    of `today` minus that many days) with their uploaded files, and returns the counts.

    Rule: personal data minimisation (个人信息保护法 art. 6/19), see DRAFT_KEEP_DAYS. Submitted
    applications are never drafts (submitting deletes the draft) and keep their files: a file that
    any file field still names is kept. Each draft is removed in its own transaction, re-checked
    under its row lock so a draft touched meanwhile stays; its files go once that commits. Files
    left under portal/drafts/ by no draft and no record (older than the same cut-off) go too.
    Running it again deletes nothing more.
    """
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=older_than_days), dt.time.min)
    )
    counts = {"drafts": 0, "files": 0, "kept_files": 0, "orphan_files": 0}
    stale = list(
        ApplicationDraft.objects.filter(updated_at__lt=cutoff).values_list("pk", flat=True)
    )
    for pk in stale:
        with transaction.atomic():
            draft = (
                ApplicationDraft.objects.select_for_update()
                .filter(pk=pk, updated_at__lt=cutoff)
                .first()
            )
            if draft is None:
                continue
            paths = _draft_paths(draft)
            draft.delete()
            counts["drafts"] += 1
            for path in paths:
                if _file_referenced(path) or not default_storage.exists(path):
                    counts["kept_files"] += 1
                    continue
                counts["files"] += 1
                transaction.on_commit(functools.partial(_draft_file_delete, path))
    counts["orphan_files"] = _draft_orphans_purge(cutoff)
    return counts


def _draft_orphans_purge(cutoff: dt.datetime) -> int:
    """Old files under portal/drafts/ that no draft names and no record refers to (left by a
    crash between storing a file and saving its draft, or by older code)."""
    try:
        folders, _files = default_storage.listdir(DRAFT_UPLOAD_DIR)
    except (FileNotFoundError, NotImplementedError):
        return 0
    named = {p for d in ApplicationDraft.objects.only("data") for p in _draft_paths(d)}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                named.update(
                    model._default_manager.filter(
                        **{f"{field.name}__startswith": DRAFT_UPLOAD_DIR}
                    ).values_list(field.name, flat=True)
                )
    removed = 0
    for folder in folders:
        _dirs, names = default_storage.listdir(DRAFT_UPLOAD_DIR + folder)
        for name in names:
            path = f"{DRAFT_UPLOAD_DIR}{folder}/{name}"
            if path in named or default_storage.get_modified_time(path) >= cutoff:
                continue
            if _draft_file_delete(path):
                removed += 1
    return removed


def application_unit(*, item_version: ItemVersion, region: Region | None) -> Unit:
    """Where an online application lands: the accepting unit for the applicant's village
    (station for village items, its township centre for township items) or, for county items,
    the implementing unit (routing then follows the case engine's rules)."""
    from . import selectors

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
    fields["phone"] = _phone_or_blank(data.get("phone", ""), required=True)
    contact = (data.get("contact") or "").strip()
    if kind == ApplicantKind.ENTERPRISE and not contact:
        raise ValidationFailed(_("请填写企业联系人"), field="contact")
    region = Region.objects.filter(code=data.get("region") or "").first()
    unit = application_unit(item_version=version, region=region)
    app = _create_with_code(
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


def _locked_application(app: Application, *, statuses) -> tuple[Application, Case]:
    """The application row locked, with its case (a draft has none and is in no review state)."""
    row = Application.objects.select_for_update(of=("self",)).get(pk=app.pk)
    if row.status not in statuses or row.case is None:
        raise Conflict(
            _("该申报当前为“%(s)s”，不能执行此操作") % {"s": row.get_status_display()},
            code=ErrorCode.APPLICATION_STATE,
        )
    return row, row.case


PRE_REVIEW = {Application.Status.SUBMITTED, Application.Status.SUPPLEMENTED}


@transaction.atomic
def application_accept(*, application: Application, actor) -> Application:
    """Pre-review passed: accept the case through the case engine, which refuses while a
    required material is missing (art. 32). The reviewer becomes the case's first responder
    (首问负责) unless a colleague already handled it. A case the engine already deemed accepted
    (5 working days without notice) is only marked so here."""
    app, case = _locked_application(application, statuses=PRE_REVIEW)
    if case.state == State.SUBMITTED:
        case_transition(case=case, action="accept", actor=actor)
    elif case.accepted_on is None:
        raise Conflict(
            _("办件当前为“%(s)s”，不能受理") % {"s": case.get_state_display()},
            code=ErrorCode.APPLICATION_STATE,
        )
    app.status, app.reviewed_by = Application.Status.ACCEPTED, actor
    app.save(update_fields=["status", "reviewed_by", "updated_at"])
    return app


@transaction.atomic
def application_notice(
    *, application: Application, actor, materials: Sequence[int] = (), note: str = ""
) -> Application:
    """Pre-review found something missing: issue the one-time notice (一次性告知书) through the
    case engine, listing every missing material at once. `materials` adds uploaded materials the
    reviewer found unusable to the ones not uploaded at all; after a supplement, the engine allows
    a further notice only for materials the first one already listed."""
    app, case = _locked_application(application, statuses=PRE_REVIEW)
    case_transition(
        case=case,
        action="notify_missing",
        actor=actor,
        materials=[int(m) for m in materials],
        note=note,
    )
    app.status, app.reviewed_by = Application.Status.NOTICED, actor
    app.save(update_fields=["status", "reviewed_by", "updated_at"])
    return app


@transaction.atomic
def application_supplement(
    *, case: Case, uploads: dict[int, CheckedUpload], phone_tail: str
) -> Application:
    """The applicant answers the one-time notice online by uploading what it listed.

    The files are kept with the application and the case engine records the supplement as the
    applicant's own act (`case_supplement_online`: proven by number and phone digits, every
    listed material at once); the case goes back to staff, who accept it or notice it again.
    """
    app = getattr(case, "application", None)
    if app is None:
        raise ValidationFailed(_("该办件不是网上申报的，请把补正材料交到经办窗口或代办员"))
    app, _case = _locked_application(app, statuses={Application.Status.NOTICED})
    if not uploads:
        raise ValidationFailed(_("请选择要上传的补正材料"), field="files")
    names = {}
    for material_id, upload in uploads.items():
        ApplicationFile.objects.create(
            application=app,
            material_id=material_id,
            file=ContentFile(upload.content, name=f"{app.code}-{material_id}.{upload.extension}"),
            original_name=upload.original_name[:200],
            content_type=upload.content_type,
            size=len(upload.content),
            is_supplement=True,
        )
        names[material_id] = upload.original_name[:200]
    case_supplement_online(case=case, phone_tail=phone_tail, uploads=names)
    app.status = Application.Status.SUPPLEMENTED
    app.save(update_fields=["status", "updated_at"])
    return app


@transaction.atomic
def application_supplement_confirm(*, application: Application, actor) -> Application:
    """Staff checked the supplement (already recorded on the case by the applicant): accept the
    case if it came back before acceptance; a case noticed after acceptance simply runs on."""
    app, case = _locked_application(application, statuses={Application.Status.SUPPLEMENTED})
    if case.state == State.SUBMITTED:
        case_transition(case=case, action="accept", actor=actor)
    app.status, app.reviewed_by = Application.Status.ACCEPTED, actor
    app.save(update_fields=["status", "reviewed_by", "updated_at"])
    return app


# -- status lookup --------------------------------------------------------------------------


def status_verify(*, number: str, phone_tail: str, ip: str, answer: Answer | None = None) -> Case:
    """The case for a (number, last four phone digits) pair, or NotFound.

    The answer for a wrong pair is the same whether the number exists or not, so the lookup cannot
    be used to discover case numbers. Wrong pairs count per address and per number (`throttle`):
    past a few, the picture challenge `answer` must be solved first, so guessing slows down while
    the owner, who solves it, always gets through; an address that floods is refused (429).
    """
    number = (number or "").strip().upper()
    keys = throttle.keys_for(ip=ip, number=number)
    throttle.guard(keys, answer=answer)
    case = Case.objects.filter(number=number).first() if case_number_valid(number) else None
    if case is None or not phone_tail_matches(case.phone, phone_tail):
        throttle.record_failure(keys, ip=ip, number=number)
        raise NotFound(_("办件编号或手机号后四位不正确"), code=ErrorCode.NO_MATCH)
    return case


# -- consultation, complaints, ratings ------------------------------------------------------


@transaction.atomic
def question_answer(*, question: Question, actor, answer: str) -> Question:
    """The item's unit answers a question; only staff who act for that unit may."""
    if not scope_for(actor).can_act_for_unit(question.unit):
        raise PermissionDenied(_("只有%(u)s可以答复该咨询") % {"u": question.unit.name})
    text = (answer or "").strip()
    if not text:
        raise ValidationFailed(_("请填写答复内容"), field="answer")
    question.answer, question.answered_at, question.answered_by = text, timezone.now(), actor
    question.save(update_fields=["answer", "answered_at", "answered_by", "updated_at"])
    return question


def complaint_lookup(*, number: str, phone_tail: str, ip: str, answer: Answer | None = None):
    """What the complainant may read of their complaint (`supervision.selectors.PublicComplaint`:
    decision date, verified outcome, reply) for a (complaint number, last four phone digits) pair.

    Guarded like the status lookup (`throttle.COMPLAINT_LOOKUP`): a wrong pair is answered the
    same whether the number exists or not and counts per address and per number; past a few, the
    picture challenge `answer` must be solved first; a flooding address is refused (429).
    """
    from bianmin.supervision.selectors import complaint_public_get

    number = (number or "").strip().upper()
    limit = throttle.COMPLAINT_LOOKUP
    keys = throttle.keys_for(ip=ip, number=number, limit=limit)
    throttle.guard(keys, limit=limit, answer=answer)
    with contextlib.suppress(NotFound):
        return complaint_public_get(number, phone_tail)
    throttle.record_failure(keys, ip=ip, number=number, limit=limit)
    raise NotFound(_("投诉编号或手机号后四位不正确"), code=ErrorCode.NO_MATCH)


def complaint_file(**kwargs):
    """File a complaint or suggestion through the supervision service (tracking number, reply
    deadline); the portal adds nothing of its own."""
    from bianmin.supervision.services import complaint_file as supervision_complaint_file

    return supervision_complaint_file(**kwargs)


def rating_submit(*, case: Case, level: int, comment: str = "", phone_tail: str | None = None):
    """Rate a case online through the ratings service (five levels, once per channel, editable
    within its window; a bad rating opens a rectification)."""
    from bianmin.ratings.services import rating_submit as ratings_rating_submit

    return ratings_rating_submit(
        case=case, level=level, comment=comment, channel="online", phone_tail=phone_tail
    )
