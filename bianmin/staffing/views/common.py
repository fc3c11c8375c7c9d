"""Small helpers shared by the staffing pages."""

import datetime as dt

from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from bianmin.common import inputs
from bianmin.common.errors import ValidationFailed
from bianmin.orgs.models import Unit
from bianmin.orgs.scope import scope_for

from ..services.roster import month_start


def month_arg(request, text: str | None = None) -> dt.date:
    """The month of the page (in the path or ?month=), this month by default; a malformed or
    out-of-range month is a 400 page saying why."""
    text = text or request.GET.get("month") or ""
    if not text:
        return month_start(timezone.localdate())
    try:
        return inputs.parse_month(text, field=_("月份"))
    except ValidationFailed as e:
        raise BadRequest(e.message) from None


def visible_unit(request, pk: int) -> Unit:
    unit = get_object_or_404(Unit.objects.select_related("region", "parent"), pk=pk)
    if not scope_for(request.user).can_act_for_unit(unit):
        raise DjangoPermissionDenied
    return unit


def parse_date(text: str | None, field: str | None = None) -> dt.date | None:
    """A posted date, None when blank; a malformed or out-of-range date is a ValidationFailed,
    which `attempt` shows as a message."""
    if not (text or "").strip():
        return None
    return inputs.parse_date(text, field=field or _("日期"))
