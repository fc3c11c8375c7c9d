import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from . import calendar


def calendar_warnings(request):
    """Administrators are told when this or next year's holiday schedule is missing."""
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {}
    staff = getattr(user, "staff", None)
    if not (user.is_superuser or (staff and staff.has_role("administrator"))):
        return {}
    today = timezone.localdate()
    wanted = [today.year] + ([today.year + 1] if today >= dt.date(today.year, 10, 1) else [])
    missing = calendar.uncovered_years(wanted)
    if not missing:
        return {}
    return {
        "calendar_warning": _(
            "%(years)s 年的节假日安排尚未录入，期限按周一至周五临时计算，请尽快录入。"
        )
        % {"years": "、".join(map(str, missing))}
    }
