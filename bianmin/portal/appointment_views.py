"""Public pages: appointments (预约) and home-visit requests (上门服务)."""

import datetime as dt

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bianmin.catalog.models import ItemVersion
from bianmin.common.errors import DomainError, NotFound, ValidationFailed
from bianmin.common.forms import posted_text
from bianmin.common.inputs import parse_date
from bianmin.common.refusals import ANY, on_refusal
from bianmin.orgs.models import UnitKind
from bianmin.workdays.calendar import is_workday

from . import selectors, services
from .models import Appointment, HalfDay, HomeVisitRequest


def _bookable_units():
    return selectors.public_units().filter(
        kind__in=[UnitKind.VILLAGE_STATION, UnitKind.TOWNSHIP_CENTRE, UnitKind.COUNTY_CENTRE]
    )


def _workdays_ahead(n: int = 10) -> list[dt.date]:
    day, out = timezone.localdate(), []
    while len(out) < n:
        day += dt.timedelta(days=1)
        if is_workday(day)[0]:
            out.append(day)
    return out


def _parse_day(value: str) -> dt.date | None:
    try:
        return parse_date(value, field=_("日期"))
    except ValidationFailed:
        return None


def _item(code: str) -> ItemVersion | None:
    if not code:
        return None
    try:
        return selectors.guide_get(code=code)
    except NotFound:
        return None


def _book_context(request) -> dict:
    form = request.POST if request.method == "POST" else request.GET
    return {
        "units": _bookable_units(),
        "days": _workdays_ahead(),
        "halves": HalfDay.choices,
        "form": form,
        "item": _item(form.get("item", "")),
    }


def _book_refused(request, e: DomainError):
    context = {**_book_context(request), "error": e.message, "error_field": e.field}
    return render(request, "portal/public/appointment_book.html", context, status=422)


@on_refusal(_book_refused, errors=ANY)
def appointment_book(request):
    context = _book_context(request)
    if request.method == "POST":
        form = context["form"]
        unit = context["units"].filter(code=form.get("unit", "")).first()
        if unit is None:
            raise DomainError(_("请选择办理地点"), field="unit")
        appt = services.appointment_book(
            unit=unit,
            day=_parse_day(form.get("day", "")) or timezone.localdate(),
            half=form.get("half", ""),
            name=posted_text(form, "name", model=Appointment),
            phone=posted_text(form, "phone", model=Appointment, identifier=True),
            item_version=context["item"],
            note=posted_text(form, "note", model=Appointment),
        )
        request.session["portal_appointment"] = appt.code
        return redirect("portal:appointment_manage", code=appt.code)
    return render(request, "portal/public/appointment_book.html", context)


def _manage_context(request, code: str) -> dict:
    appt = Appointment.objects.select_related("unit", "item_version").filter(code=code).first()
    if appt is None:
        raise Http404
    # The code is a secret handed to the booker; their own session sees the details at once,
    # anyone else must add the phone's last four digits to change anything.
    return {
        "appt": appt,
        "days": _workdays_ahead(),
        "halves": HalfDay.choices,
        "just_booked": request.session.get("portal_appointment") == appt.code,
    }


def _manage_refused(request, e: DomainError, code: str):
    context = {**_manage_context(request, code), "error": e.message}
    return render(request, "portal/public/appointment_manage.html", context, status=e.status)


@require_http_methods(["GET", "POST"])
@on_refusal(_manage_refused, errors=ANY)
def appointment_manage(request, code: str):
    context = _manage_context(request, code)
    if request.method == "POST":
        action = request.POST.get("action")
        tail = request.POST.get("phone_tail", "")
        if action == "cancel":
            services.appointment_cancel(code=code, phone_tail=tail)
            context["done"] = "cancelled"
        elif action == "reschedule":
            services.appointment_reschedule(
                code=code,
                phone_tail=tail,
                day=_parse_day(request.POST.get("day", "")) or timezone.localdate(),
                half=request.POST.get("half", ""),
            )
            context["done"] = "rescheduled"
        else:
            raise DomainError(_("未知操作"))
        context["appt"].refresh_from_db()
    return render(request, "portal/public/appointment_manage.html", context)


def _visit_context(request) -> dict:
    return {
        "stations": selectors.public_units(kind=UnitKind.VILLAGE_STATION),
        "items": selectors.guide_list(village_proxy=True),
        "reasons": HomeVisitRequest.Reason.choices,
        "form": request.POST if request.method == "POST" else request.GET,
    }


def _visit_refused(request, e: DomainError):
    context = {**_visit_context(request), "error": e.message, "error_field": e.field}
    return render(request, "portal/public/home_visit.html", context, status=422)


@on_refusal(_visit_refused, errors=ANY)
def home_visit(request):
    context = _visit_context(request)
    if request.method == "POST":
        form = context["form"]
        station = context["stations"].filter(code=form.get("station", "")).first()
        version = _item(form.get("item", ""))
        if station is None:
            raise DomainError(_("请选择所在村(社区)"), field="station")
        if version is None:
            raise DomainError(_("请选择要办理的事项"), field="item")
        row = services.home_visit_request(
            station=station,
            item_version=version,
            reason=form.get("reason", ""),
            name=posted_text(form, "name", model=HomeVisitRequest),
            id_number=posted_text(form, "id_number", model=HomeVisitRequest, identifier=True),
            phone=posted_text(form, "phone", model=HomeVisitRequest, identifier=True),
            address=posted_text(form, "address", model=HomeVisitRequest),
            note=posted_text(form, "note", model=HomeVisitRequest),
        )
        return render(
            request,
            "portal/public/home_visit_done.html",
            {"row": row, "agents": selectors.agents_of(row.station)},
        )
    return render(request, "portal/public/home_visit.html", context)
