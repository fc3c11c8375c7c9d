"""Public pages: disclosure boards (公开公示), service cards (便民卡) and complaints (投诉建议)."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from bianmin.cases.models import Case
from bianmin.common.errors import DomainError, NotFound
from bianmin.common.qr import qr_svg
from bianmin.orgs.models import Region, Staff, UnitKind
from bianmin.reports.views import PUBLIC_KINDS

from . import selectors, services


def _unit_or_404(code: str):
    try:
        return selectors.public_unit_get(code=code)
    except NotFound:
        raise Http404 from None


def disclosure_county(request):
    centre = selectors.county_centre()
    return render(
        request,
        "portal/public/disclosure_county.html",
        {
            "centre": centre,
            "delegation": selectors.delegation_lists(),
            "townships": selectors.public_units(kind=UnitKind.TOWNSHIP_CENTRE),
            "departments": selectors.departments(),
            "stats": selectors.month_stats(centre) if centre else None,
        },
    )


def disclosure_unit(request, code: str):
    unit = _unit_or_404(code)
    staff = list(Staff.objects.filter(unit=unit, user__is_active=True).order_by("full_name"))
    items = list(selectors.unit_items(unit)[:100])
    fees = [(v, f) for v in items for f in v.fees.all() if f.amount]
    return render(
        request,
        "portal/public/disclosure_unit.html",
        {
            "unit": unit,
            "staff": staff,
            "items": items,
            "fees": fees,
            "concluded": selectors.concluded_cases(unit),
            "stats": selectors.month_stats(unit),
            "roster": selectors.duty_roster(unit),
            "children": selectors.public_units().filter(parent=unit),
            "public_stats_kinds": PUBLIC_KINDS,
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


def complaint_file(request):
    units = selectors.public_units().exclude(kind=UnitKind.WINDOW)
    form = request.POST if request.method == "POST" else request.GET
    context = {"units": units, "form": form}
    if request.method == "POST":
        unit = units.filter(code=form.get("unit", "")).first()
        case = None
        number = form.get("case_number", "").strip().upper()
        if number:
            case = Case.objects.filter(number=number).first()
        try:
            if number and case is None:
                raise DomainError(_("未找到该办件编号，请核对或留空"), field="case_number")
            complaint = services.complaint_file(
                kind=form.get("kind", ""),
                unit=unit,
                content=form.get("content", ""),
                name=form.get("name", ""),
                phone=form.get("phone", ""),
                case=case,
            )
        except DomainError as e:
            context.update(error=e.message, error_field=e.field)
            return render(request, "portal/public/complaint.html", context, status=422)
        return render(request, "portal/public/complaint_done.html", {"complaint": complaint})
    return render(request, "portal/public/complaint.html", context)
