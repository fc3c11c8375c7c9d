"""The printable documents of a case: what each one says, built from the stored case.

Each builder returns a plain `doc` dict for a template under `cases/documents/`; the page view
serves it as HTML or PDF (`bianmin.common.documents`). Identifier numbers are printed masked: the
applicant already holds the number, and a masked copy is safe when a printout is left at a counter.
Every document carries the QR code of the case's public status page (`status_url`), and those
that give the applicant a date give the one date RULES.md says they are given (`applicant_due`).
"""

import base64
import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bianmin.common.documents import public_url
from bianmin.common.errors import Conflict, ErrorCode, NotFound
from bianmin.common.qr import qr_svg
from bianmin.common.validators import mask_id_number, mask_phone
from bianmin.orgs.models import UnitKind

from .deadlines import PROXY_EXTRA_DAYS
from .models import ApplicantKind, Case, MaterialStatus, State


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: object
    template: str


KINDS = {
    k.code: k
    for k in (
        DocumentKind("entrustment", gettext_lazy("委托书"), "cases/documents/entrustment.html"),
        DocumentKind("receipt", gettext_lazy("受理通知书"), "cases/documents/receipt.html"),
        DocumentKind("notice", gettext_lazy("一次性告知书"), "cases/documents/notice.html"),
        DocumentKind("decline", gettext_lazy("不予受理通知书"), "cases/documents/refusal.html"),
        DocumentKind("refusal", gettext_lazy("不予批准决定书"), "cases/documents/refusal.html"),
        DocumentKind("register", gettext_lazy("代办登记表"), "cases/documents/register.html"),
        DocumentKind("delivery", gettext_lazy("送达回执"), "cases/documents/delivery.html"),
    )
}


def status_url(case: Case) -> str:
    """The case's public status page on the public address (BIANMIN_PUBLIC_URL, see
    `common.documents.public_url`): printed and QR-encoded on every document of the case. The
    page still asks for the last four phone digits before it shows anything."""
    return public_url(reverse("portal:status_detail", args=[case.number]))


@dataclass(frozen=True)
class ApplicantDue:
    """The date an applicant is given for their case, or the limit when no date exists yet.

    `kind`: "proxy" (the proxy deadline of a proxied case), "promised" (the deciding unit's
    promised date), "pending" (the deciding unit has not started its clock: `limit_days` working
    days from its receipt), "none" (no limit applies).
    """

    kind: str
    label: str
    date: dt.date | None
    limit_days: int
    provisional: bool = False

    @property
    def text(self) -> str:
        """The printable value: the date, or the limit in working days and where it runs from."""
        if self.date is not None:
            return _day(self.date)
        if self.kind == "pending":
            if not self.limit_days:
                return _("即办（决定单位收件后当场办结）")
            return _("%(n)s个工作日（自决定单位收件之日起计算）") % {"n": self.limit_days}
        return ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "date": self.date,
            "limit_days": self.limit_days,
            "provisional": self.provisional,
            "text": self.text,
        }


def applicant_due(case: Case) -> ApplicantDue:
    """The date the applicant is given, on notices, the public status page and the lookup.

    RULES.md "Time limits" / "The route of a proxied case": a proxied case is finished within the
    promised limit plus 5 working days from take-in (沂水 2016), and that proxy deadline
    (`Case.proxy_due`, labelled 代办承诺办结日期) is the date a proxied applicant is given. Other
    applicants are given the deciding unit's promised date (承诺办结日期). The deciding unit's
    clock starts on its own acceptance or receipt of the accepted case, so a case still on its way
    up to it (`clock_started_on` and `promised_due` empty: a county item accepted at the township)
    has no promised date yet: it is given the promised limit in working days, counted from the
    deciding unit's receipt.
    """
    limit = case.promised_limit + (case.extended_days or 0) if case.item_version_id else 0
    provisional = bool(case.deadlines_provisional)
    if case.is_proxy and case.proxy_due is not None:
        return ApplicantDue(
            "proxy", _("代办承诺办结日期"), case.proxy_due, limit + PROXY_EXTRA_DAYS, provisional
        )
    if case.promised_due is not None:
        return ApplicantDue("promised", _("承诺办结日期"), case.promised_due, limit, provisional)
    if case.item_version_id and case.clock_started_on is None:
        return ApplicantDue("pending", _("承诺办结时限"), None, limit)
    return ApplicantDue("none", _("承诺办结日期"), None, 0)


def statutory_text(case: Case) -> str:
    """The statutory limit as printed: its date, or before the deciding unit's clock starts the
    statutory working days from its receipt (行政许可法 art. 42)."""
    if case.statutory_due is not None:
        return _day(case.statutory_due)
    if case.item_version_id and case.clock_started_on is None:
        days = case.item_version.statutory_limit + (case.extended_days or 0)
        return _("%(n)s个工作日（自决定单位收件之日起计算）") % {"n": days}
    return ""


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
    """The documents that exist for the case in its current state. A proxied case has its
    entrustment (委托书) from take-in: the applicant signs it at intake."""
    out = []
    if case.is_proxy:
        out.append(KINDS["entrustment"])
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
    url = status_url(case)
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
        "is_proxy": case.is_proxy,
        "due": applicant_due(case).as_dict(),
        "status_url": url,
        "qr_svg": qr_svg(url, title=url),
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
        {"no": n, "name": m.name, "status": m.get_status_display(), "code": m.status}
        for n, m in enumerate(case.materials.all(), start=1)
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
            code=ErrorCode.NO_DOCUMENT,
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
    materials = _materials(case)
    doc.update(
        accepted_at=_day(case.accepted_on),
        statutory_due=statutory_text(case),
        statutory_label=_("法定办结日期") if case.statutory_due else _("法定办结时限"),
        provisional=case.deadlines_provisional,
        materials=materials,
        # The acceptance notice stays on one A4 page with its stamp block: two materials a row,
        # and a long checklist as a run-in list.
        material_rows=[materials[i : i + 2] for i in range(0, len(materials), 2)],
        materials_inline=len(materials) > RECEIPT_TABLE_MATERIALS,
        fee_text=_fee_text(case),
        **_proxy_parties(case),
    )
    return doc


# Up to this many received materials the acceptance notice lists them in a table.
RECEIPT_TABLE_MATERIALS = 10


def _fee_text(case: Case) -> str:
    fee = case.fee_total or 0
    return _("免费") if not fee else _("%(n)s元（按公示标准收取）") % {"n": fee}


def _proxy_parties(case: Case) -> dict:
    """Who took the request in on the applicant's behalf: the village agent and station, or the
    hall's clerk and hall when a township or county hall took the proxy request directly."""
    if not case.is_proxy:
        return {"agent": "", "station": "", "agent_label": "", "station_label": ""}
    at_station = case.intake_unit.kind == UnitKind.VILLAGE_STATION
    return {
        "agent": case.agent.full_name if case.agent else _person(case.first_responder),
        "station": case.intake_unit.name,
        "agent_label": _("代办员") if at_station else _("经办工作人员"),
        "station_label": _("代办点") if at_station else _("服务大厅"),
    }


def _build_entrustment(case: Case, kind: DocumentKind) -> dict:
    """The entrustment (委托书) the applicant signs at take-in: who entrusts whom with what, that
    proxy handling is free, the proxy deadline they are given, and lines for both signatures."""
    parties = _proxy_parties(case)
    doc = _base(
        case,
        kind,
        unit=case.intake_unit,
        handler=parties["agent"],
        date=timezone.localdate(case.entrusted_at) if case.entrusted_at else case.submitted_on,
    )
    doc.update(
        entrustment_text=case.entrustment_text,
        entrusted_at=_day(case.entrusted_at or case.created_at),
        fee=case.fee_total or 0,
        fee_text=_fee_text(case),
        promised_limit=case.promised_limit,
        proxy_extra_days=PROXY_EXTRA_DAYS,
        **parties,
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
        **_proxy_parties(case),
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
