"""Staff pages of rectification (差评整改) and the applicant's follow-up page; thin over services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.errors import DomainError
from bianmin.reports.excel import Sheet, xlsx_response
from bianmin.reports.pages import domain_errors

from . import selectors
from .models import AppealReason, Level, RectState
from .rectification import (
    ACTION_LABELS,
    actions_for,
    follow_up_verify,
    rating_follow_up,
    rectification_act,
    rectify_workdays,
)

ACTION_FIELDS = {
    "call_back": ("contacted", "findings"),
    "fix_now": ("measures",),
    "fix_by_deadline": ("measures", "fix_days"),
    "explain": ("measures",),
    "complete": ("measures",),
    "appeal": ("appeal_reason", "appeal_text"),
    "uphold_appeal": ("reasons",),
    "reject_appeal": ("reasons",),
    "close": (),
}


@login_required
def queue(request):
    state = request.GET.get("state") or ""
    overdue = request.GET.get("overdue") == "1"
    today = timezone.localdate()
    rows = selectors.rectification_list(
        viewer=request.user,
        state=state if state in RectState.values else None,
        overdue_on=today if overdue else None,
    )
    overdue_ids = set(rows.filter(selectors.overdue_q(today)).values_list("pk", flat=True))
    return render(
        request,
        "ratings/queue.html",
        {
            "rows": rows[:200],
            "states": RectState.choices,
            "state": state,
            "overdue": overdue,
            "overdue_ids": overdue_ids,
        },
    )


@login_required
@domain_errors
def detail(request, pk: int):
    rect = selectors.rectification_get(viewer=request.user, pk=pk)
    allowed = actions_for(rect, request.user)
    return render(
        request,
        "ratings/detail.html",
        {
            "rect": rect,
            "events": rect.events.select_related("actor__staff"),
            "actions": [(a, ACTION_LABELS[a], ACTION_FIELDS.get(a, ())) for a in allowed],
            "appeal_reasons": AppealReason.choices,
            "fix_days": rectify_workdays(),
            "labels": ACTION_LABELS,
            "overdue": rect
            in selectors.rectification_list(viewer=request.user, overdue_on=timezone.localdate()),
            "follow_up": getattr(rect.rating, "follow_up", None),
        },
    )


@login_required
@require_POST
@domain_errors
def act(request, pk: int):
    rect = selectors.rectification_get(viewer=request.user, pk=pk)
    action = request.POST.get("action", "")
    params = {f: request.POST.get(f, "") for f in ACTION_FIELDS.get(action, ())}
    if "contacted" in params:
        params["contacted"] = request.POST.get("contacted") == "1"
    try:
        rectification_act(
            rectification=rect,
            action=action,
            actor=request.user,
            expected_version=request.POST.get("lock_version") or None,
            **params,
        )
    except DomainError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("已保存：%(a)s") % {"a": ACTION_LABELS.get(action, action)})
    return redirect("ratings:detail", pk=rect.pk)


def follow_up(request):
    """Public page: the applicant's one follow-up rating, by rectification number and phone tail
    (wrong pairs are rate limited per address and per number, see `follow_up_verify`)."""
    context = {"levels": Level.choices, "done": None, "error": None, "data": request.POST}
    status = 200
    if request.method == "POST":
        tail = request.POST.get("phone_tail", "").strip()
        try:
            rect = follow_up_verify(
                number=request.POST.get("number", ""),
                phone_tail=tail,
                ip=request.META.get("REMOTE_ADDR", ""),
            )
            context["done"] = rating_follow_up(
                rectification=rect,
                level=request.POST.get("level"),
                comment=request.POST.get("comment", ""),
                phone_tail=tail,
                actor=request.user if request.user.is_authenticated else None,
            )
        except DomainError as e:
            context["error"], status = e.message, e.status
    return render(request, "ratings/follow_up.html", context, status=status)


@login_required
def stats(request):
    group = "staff" if request.GET.get("group") == "staff" else "unit"
    rows = selectors.rating_stats(viewer=request.user, group=group)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"ratings-{group}.xlsx", [stats_sheet(rows, group)])
    return render(request, "ratings/stats.html", {"rows": rows, "group": group})


def stats_sheet(rows, group: str) -> Sheet:
    return Sheet(
        title=_("好差评统计"),
        headers=[
            _("单位") if group == "unit" else _("工作人员"),
            _("评价数"),
            _("好评数"),
            _("差评数"),
            _("已整改"),
            _("实名差评"),
            _("按时回访"),
            _("好评率(%)"),
            _("差评率(%)"),
            _("整改率(%)"),
            _("按时回访率(%)"),
        ],
        rows=[
            [
                f.label,
                f.total,
                f.good,
                f.bad,
                f.rectified,
                f.named_bad,
                f.called_on_time,
                f.good_rate,
                f.bad_rate,
                f.rectified_rate,
                f.callback_rate,
            ]
            for f in rows
        ],
    )
