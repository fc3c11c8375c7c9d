"""Training pages: sessions in scope with a form to record one, a person's record, shortfalls."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.errors import PermissionDenied
from bianmin.orgs.models import Staff, Unit
from bianmin.orgs.scope import scope_for

from .. import selectors, services
from .common import parse_date, run


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
def sessions(request):
    year = _year(request)
    scope = scope_for(request.user)
    return render(
        request,
        "staffing/training.html",
        {
            "year": year,
            "sessions": selectors.training_sessions(viewer=request.user, year=year),
            "units": Unit.objects.filter(scope.units_q(), is_active=True).order_by("region__code"),
            "people": Staff.objects.filter(scope.units_q("unit"), user__is_active=True)
            .select_related("unit")
            .order_by("unit__region__code", "full_name"),
        },
    )


@login_required
@require_POST
def session_new(request):
    p = request.POST
    organiser = Unit.objects.filter(pk=p.get("organiser") or 0).first()
    attendees = list(Staff.objects.filter(pk__in=p.getlist("attendees")))
    if organiser is None:
        raise DjangoPermissionDenied
    run(
        request,
        lambda: services.training_session_create(
            actor=request.user,
            topic=p.get("topic", ""),
            organiser=organiser,
            date=parse_date(p.get("date")),
            hours=p.get("hours", ""),
            attendees=attendees,
            note=p.get("note", ""),
        ),
        _("培训已登记"),
    )
    return redirect("staffing:training")


@login_required
def person(request, staff_id: int):
    staff = get_object_or_404(Staff.objects.select_related("unit"), pk=staff_id)
    try:
        record = selectors.training_record(viewer=request.user, staff=staff, year=_year(request))
    except PermissionDenied as e:
        raise DjangoPermissionDenied(e.message) from None
    return render(request, "staffing/training_person.html", {"record": record})


@login_required
def shortfall(request):
    year = _year(request)
    rows = selectors.training_shortfall(viewer=request.user, year=year)
    return render(
        request,
        "staffing/training_shortfall.html",
        {"year": year, "rows": rows, "required": selectors.required_sessions()},
    )
