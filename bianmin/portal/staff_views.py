"""Staff pages of the portal: online pre-review (预审), consultation answers, home visits."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bianmin.cases.selectors import case_get
from bianmin.common.errors import DomainError
from bianmin.common.forms import posted_ids, posted_text
from bianmin.common.inputs import LONG_TEXT_MAX
from bianmin.common.paging import paginate
from bianmin.common.refusals import ANY, attempt
from bianmin.common.validators import mask_id_number

from . import selectors, services
from .models import ApplicationFile


def _app_or_404(request, code: str):
    return selectors.application_for_review(viewer=request.user, code=code)


def _log_personal_data_view(request, app, channel: str) -> None:
    """Record that the viewer saw the applicant's personal data (full ID number, ID-card scan)
    through the case engine's own access log (`case_get`), as the case page does: every view of
    personal data is traceable (个人信息保护法, need-to-know with a record of access). The case
    opens with the application, so there is always one; a viewer the case engine refuses sees
    nothing, rather than data that cannot be logged."""
    if app.case_id is None:
        raise Http404
    case_get(viewer=request.user, number=app.case.number, channel=channel, errands=False)


def _masked(rows):
    # Lists identify the person without exposing the number: region and check digits only.
    for row in rows:
        row.id_masked = mask_id_number(row.id_number)
    return rows


@login_required
def prereview_list(request):
    page = paginate(request, selectors.applications_for_review(viewer=request.user))
    page.object_list = _masked(list(page.object_list))
    return render(
        request,
        "portal/staff/prereview_list.html",
        {"apps": page, "page": page},
    )


@login_required
def prereview_detail(request, code: str):
    app = _app_or_404(request, code)
    _log_personal_data_view(request, app, "prereview")
    files = list(app.files.select_related("material"))
    uploaded = {f.material_id for f in files}
    materials = [{"m": m, "uploaded": m.pk in uploaded} for m in app.item_version.materials.all()]
    return render(
        request,
        "portal/staff/prereview_detail.html",
        {"app": app, "files": files, "materials": materials},
    )


@login_required
@require_POST
def prereview_act(request, code: str):
    app = _app_or_404(request, code)
    # Any refusal of the action, of access too, is a message on the application's page.
    attempt(request, lambda: _prereview_do(request, app, request.POST.get("action")), errors=ANY)
    return redirect("portal:prereview_detail", code=code)


def _prereview_do(request, app, action: str | None) -> None:
    if action == "accept":
        app = services.application_accept(application=app, actor=request.user)
        messages.success(request, _("已受理，办件编号 %(n)s") % {"n": app.case.number})
    elif action == "notice":
        services.application_notice(
            application=app,
            actor=request.user,
            materials=posted_ids(request.POST, "materials"),
            note=posted_text(
                request.POST, "note", max_length=LONG_TEXT_MAX, label=_("说明"), multiline=True
            ),
        )
        messages.success(request, _("已出具一次性告知书"))
    elif action == "confirm_supplement":
        services.application_supplement_confirm(application=app, actor=request.user)
        messages.success(request, _("补正材料已确认"))
    else:
        raise DomainError(_("未知操作"))


@login_required
def application_file(request, pk: int):
    row = ApplicationFile.objects.select_related("application").filter(pk=pk).first()
    if row is None:
        raise Http404
    app = _app_or_404(request, row.application.code)  # scope check
    # An uploaded ID card or certificate is personal data as much as the number on the page.
    _log_personal_data_view(request, app, "prereview_file")
    return FileResponse(
        row.file.open("rb"),
        filename=row.original_name,
        content_type=row.content_type,
        as_attachment=False,
    )


@login_required
def question_list(request):
    page = paginate(request, selectors.questions_for(viewer=request.user))
    return render(
        request,
        "portal/staff/questions.html",
        {"questions": page, "page": page},
    )


@login_required
@require_POST
def question_answer(request, pk: int):
    question = selectors.questions_for(viewer=request.user).filter(pk=pk).first()
    if question is None:
        raise Http404
    attempt(
        request,
        lambda: services.question_answer(
            question=question,
            actor=request.user,
            answer=posted_text(
                request.POST, "answer", max_length=LONG_TEXT_MAX, label=_("答复"), multiline=True
            ),
        ),
        _("已答复"),
        errors=ANY,
    )
    return redirect("portal:question_list")


@login_required
def home_visit_list(request):
    page = paginate(request, selectors.home_visits_for(viewer=request.user))
    page.object_list = _masked(list(page.object_list))
    return render(
        request,
        "portal/staff/home_visits.html",
        {"rows": page, "page": page},
    )


@login_required
@require_POST
def home_visit_register(request, code: str):
    row = selectors.home_visits_for(viewer=request.user).filter(code=code).first()
    if row is None:
        raise Http404

    def register() -> None:
        done = services.home_visit_register(
            request=row,
            actor=request.user,
            entrustment_signed=request.POST.get("entrustment_signed") == "on",
        )
        messages.success(request, _("已登记代办件 %(n)s") % {"n": done.case.number})

    attempt(request, register, errors=ANY)
    return redirect("portal:home_visit_list")
