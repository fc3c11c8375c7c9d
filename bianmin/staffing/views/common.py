"""Small helpers shared by the staffing pages."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from bianmin.common.errors import DomainError, NotFound, PermissionDenied
from bianmin.orgs.models import Staff, Unit
from bianmin.orgs.scope import scope_for

from ..services.roster import month_start, parse_month


def month_arg(request, text: str | None = None) -> dt.date:
    text = text or request.GET.get("month") or ""
    if not text:
        return month_start(timezone.localdate())
    try:
        return parse_month(text)
    except DomainError:
        raise Http404 from None


def visible_unit(request, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("region", "parent"), pk=pk)
    if not scope_for(request.user).can_act_for_unit(unit):
        raise DjangoPermissionDenied
    return unit


def staff_in(unit_ids, pk) -> Staff | None:
    if not pk:
        return None
    return Staff.objects.filter(pk=pk).first()


def run(request, fn, success: str) -> bool:
    """Call a service; a domain error becomes a message (403/404 become the HTTP errors)."""
    try:
        fn()
    except PermissionDenied as e:
        raise DjangoPermissionDenied(e.message) from None
    except NotFound as e:
        raise Http404(e.message) from None
    except DomainError as e:
        messages.error(request, e.message)
        return False
    messages.success(request, success)
    return True


def parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None
