"""Staff page (sign in/out, leave, my queue), leave decisions, the monthly attendance sheet."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.common.errors import DomainError
from bianmin.common.forms import posted_text
from bianmin.common.inputs import LONG_TEXT_MAX
from bianmin.common.paging import paginate
from bianmin.common.refusals import attempt, on_refusal
from bianmin.common.sheets import xlsx_response
from bianmin.common.uploads import file_served

from .. import selectors, services
from ..access import staff_of
from ..export import attendance_sheets
from ..models import Attendance, LeaveKind, LeaveRequest
from .common import month_arg, parse_date, visible_unit


def _leave(request, pk: int):
    return selectors.leave_get(viewer=request.user, pk=pk)


@login_required
def me(request):
    return _me_page(request)


def _me_page(request, *, leave_form=None, leave_error: str = "", status: int = 200):
    staff = staff_of(request.user)
    today = timezone.localdate()
    record = Attendance.objects.filter(staff=staff, day=today).first() if staff else None
    return render(
        request,
        "staffing/me.html",
        {
            "staff": staff,
            "today": today,
            "record": record,
            "leaves": selectors.leaves_of(viewer=request.user),
            "queue": selectors.my_queue(viewer=request.user),
            "kinds": LeaveKind.choices,
            "to_decide": len(selectors.leaves_to_decide(viewer=request.user, status="pending")),
            "leave_form": leave_form or {},
            "leave_error": leave_error,
        },
        status=status,
    )


@login_required
@require_POST
def sign(request, action: str):
    label = _("已签到") if action == "in" else _("已签退")
    attempt(request, lambda: services.attendance_sign(actor=request.user, action=action), label)
    return redirect("staffing:me")


def _leave_refused(request, e: DomainError):
    # Shown beside the form with everything typed kept (a redirect would lose it).
    return _me_page(request, leave_form=request.POST, leave_error=e.message, status=422)


@login_required
@require_POST
@on_refusal(_leave_refused)
def leave_new(request):
    p = request.POST
    services.leave_request(
        actor=request.user,
        kind=p.get("kind", ""),
        start=parse_date(p.get("start"), _("开始日期")),
        end=parse_date(p.get("end"), _("结束日期")),
        reason=posted_text(
            p, "reason", max_length=LONG_TEXT_MAX, model=LeaveRequest, multiline=True
        ),
        document=request.FILES.get("document"),
    )
    messages.success(request, _("请假申请已提交，等待负责人审批"))
    return redirect("staffing:me")


@login_required
def leaves(request):
    page = paginate(request, selectors.leaves_to_decide(viewer=request.user))
    return render(
        request,
        "staffing/leaves.html",
        {"leaves": page, "page": page},
    )


@login_required
@require_POST
def leave_action(request, pk: int, action: str):
    leave = _leave(request, pk)
    p = request.POST
    if action == "approve":
        fn = lambda: services.leave_decide(  # noqa: E731
            leave=leave, approved=True, note=_note(p), actor=request.user
        )
        done = _("已批准")
    elif action == "reject":
        fn = lambda: services.leave_decide(  # noqa: E731
            leave=leave, approved=False, note=_note(p), actor=request.user
        )
        done = _("已不予批准")
    elif action == "return":
        fn = lambda: services.leave_return(leave=leave, actor=request.user)  # noqa: E731
        done = _("已销假，代办工作已交回")
    elif action == "cancel":
        fn = lambda: services.leave_cancel(leave=leave, actor=request.user)  # noqa: E731
        done = _("已撤回")
    else:
        raise Http404
    attempt(request, fn, done)
    return redirect(p.get("next") or "staffing:leaves")


@login_required
def leave_document(request, pk: int):
    leave = _leave(request, pk)
    if not leave.document:
        raise Http404
    return file_served(leave.document, download_name=f"leave-{leave.pk}")


@login_required
def sheet(request, unit_id: int, month: str | None = None):
    unit = visible_unit(request, unit_id)
    m = month_arg(request, month)
    data = selectors.attendance_sheet(viewer=request.user, unit=unit, month=m)
    if request.GET.get("format") == "xlsx":
        return xlsx_response(f"attendance-{unit.code}-{m:%Y-%m}.xlsx", attendance_sheets(data))
    return render(request, "staffing/sheet.html", {"sheet": data, "unit": unit, "month": m})


def _note(post) -> str:
    return posted_text(post, "note", max_length=LONG_TEXT_MAX, label=_("说明"), multiline=True)
