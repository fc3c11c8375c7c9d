"""The printable documents of a case: what each one says, built from the stored case.

Each builder returns a plain `doc` dict for a template under `cases/documents/`; the page view
serves it as HTML or PDF (`bianmin.common.documents`). Identifier numbers are printed masked: the
applicant already holds the number, and a masked copy is safe when a printout is left at a counter.
"""

import base64
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.errors import Conflict, NotFound
from bianmin.common.qr import qr_svg
from bianmin.common.validators import mask_id_number, mask_phone

from .models import ApplicantKind, Case, MaterialStatus, State


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: object
    template: str


KINDS = {
    k.code: k
    for k in (
        DocumentKind("receipt", gettext_lazy("受理通知书"), "cases/documents/receipt.html"),
        DocumentKind("notice", gettext_lazy("一次性告知书"), "cases/documents/notice.html"),
        DocumentKind("decline", gettext_lazy("不予受理通知书"), "cases/documents/refusal.html"),
        DocumentKind("refusal", gettext_lazy("不予批准决定书"), "cases/documents/refusal.html"),
        DocumentKind("register", gettext_lazy("代办登记表"), "cases/documents/register.html"),
        DocumentKind("delivery", gettext_lazy("送达回执"), "cases/documents/delivery.html"),
    )
}


def status_url(case: Case) -> str:
    """The public status page printed (and QR-encoded) on the receipt."""
    return f"{settings.BIANMIN_PUBLIC_URL.rstrip('/')}/status/{case.number}"


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y年n月j日 H:i")
    return date_format(value, "Y年n月j日")


def _last_event(case: Case, *actions: str):
    return case.events.filter(action__in=actions).select_related("unit", "actor").last()


def _person(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.full_name if staff else user.get_username()


def available_kinds(case: Case) -> list[DocumentKind]:
    """The documents that exist for the case in its current state."""
    out = []
    if case.accepted_on:
        out.append(KINDS["receipt"])
    if case.notices.exists():
        out.append(KINDS["notice"])
    if case.state == State.DECLINED:
        out.append(KINDS["decline"])
    if case.approved is False:
        out.append(KINDS["refusal"])
    if case.is_proxy:
        out.append(KINDS["register"])
    if case.concluded_on or case.state in (State.RETURNING, State.TO_DELIVER, State.CLOSED):
        out.append(KINDS["delivery"])
    return out


def _base(case: Case, kind: DocumentKind, *, unit=None, handler="", date=None) -> dict:
    unit = unit or case.current_unit
    if case.applicant_kind == ApplicantKind.ENTERPRISE:
        id_label, id_value = _("统一社会信用代码"), case.credit_code
    else:
        id_label, id_value = _("居民身份证号"), mask_id_number(case.id_number)
    return {
        "kind": kind.code,
        "title": str(kind.title),
        "number": case.number,
        "issuer": unit.name,
        "handler": handler,
        "date": _day(date or timezone.localdate()),
        "item_name": case.item_version.name,
        "item_code": case.item_version.item.local_code,
        "case_url": reverse("cases:detail", args=[case.number]),
        "applicant": {
            "name": case.applicant_name,
            "id_label": id_label,
            "id_number": id_value,
            "contact": case.contact,
            "phone": mask_phone(case.phone),
        },
    }


def _materials(case: Case) -> list[dict]:
    return [
        {"name": m.name, "status": m.get_status_display(), "code": m.status}
        for m in case.materials.all()
    ]


def build(case: Case, code: str) -> tuple[DocumentKind, dict]:
    """The document `code` of `case`, or NotFound / Conflict when it does not exist (yet)."""
    kind = KINDS.get(code)
    if kind is None:
        raise NotFound(_("没有这种文书：%(k)s") % {"k": code})
    if kind not in available_kinds(case):
        raise Conflict(
            _("办件当前状态（%(s)s）下没有%(t)s")
            % {"s": case.get_state_display(), "t": kind.title},
            code="no_document",
        )
    return kind, globals()[f"_build_{code}"](case, kind)


def _build_receipt(case: Case, kind: DocumentKind) -> dict:
    ev = _last_event(case, "accept")
    doc = _base(
        case,
        kind,
        unit=ev.unit if ev and ev.unit else None,
        handler=ev.actor_name if ev else "",
        date=case.accepted_on,
    )
    url = status_url(case)
    fee = case.fee_total or 0
    doc.update(
        accepted_at=_day(case.accepted_on),
        promised_due=_day(case.promised_due),
        statutory_due=_day(case.statutory_due),
        proxy_due=_day(case.proxy_due) if case.is_proxy else "",
        provisional=case.deadlines_provisional,
        status_url=url,
        qr_svg=qr_svg(url, title=url),
        materials=_materials(case),
        fee_text=_("免费") if not fee else _("%(n)s元（按公示标准收取）") % {"n": fee},
    )
    return doc


def _build_notice(case: Case, kind: DocumentKind) -> dict:
    from bianmin.catalog.models import Material

    notice = case.notices.select_related("unit", "issued_by").last()
    told = notice.materials
    by_id = Material.objects.in_bulk([m["material"] for m in told])
    missing = []
    for m in told:
        mat = by_id.get(m["material"])
        missing.append(
            {
                "name": m.get("name") or (mat.name if mat else ""),
                "originals": mat.originals if mat else 0,
                "copies": mat.copies if mat else 0,
                "note": mat.note if mat else "",
            }
        )
    doc = _base(
        case, kind, unit=notice.unit, handler=_person(notice.issued_by), date=notice.issued_on
    )
    doc.update(notice_number=notice.number, missing=missing, reasons=notice.note)
    return doc


def _build_decline(case: Case, kind: DocumentKind) -> dict:
    ev = _last_event(case, "decline")
    doc = _base(
        case,
        kind,
        unit=ev.unit if ev and ev.unit else None,
        handler=ev.actor_name if ev else "",
        date=timezone.localdate(ev.at) if ev else None,
    )
    doc["reasons"] = case.reasons or (ev.note if ev else "")
    return doc


def _build_refusal(case: Case, kind: DocumentKind) -> dict:
    ev = _last_event(case, "decide")
    doc = _base(
        case,
        kind,
        unit=ev.unit if ev and ev.unit else case.deciding_unit,
        handler=ev.actor_name if ev else "",
        date=case.decided_on,
    )
    doc["reasons"] = case.reasons or (ev.note if ev else "")
    return doc


def _build_register(case: Case, kind: DocumentKind) -> dict:
    doc = _base(
        case, kind, unit=case.intake_unit, handler=case.agent.full_name if case.agent else ""
    )
    doc.update(
        station=case.intake_unit.name,
        agent=case.agent.full_name if case.agent else "",
        opened_at=_day(case.entrusted_at or case.created_at),
        state=case.get_state_display(),
        materials=_materials(case),
        hops=[
            {
                "from_unit": h.from_unit.name if h.from_unit else "—",
                "to_unit": h.to_unit.name,
                "sent_at": _day(h.sent_at),
                "received_at": _day(h.received_at),
            }
            for h in case.custodies.select_related("from_unit", "to_unit")
        ],
    )
    return doc


def signature_data_url(delivery) -> str:
    """The stored signature as an inline data URL (documents never fetch files by URL)."""
    if not delivery or not delivery.signature:
        return ""
    with delivery.signature.open("rb") as fh:
        raw = fh.read()
    mime = "image/png" if raw.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(raw).decode('ascii')}"


def _build_delivery(case: Case, kind: DocumentKind) -> dict:
    delivery = getattr(case, "delivery", None)
    doc = _base(
        case,
        kind,
        unit=case.intake_unit,
        handler=_person(delivery.delivered_by) if delivery else "",
        date=timezone.localdate(delivery.delivered_at) if delivery else None,
    )
    doc.update(
        result_name=case.item_version.result_name,
        certificate_number=case.certificate_number,
        outcome=_("准予") if case.approved else (_("不予批准") if case.approved is False else "—"),
        delivered_at=_day(delivery.delivered_at) if delivery else "",
        recipient=delivery.signed_by_name if delivery else "",
        feedback=delivery.feedback if delivery else "",
        signature_url=signature_data_url(delivery),
    )
    return doc


def missing_materials(case: Case) -> list[str]:
    """Names of the checklist rows still missing (for pages that show what the notice will list)."""
    return [m.name for m in case.materials.filter(status=MaterialStatus.MISSING)]
