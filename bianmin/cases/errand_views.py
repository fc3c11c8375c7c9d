"""Staff pages for errands (便民服务): the agent's list with a register form, and one errand with
its money and actions. Thin: reads through `errand_selectors`, writes through `errand_register`
and `case_transition`."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bianmin.common.dbrouting import replica_reads
from bianmin.common.errors import DomainError, ValidationFailed
from bianmin.common.forms import posted_text
from bianmin.common.inputs import LONG_TEXT_MAX, parse_month
from bianmin.common.paging import paginate
from bianmin.common.paper import render_paper
from bianmin.common.refusals import ANY, flash_back, on_refusal
from bianmin.common.sheets import xlsx_response

from . import errand_selectors, workflow
from .effects.errand import money_balance
from .errand_export import may_export_money, money_paper, money_sheets
from .models import ErrandKind, MoneyDirection
from .services import case_actions_for, case_transition, errand_register

FORM_FIELDS = ("kind", "person_name", "phone", "id_number", "address", "subject", "note")
# The input gate's limit of each posted text (the case and money columns), and which are
# multi-line or identifiers.
TEXT_LIMITS = {
    "kind": (20, gettext_lazy("类别")),
    "person_name": (100, gettext_lazy("服务对象姓名")),
    "phone": (20, gettext_lazy("联系电话")),
    "id_number": (18, gettext_lazy("居民身份证号")),
    "address": (200, gettext_lazy("地址")),
    "subject": (300, gettext_lazy("代办什么")),
    "note": (LONG_TEXT_MAX, gettext_lazy("备注")),
    "direction": (20, gettext_lazy("收付")),
    "party": (100, gettext_lazy("对方")),
    "receipt_number": (60, gettext_lazy("票据号")),
    "signed_by_name": (100, gettext_lazy("签收人")),
    "feedback": (LONG_TEXT_MAX, gettext_lazy("意见")),
    "reason": (LONG_TEXT_MAX, gettext_lazy("理由")),
}
ACTION_TEXT = (
    "direction",
    "party",
    "receipt_number",
    "signed_by_name",
    "feedback",
    "reason",
    "note",
)


def _gated(post, names=FORM_FIELDS) -> dict[str, str]:
    """The posted texts through the input gate; a ValidationFailed names the first bad one."""
    return {
        k: posted_text(
            post,
            k,
            max_length=TEXT_LIMITS[k][0],
            multiline=k in ("note", "feedback", "reason", "subject"),
            identifier=k in ("phone", "id_number", "receipt_number"),
            label=str(TEXT_LIMITS[k][1]),
        )
        for k in names
    }


def _fetch(request, number: str):
    return errand_selectors.errand_get(viewer=request.user, number=number, channel="page")


def _money_month(request) -> tuple[dt.date, str]:
    """The month of the money table (?month=YYYY-MM, this month by default) and the error of a
    month that cannot be read."""
    this_month = timezone.localdate().replace(day=1)
    text = (request.GET.get("month") or "").strip()
    if not text:
        return this_month, ""
    try:
        return parse_month(text, field=_("月份")), ""
    except ValidationFailed as e:
        return this_month, e.message


def _list_page(request, *, form=None, error: DomainError | None = None, status: int = 200):
    month, month_error = _money_month(request)
    page = paginate(request, errand_selectors.errand_list(viewer=request.user, limit=500))
    return render(
        request,
        "cases/errand_list.html",
        {
            "queues": errand_selectors.errand_queues(viewer=request.user),
            "errands": page,
            "page": page,
            "money": errand_selectors.errand_money_by_agent(viewer=request.user, month=month),
            "month": month,
            "month_error": month_error,
            "may_export": may_export_money(request.user),
            "kinds": ErrandKind.choices,
            "form": form or {},
            "error": error,
        },
        status=status,
    )


def _register_refused(request, error: DomainError):
    """The register form again with what was typed (a refusal of any kind is shown in place)."""
    form = {k: request.POST.get(k, "") for k in FORM_FIELDS}
    return _list_page(request, form=form, error=error, status=422)


@login_required
@require_http_methods(["GET", "POST"])
@on_refusal(_register_refused, errors=ANY)
def errand_list(request):
    if request.method == "POST":
        case = errand_register(actor=request.user, **_gated(request.POST))
        messages.success(request, _("已登记便民服务 %(n)s") % {"n": case.number})
        return redirect("cases:errand_detail", number=case.number)
    return _list_page(request)


def _money_export(request, write):
    """The errand money of the month as `write(month, paper, sheets)` renders it, for staff."""
    if not may_export_money(request.user):
        raise DjangoPermissionDenied(_("只有工作人员可以导出经手款项"))
    month, error = _money_month(request)
    if error:
        return HttpResponseBadRequest(error, content_type="text/plain; charset=utf-8")
    paper = money_paper(request, month)
    sheets = money_sheets(
        errand_selectors.errand_money_by_agent(viewer=request.user, month=month),
        errand_selectors.errand_money_entries(viewer=request.user, month=month),
        paper,
    )
    return write(month, paper, sheets)


@login_required
@require_GET
@replica_reads
def errand_money_xlsx(request):
    return _money_export(
        request,
        lambda month, _paper, sheets: xlsx_response(f"errand-money-{month:%Y-%m}.xlsx", sheets),
    )


@login_required
@require_GET
@replica_reads
def errand_money_print(request):
    return _money_export(
        request, lambda _month, paper, sheets: render_paper(request, paper, sheets)
    )


@login_required
def errand_detail(request, number: str):
    case = _fetch(request, number)
    received, paid = money_balance(case)
    return render(
        request,
        "cases/errand_detail.html",
        {
            "case": case,
            "money": case.money.select_related("recorded_by__staff"),
            "received": received,
            "paid": paid,
            "held": received - paid,
            "actions": case_actions_for(case, request.user),
            "events": case.events.order_by("seq"),
            "labels": workflow.ACTION_LABELS,
            "directions": MoneyDirection.choices,
            "delivery": getattr(case, "delivery", None) if case.state == "handed_over" else None,
        },
    )


@login_required
@require_POST
@on_refusal(flash_back(lambda number, action: reverse("cases:errand_detail", args=[number])))
def errand_action(request, number: str, action: str):
    """A refusal is a message on the errand's page; a refusal of access is the 403 page, as the
    case pages and the API answer it (the service changed nothing)."""
    case = _fetch(request, number)
    if action not in ("money", "done", "hand_over", "cancel"):
        raise Http404
    params = _gated(request.POST, ACTION_TEXT)
    if request.POST.get("amount"):
        params["amount"] = request.POST["amount"]
    if "receipt_photo" in request.FILES:
        params["receipt_photo"] = request.FILES["receipt_photo"]
    if action == "hand_over":
        params["signature"] = request.FILES.get("signature_file") or request.POST.get(
            "signature_data", ""
        )
    case_transition(
        case=case,
        action=action,
        actor=request.user,
        expected_version=request.POST.get("lock_version") or None,
        note=params.pop("note"),
        **params,
    )
    messages.success(request, _("已%(a)s") % {"a": workflow.ACTION_LABELS[action]})
    return redirect("cases:errand_detail", number=case.number)
