"""The staff home's workbench: a person's counters (待办, 即将到期, 已超期, 待回访, and 待审报表 for those who receive reports), each
counted by the same selector and filter as the list it links to, so the figure is that list's
length."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bianmin.cases.selectors import LIST_QUEUES, queue_memberships
from bianmin.orgs.scope import Scope
from bianmin.ratings.models import RectState
from bianmin.ratings.selectors import rectification_list
from bianmin.reports.figures import previous_month
from bianmin.reports.models import ReportState
from bianmin.reports.selectors import submission_status
from bianmin.reports.workflow import can_receive

CASE_COUNTERS = ("todo", "due_soon", "overdue")


@dataclass(frozen=True)
class Counter:
    code: str
    label: str
    count: int
    url: str


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


def workbench(user, scope: Scope) -> list[Counter]:
    if scope.is_empty:
        return []
    today = timezone.localdate()
    queues = queue_memberships(viewer=user, scope=scope, today=today)
    counters = [
        Counter(
            code,
            str(LIST_QUEUES[code].label),
            len(queues[code]),
            _url("cases:list", queue=code),
        )
        for code in CASE_COUNTERS
    ]
    counters.append(
        Counter(
            "callback",
            _("待回访"),
            rectification_list(viewer=user, state=RectState.OPEN).count(),
            _url("ratings:queue", state=RectState.OPEN),
        )
    )
    if not can_receive(user):  # only the county centre and supervisors receive reports
        return counters
    month = previous_month(today)
    counters.append(
        Counter(
            "reports",
            _("待审报表"),
            sum(
                1
                for s in submission_status(viewer=user, month=month)
                if s["state"] == ReportState.SUBMITTED
            ),
            _url("reports:monthly_list", month=f"{month:%Y-%m}", state=ReportState.SUBMITTED),
        )
    )
    return counters
