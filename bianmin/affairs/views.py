"""Village affairs pages: the public board, trusteeship keeping, mediation and deliberations."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import ValidationFailed
from bianmin.common.forms import as_id, posted_text
from bianmin.common.inputs import parse_date
from bianmin.common.paper import render_paper
from bianmin.common.refusals import attempt
from bianmin.common.sheets import xlsx_response

from . import export, selectors, services
from .access import require_confidence, require_trustee
from .models import (
    Asset,
    AssetCategory,
    CashEntry,
    Contract,
    ContractPayment,
    Deliberation,
    Direction,
    Mediation,
    MediationOutcome,
    MeetingKind,
)


def _village(code: str):
    return selectors.village_get(code=code)


def _date(text):
    """A posted date, None when blank or unreadable (the service names the missing field); an
    out-of-range date is refused here, inside `attempt`, with the bounds named."""
    text = (text or "").strip()
    try:
        return parse_date(text, field=_("日期")) if text else None
    except ValidationFailed as e:
        if e.code == "out_of_range":
            raise
        return None


@require_GET
@replica_reads
def board(request, code: str):
    """The villagers' read-only board: assets, journal, contracts, published deliberations."""
    village = _village(code)
    return render(request, "affairs/board.html", {"b": selectors.village_board(village=village)})


@login_required
def trusteeship(request, code: str):
    village = _village(code)
    require_trustee(request.user, village)
    return render(
        request,
        "affairs/trusteeship.html",
        {
            "b": selectors.village_board(village=village),
            "directions": Direction.choices,
            "categories": AssetCategory.choices,
        },
    )


def _journal(request, code: str):
    """The village and its journal, for a trustee only (the keeper's book)."""
    village = _village(code)
    require_trustee(request.user, village)
    lines = selectors.journal(village=village)
    return lines, export.journal_paper(request, village, lines)


@login_required
@require_GET
@replica_reads
def journal_xlsx(request, code: str):
    lines, paper = _journal(request, code)
    return xlsx_response(f"journal-{code}.xlsx", [export.journal_sheet(lines, paper)])


@login_required
@require_GET
@replica_reads
def journal_print(request, code: str):
    lines, paper = _journal(request, code)
    return render_paper(request, paper, [export.journal_sheet(lines, paper)])


@login_required
@require_POST
def trusteeship_action(request, code: str, action: str):
    village = _village(code)
    p, u = request.POST, request.user
    if action == "entry":
        attempt(
            request,
            lambda: services.cash_entry_record(
                actor=u,
                village=village,
                date=_date(p.get("date")),
                direction=p.get("direction", ""),
                amount=p.get("amount", ""),
                summary=posted_text(p, "summary", model=CashEntry),
                counterparty=posted_text(p, "counterparty", model=CashEntry),
                voucher=posted_text(p, "voucher", model=CashEntry, identifier=True),
            ),
            _("已登记"),
        )
    elif action == "reverse":
        entry = get_object_or_404(CashEntry, pk=as_id(p.get("entry")) or 0, village=village)
        attempt(
            request,
            lambda: services.cash_entry_reverse(
                actor=u, entry=entry, reason=posted_text(p, "reason", model=CashEntry)
            ),
            _("已冲销"),
        )
    elif action == "asset":
        attempt(
            request,
            lambda: services.asset_register(
                actor=u,
                village=village,
                category=p.get("category", ""),
                name=posted_text(p, "name", model=Asset),
                quantity=p.get("quantity", ""),
                measure=posted_text(p, "measure", model=Asset),
                value=p.get("value") or 0,
                acquired_on=_date(p.get("acquired_on")),
                location=posted_text(p, "location", model=Asset),
            ),
            _("已登记资产资源"),
        )
    elif action == "contract":
        attempt(
            request,
            lambda: services.contract_create(
                actor=u,
                village=village,
                number=posted_text(p, "number", model=Contract, identifier=True),
                title=posted_text(p, "title", model=Contract),
                counterparty=posted_text(p, "counterparty", model=Contract),
                subject=posted_text(p, "subject", model=Contract),
                start=_date(p.get("start")),
                end=_date(p.get("end")),
                annual_amount=p.get("annual_amount", ""),
                area=p.get("area") or None,
            ),
            _("已登记合同"),
        )
    elif action == "receive":
        payment = get_object_or_404(
            ContractPayment, pk=as_id(p.get("payment")) or 0, contract__village=village
        )
        attempt(
            request,
            lambda: services.contract_payment_receive(actor=u, payment=payment),
            _("已收取租金"),
        )
    else:
        raise Http404
    return redirect("affairs:trusteeship", code=code)


@login_required
def mediation(request, code: str):
    village = _village(code)
    require_confidence(request.user, village)
    rows = selectors.mediations(viewer=request.user, village=village)
    return render(
        request,
        "affairs/mediation.html",
        {"village": village, "rows": rows, "outcomes": MediationOutcome.choices},
    )


@login_required
@require_POST
def mediation_action(request, code: str, action: str):
    village = _village(code)
    require_confidence(request.user, village)
    p, u = request.POST, request.user
    if action == "new":
        attempt(
            request,
            lambda: services.mediation_record(
                actor=u,
                village=village,
                parties=posted_text(p, "parties", model=Mediation),
                matter=posted_text(p, "matter", model=Mediation),
                mediator=posted_text(p, "mediator", model=Mediation),
                mediated_on=_date(p.get("mediated_on")),
                outcome=p.get("outcome", ""),
                agreement=posted_text(p, "agreement", model=Mediation),
            ),
            _("已登记调解"),
        )
    elif action == "follow-up":
        m = get_object_or_404(Mediation, pk=as_id(p.get("mediation")) or 0, village=village)
        attempt(
            request,
            lambda: services.mediation_follow_up(
                actor=u,
                mediation=m,
                text=posted_text(p, "follow_up", model=Mediation),
                on=_date(p.get("on")),
            ),
            _("已登记回访"),
        )
    else:
        raise Http404
    return redirect("affairs:mediation", code=code)


@login_required
def deliberations(request, code: str):
    village = _village(code)
    require_confidence(request.user, village)
    return render(
        request,
        "affairs/deliberations.html",
        {
            "village": village,
            "rows": selectors.deliberations(viewer=request.user, village=village),
            "kinds": MeetingKind.choices,
        },
    )


@login_required
@require_POST
def deliberation_action(request, code: str, action: str):
    village = _village(code)
    require_confidence(request.user, village)
    p, u = request.POST, request.user
    if action == "new":
        attempt(
            request,
            lambda: services.deliberation_record(
                actor=u,
                village=village,
                matter=posted_text(p, "matter", model=Deliberation),
                meeting_kind=p.get("meeting_kind", ""),
                meeting_on=_date(p.get("meeting_on")),
                eligible=p.get("eligible"),
                attended=p.get("attended"),
                votes_for=p.get("votes_for"),
                votes_against=p.get("votes_against"),
                abstained=p.get("abstained"),
                decision=posted_text(p, "decision", model=Deliberation),
            ),
            _("已登记议事结果"),
        )
    elif action == "publish":
        d = get_object_or_404(Deliberation, pk=as_id(p.get("deliberation")) or 0, village=village)
        attempt(
            request,
            lambda: services.deliberation_publish(actor=u, deliberation=d),
            _("已公示"),
        )
    else:
        raise Http404
    return redirect("affairs:deliberations", code=code)
