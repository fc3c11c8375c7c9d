"""Public pages: disclosure boards (公开公示), service cards (便民卡) and complaints (投诉建议)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bianmin.cases.models import Case
from bianmin.common import public_cache, throttle
from bianmin.common.challenge import Answer
from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import DomainError
from bianmin.common.forms import posted_text
from bianmin.common.inputs import LONG_TEXT_MAX
from bianmin.common.qr import qr_svg
from bianmin.common.refusals import ANY, on_refusal
from bianmin.orgs.models import Region, Staff, UnitKind
from bianmin.reports.views import PUBLIC_KINDS
from bianmin.supervision.models import Complaint

from . import selectors, services
from .status_views import challenge_for, client_ip, lookup_refused


def _unit_or_404(code: str):
    return selectors.public_unit_get(code=code)


@replica_reads
def disclosure_county(request):
    centre = selectors.county_centre()

    def catalogue() -> str:
        # Items by tier and the units' boards: what a publication changes, shared by readers.
        # The month's figures above them change with every case and are read each time.
        return render_to_string(
            "portal/public/_county_catalogue.html",
            {
                "delegation": selectors.delegation_lists(),
                "townships": selectors.public_units(kind=UnitKind.TOWNSHIP_CENTRE),
                "departments": selectors.departments(),
            },
        )

    return render(
        request,
        "portal/public/disclosure_county.html",
        {
            "centre": centre,
            "catalogue": public_cache.cached(request, "board_county", catalogue),
            "stats": selectors.month_stats(centre) if centre else None,
        },
    )


# A board lists this many of its items; the guide list pages through all of them.
BOARD_ITEMS = 100
BOARD_CASES_PER_PAGE = 50


@replica_reads
def disclosure_unit(request, code: str):
    unit = _unit_or_404(code)
    staff = list(Staff.objects.filter(unit=unit, user__is_active=True).order_by("full_name"))

    def catalogue() -> str:
        # The unit's items and fees: what a publication changes, shared by every reader.
        all_items = selectors.unit_items(unit)
        items = list(all_items[:BOARD_ITEMS])
        return render_to_string(
            "portal/public/_unit_items.html",
            {
                "items": items,
                "items_total": len(items) if len(items) < BOARD_ITEMS else all_items.count(),
                "items_url": f"{reverse('portal:guide_list')}?"
                f"{urlencode(selectors.unit_items_filter(unit))}",
                "fees": [(v, f) for v in items for f in v.fees.all() if f.amount],
            },
        )

    return render(
        request,
        "portal/public/disclosure_unit.html",
        {
            "unit": unit,
            "staff": staff,
            "catalogue": public_cache.cached(request, "board_unit", catalogue),
            "concluded": selectors.concluded_cases(unit),
            "stats": selectors.month_stats(unit),
            "roster": selectors.duty_roster(unit),
            "children": selectors.public_units().filter(parent=unit),
            "public_stats_kinds": PUBLIC_KINDS,
        },
    )


@replica_reads
def disclosure_cases(request, code: str, figure: str):
    """The cases one count of a board's 本月统计 counts, masked (公开公示), a page at a time."""
    unit = _unit_or_404(code)
    if figure not in selectors.BOARD_FIGURES:
        raise Http404
    page = Paginator(selectors.board_case_rows(unit, figure), BOARD_CASES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "portal/public/disclosure_cases.html",
        {
            "unit": unit,
            "figure": selectors.BOARD_FIGURES[figure],
            "page": page,
            "rows": [selectors.masked(c) for c in page.object_list],
            "month": timezone.localdate().replace(day=1),
            "monthly": figure != "open_now",
        },
    )


def service_cards(request):
    return render(request, "portal/public/service_cards.html", {"villages": selectors.villages()})


def service_card(request, code: str):
    """A village's printable card: agent, station hours, the ten most requested items with QR
    codes to their guides (inline SVG: prints anywhere, fetches nothing)."""
    region = Region.objects.filter(code=code, level="village").select_related("parent").first()
    if region is None:
        raise Http404
    station = selectors.station_for_region(region)
    base = settings.BIANMIN_PUBLIC_URL.rstrip("/")
    items = []
    for version in selectors.top_items_for_village(region):
        url = base + reverse("portal:guide_detail", args=[version.item.local_code])
        items.append({"v": version, "url": url, "qr": qr_svg(url, scale=3, title=version.name)})
    return render(
        request,
        "portal/public/service_card.html",
        {
            "region": region,
            "station": station,
            "agents": selectors.agents_of(station) if station else [],
            "items": items,
            "status_qr": qr_svg(
                base + reverse("portal:status_lookup"), scale=3, title=_("办件查询")
            ),
        },
    )


def _lookup_refused(request, e: DomainError):
    form = request.POST
    number = form.get("number", "").strip().upper()
    template, limit = "portal/public/complaint_lookup.html", throttle.COMPLAINT_LOOKUP
    return lookup_refused(request, template, {"form": form}, e, number=number, limit=limit)


@require_http_methods(["GET", "POST"])
@on_refusal(_lookup_refused, errors=ANY)
def complaint_lookup(request):
    """The complainant reads the decision, the verified outcome and the reply (number + phone
    tail, guarded like the status lookup). Shown on the POST's response only: nothing about
    the complaint is put in a URL or the session."""
    form = request.POST if request.method == "POST" else request.GET
    number = form.get("number", "").strip().upper()
    context: dict = {"form": form}
    if request.method == "POST" and not form.get("refresh"):
        context["c"] = services.complaint_lookup(
            number=number,
            phone_tail=form.get("phone_tail", ""),
            ip=client_ip(request),
            answer=Answer.from_data(form),
        )
        return render(request, "portal/public/complaint_lookup.html", context)
    context["challenge"] = challenge_for(request, number, throttle.COMPLAINT_LOOKUP)
    return render(request, "portal/public/complaint_lookup.html", context)


def _complaint_context(request) -> dict:
    units = selectors.public_units().exclude(kind=UnitKind.WINDOW)
    return {"units": units, "form": request.POST if request.method == "POST" else request.GET}


def _complaint_refused(request, e: DomainError):
    context = {**_complaint_context(request), "error": e.message, "error_field": e.field}
    return render(request, "portal/public/complaint.html", context, status=422)


@on_refusal(_complaint_refused, errors=ANY)
def complaint_file(request):
    context = _complaint_context(request)
    form = context["form"]
    if request.method == "POST":
        unit = context["units"].filter(code=form.get("unit", "")).first()
        case = None
        number = form.get("case_number", "").strip().upper()
        if number:
            case = Case.objects.filter(number=number).first()
        if number and case is None:
            raise DomainError(_("未找到该办件编号，请核对或留空"), field="case_number")
        complaint = services.complaint_file(
            kind=form.get("kind", ""),
            unit=unit,
            content=posted_text(
                form, "content", max_length=LONG_TEXT_MAX, model=Complaint, multiline=True
            ),
            name=posted_text(form, "name", model=Complaint),
            phone=posted_text(form, "phone", model=Complaint, identifier=True),
            case=case,
        )
        return render(request, "portal/public/complaint_done.html", {"complaint": complaint})
    return render(request, "portal/public/complaint.html", context)
