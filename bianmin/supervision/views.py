"""Supervision pages: dashboard with drill-down, alerts, the supervisor's queue, notifications,
complaints. Each view calls one scoped selector or one service."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.errors import DomainError, NotFound, PermissionDenied
from bianmin.common.paging import paginate

from . import selectors, services
from .charts import stacked_bars
from .models import ComplaintStatus, Level


def _call(fn, **kw):
    try:
        return fn(**kw)
    except NotFound as e:
        raise Http404(e.message) from None
    except PermissionDenied as e:
        raise DjangoPermissionDenied(e.message) from None


def _date(request) -> dt.date | None:
    value = request.GET.get("date")
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def dashboard(request):
    data = _call(
        selectors.dashboard,
        viewer=request.user,
        region_code=request.GET.get("region") or None,
        today=_date(request),
    )
    rows = data["children"] or [
        {"name": u["name"], **{k: u[k] for k in ("green", "yellow", "red")}} for u in data["units"]
    ]
    chart = stacked_bars(rows, title=_("在办件时限状态（绿/黄/红）"))
    return render(request, "supervision/dashboard.html", {"d": data, "chart": chart})


@login_required
def alerts(request):
    level = request.GET.get("level") or None
    rows = _call(
        selectors.alert_list,
        viewer=request.user,
        level=level if level in Level.values else None,
        region=request.GET.get("region") or None,
        limit=500,
    )
    page = paginate(request, rows)
    return render(
        request, "supervision/alerts.html", {"alerts": page, "page": page, "level": level}
    )


@login_required
def queue(request):
    if request.method == "POST":
        try:
            services.escalation_resolve(
                actor=request.user,
                pk=int(request.POST.get("pk", 0)),
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("督办事项已办结"))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("supervision:queue")
    page = paginate(request, selectors.supervisor_queue(viewer=request.user))
    return render(request, "supervision/queue.html", {"rows": page, "page": page})


@login_required
def notifications(request):
    if request.method == "POST":
        try:
            services.notification_read(actor=request.user, pk=int(request.POST.get("pk", 0)))
        except DomainError as e:
            messages.error(request, e.message)
        return redirect("supervision:notifications")
    page = paginate(request, selectors.notifications_for(viewer=request.user, limit=500))
    return render(request, "supervision/notifications.html", {"rows": page, "page": page})


@login_required
def complaints(request):
    status = request.GET.get("status") or None
    rows = _call(
        selectors.complaint_queue,
        viewer=request.user,
        status=status if status in ComplaintStatus.values else None,
        overdue=request.GET.get("overdue") == "1",
    )
    page = paginate(request, rows)
    return render(
        request,
        "supervision/complaints.html",
        {"rows": page, "page": page, "status": status, "statuses": ComplaintStatus.choices},
    )


@login_required
def complaint_detail(request, number: str):
    row = _call(selectors.complaint_get, viewer=request.user, number=number)
    return render(request, "supervision/complaint_detail.html", {"c": row})


@login_required
@require_POST
def complaint_action(request, number: str, action: str):
    row = _call(selectors.complaint_get, viewer=request.user, number=number)
    try:
        if action == "decide":
            services.complaint_decide(
                complaint=row, actor=request.user, note=request.POST.get("note", "")
            )
            messages.success(request, _("已记录处理意见"))
        elif action == "reply":
            services.complaint_reply(
                complaint=row, actor=request.user, reply=request.POST.get("reply", "")
            )
            messages.success(request, _("已答复投诉人"))
        else:
            raise Http404(action)
    except DomainError as e:
        messages.error(request, e.message)
        status = getattr(e, "status", 400)
        return render(
            request,
            "supervision/complaint_detail.html",
            {"c": row, "error": e.message},
            status=status,
        )
    return redirect("supervision:complaint_detail", number=row.number)
