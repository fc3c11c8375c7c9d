"""Supervision pages: dashboard with drill-down, alerts, the supervisor's queue, notifications,
complaints. Each view calls one scoped selector or one service."""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.common.forms import posted_text
from bianmin.common.inputs import LONG_TEXT_MAX, bounded_int, clean_text, parse_date
from bianmin.common.paging import paginate
from bianmin.common.paper import paper_for, render_paper
from bianmin.common.refusals import ANY, attempt, on_refusal
from bianmin.common.sheets import Sheet, xlsx_response
from bianmin.common.validators import mask_phone

from . import selectors, services
from .charts import stacked_bars
from .models import ComplaintOutcome, ComplaintStatus, Level

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def _date(request) -> dt.date | None:
    """The dashboard's "as of" day (?date=), today when blank; a malformed or out-of-range day
    (the selector's bound, `selectors.dashboard_date`) is shown as a message and today is used."""
    value = request.GET.get("date")
    if not value:
        return None
    try:
        return selectors.dashboard_date(parse_date(value, field=_("日期")))
    except ValidationFailed as e:
        messages.error(request, e.message)
        return None


@login_required
@replica_reads
def dashboard(request):
    data = selectors.dashboard(
        viewer=request.user,
        region_code=request.GET.get("region") or None,
        today=_date(request),
    )
    rows = data["children"] or [
        {"name": u["name"], **{k: u[k] for k in ("green", "yellow", "red")}} for u in data["units"]
    ]
    chart = stacked_bars(rows, title=_("在办件时限状态（绿/黄/红）"))
    _link_counts(data)
    # A county has thousands of red cases (6,305 at 200,000 cases: a 2 MB page a phone cannot
    # use); the page lists the most overdue and links to all of them in the case list.
    overdue = data["overdue"][:OVERDUE_SHOWN]
    return render(
        request, "supervision/dashboard.html", {"d": data, "chart": chart, "overdue": overdue}
    )


OVERDUE_SHOWN = 100


COUNT_FILTERS = {
    "total": {},
    "open": {"open": "1"},
    "green": {"colour": "green"},
    "yellow": {"colour": "yellow"},
    "red": {"colour": "red"},
}


def _cases_url(**params) -> str:
    return f"{reverse('cases:list')}?{urlencode(params)}"


def _link_counts(data: dict) -> None:
    """Every count of the dashboard gets `links`: the case list filtered to the cases it
    counts (`cases.selectors.case_list`, the same colour rule: `selectors.case_colours`)."""
    region = data["region"]["code"]

    def links(**where) -> dict[str, str]:
        return {key: _cases_url(**where, **extra) for key, extra in COUNT_FILTERS.items()}

    data["totals"]["links"] = links(region=region)
    for s in data["states"]:
        s["link"] = _cases_url(region=region, state=s["state"])
    for row in data["children"]:
        row["links"] = links(region=row["code"], **({"own": "1"} if row["own"] else {}))
        row["cells"] = [(row[k], row["links"][k]) for k in COUNT_FILTERS]
    for row in data["units"]:
        row["links"] = links(region=region, unit=row["id"])
        row["cells"] = [(row[k], row["links"][k]) for k in ("total", "green", "yellow", "red")]


@login_required
def alerts(request):
    level = request.GET.get("level") or None
    rows = selectors.alert_list(
        viewer=request.user,
        level=level if level in Level.values else None,
        region=request.GET.get("region") or None,
        limit=500,
    )
    page = paginate(request, rows)
    return render(
        request, "supervision/alerts.html", {"alerts": page, "page": page, "level": level}
    )


QUEUE_ACTIONS: dict[str, tuple[Callable[..., object], "StrPromise"]] = {
    "notice": (services.supervision_notice, gettext_lazy("督办通知已发送")),
    "deadline": (services.supervision_deadline_set, gettext_lazy("督办期限已设定")),
    "note": (services.supervision_note, gettext_lazy("处理记录已保存")),
    "close": (services.supervision_close, gettext_lazy("督办事项已办结")),
}


def _queue_act(request) -> None:
    """Run one queue action from the posted form."""
    action = request.POST.get("action", "")
    if action not in QUEUE_ACTIONS:
        raise DomainError(_("未知操作"))
    service, done = QUEUE_ACTIONS[action]
    kw = {
        "actor": request.user,
        "kind": request.POST.get("kind", ""),
        "number": request.POST.get("number", ""),
    }
    text = clean_text(
        request.POST.get("text", ""), max_length=LONG_TEXT_MAX, field=_("内容"), multiline=True
    )
    if action == "deadline":
        value = request.POST.get("due_on", "").strip()
        kw["due_on"] = parse_date(value, field=_("督办期限")) if value else None
    kw["result" if action == "close" else "text"] = text
    service(**kw)
    messages.success(request, done)


def _queue_refused(request, e: DomainError):
    """The form keeps what was typed; nothing was written (any refusal, 422)."""
    page = paginate(request, selectors.supervision_queue(viewer=request.user))
    return render(
        request,
        "supervision/queue.html",
        {"rows": page, "page": page, "error": e.message, "posted": request.POST},
        status=422,
    )


@login_required
@on_refusal(_queue_refused, errors=ANY)
def queue(request):
    if request.method == "POST":
        _queue_act(request)
        return redirect("supervision:queue")
    rows = selectors.supervision_queue(viewer=request.user)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"supervision-queue-{timezone.localdate()}.xlsx", queue_sheets(rows))
    page = paginate(request, rows)
    return render(request, "supervision/queue.html", {"rows": page, "page": page})


@login_required
@replica_reads
def queue_print(request):
    """The queue on A4 paper (print CSS), for the supervision meeting."""
    today = timezone.localdate()
    paper = paper_for(
        request,
        title=_("督办队列"),
        unit=_("电子监察"),
        period=f"{today:%Y-%m-%d}",
        signatures=[_("督办人"), _("审核人")],
        back_url=reverse("supervision:queue"),
        wide=True,
    )
    return render_paper(
        request, paper, queue_sheets(selectors.supervision_queue(viewer=request.user))
    )


def queue_sheets(rows) -> list[Sheet]:
    def deadlines(entry) -> str:
        return "；".join(
            f"{e.alert.get_clock_display()} {e.alert.due_on}（{e.alert.detail}）"
            for e in entry.oversight_orders
        )

    def history(entry) -> str:
        return "\n".join(
            f"{timezone.localtime(r.at):%Y-%m-%d %H:%M} {r.get_step_display()}：{r.text}"
            for r in entry.records
        )

    return [
        Sheet(
            title=_("督办队列"),
            caption=_("督办队列（%(d)s）") % {"d": timezone.localdate()},
            headers=[
                _("编号"),
                _("事项"),
                _("责任单位"),
                _("移交日期"),
                _("超时工作日"),
                _("督办期限"),
                _("超时的期限"),
                _("督办记录"),
            ],
            rows=[
                [
                    q.number,
                    q.title,
                    q.unit.name,
                    q.ordered_on,
                    q.over_days,
                    q.deadline,
                    deadlines(q),
                    history(q),
                ]
                for q in rows
            ],
        )
    ]


@login_required
def notifications(request):
    if request.method == "POST":
        attempt(
            request,
            lambda: services.notification_read(
                actor=request.user, pk=bounded_int(request.POST.get("pk", ""), field="pk", lo=1)
            ),
            errors=ANY,
        )
        return redirect("supervision:notifications")
    page = paginate(request, selectors.notifications_for(viewer=request.user, limit=500))
    return render(request, "supervision/notifications.html", {"rows": page, "page": page})


@login_required
def complaints(request):
    status = request.GET.get("status") or None
    rows = selectors.complaint_queue(
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


def _complaint_page(request, row, *, status: int = 200, **extra):
    context = {
        "c": row,
        "outcomes": ComplaintOutcome.choices,
        "masked_phone": mask_phone(row.phone),
        "form": request.POST if request.method == "POST" else {},
        **extra,
    }
    return render(request, "supervision/complaint_detail.html", context, status=status)


def _long_text(post, name: str, label: str) -> str:
    return posted_text(post, name, max_length=LONG_TEXT_MAX, label=label, multiline=True)


@login_required
def complaint_detail(request, number: str):
    row = selectors.complaint_get(viewer=request.user, number=number)
    return _complaint_page(request, row)


def _action_refused(request, e: DomainError, number: str, action: str):
    """The complaint again with what was typed and the refusal (of access too) at its status."""
    row = selectors.complaint_get(viewer=request.user, number=number)
    return _complaint_page(request, row, status=e.status, error=e.message, action=action)


@login_required
@require_POST
@on_refusal(_action_refused, errors=ANY)
def complaint_action(request, number: str, action: str):
    row = selectors.complaint_get(viewer=request.user, number=number)
    post = request.POST
    if action == "decide":
        services.complaint_decide(
            complaint=row,
            actor=request.user,
            note=_long_text(post, "note", _("处理意见")),
            outcome=post.get("outcome", ""),
        )
        messages.success(request, _("已记录处理意见"))
    elif action == "reply":
        services.complaint_reply(
            complaint=row,
            actor=request.user,
            reply=_long_text(post, "reply", _("答复内容")),
            outcome=post.get("outcome", ""),
        )
        messages.success(request, _("已答复投诉人"))
    elif action == "contact":
        # Shown on this response only, never stored in the page's URL; each reveal is logged.
        phone = services.complaint_contact_reveal(complaint=row, actor=request.user)
        return _complaint_page(request, row, phone=phone or "—")
    else:
        raise Http404(action)
    return redirect("supervision:complaint_detail", number=row.number)
