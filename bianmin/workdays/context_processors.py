import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import calendar
from .services import can_manage_calendar


def today() -> dt.date:
    return timezone.localdate()


def calendar_warnings(request):
    """Administrators are told when this year's (or, from October, next year's) holiday schedule
    is missing, since deadlines in such a year are only provisional."""
    user = getattr(request, "user", None)
    if not can_manage_calendar(user):
        return {}
    missing = calendar.uncovered_years(calendar.years_to_watch(today()))
    if not missing:
        return {}
    return {
        "calendar_warning": _(
            "%(years)s 年的节假日安排尚未录入，期限按周一至周五临时计算，请尽快录入。"
        )
        % {"years": "、".join(map(str, missing))},
        # The entry form is in the admin site, which only staff accounts may open.
        "calendar_enter_url": reverse("admin:workdays_calendaryear_enter") + f"?year={missing[0]}"
        if user.is_staff
        else "",
    }
