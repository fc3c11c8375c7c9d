"""网上传件 on the case page: open a material's file, upload files to a checklist row, review.

Thin like the other case pages (STYLE.md rule 3): the case comes through the scoped fetch
(`pages.fetch`: outside the viewer's scope is 403), every write goes through `case_transition`
(`upload`, `file_review`), and the workflow table decides who may do what. Opening a file is a
view of personal data and is logged (`PersonalDataView`, channel "file"); the response is never
cached and never carries the uploader's file name.

A request from the page's script (`HX-Request: true`, see `static/bianmin/materials.js`) is
answered with the refreshed row (`cases/_material_files.html`), an error with the same row and
the message, status 4xx; a plain form post is redirected back to the case page, or shown the case
page with the message.
"""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bianmin.common.errors import DomainError
from bianmin.common.forms import posted_text
from bianmin.common.refusals import ANY, on_refusal

from .files import Pages, documents_prepare, files_from_request, material_row_context
from .models import Case, MaterialFile, PersonalDataView
from .pages import fetch
from .services import case_transition

EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def _private(response: HttpResponseBase) -> HttpResponseBase:
    """Personal data: not kept by the browser or a proxy, not sniffed into another type."""
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_of(case: Case, file_id: int) -> MaterialFile:
    return get_object_or_404(MaterialFile.objects.select_related("material"), case=case, pk=file_id)


@login_required
@require_GET
def file_view(request: HttpRequest, number: str, file_id: int) -> HttpResponseBase:
    """The whole file, inline, named after the case (the view is logged)."""
    case = fetch(request, number, log=False)
    found = _file_of(case, file_id)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("文件已不在存储中，请联系管理员")) from None
    # login_required: the viewer is a signed-in user.
    PersonalDataView.objects.create(case=case, viewer=cast(User, request.user), channel="file")
    extension = EXTENSIONS.get(found.content_type, "bin")
    response = FileResponse(
        handle,
        content_type=found.content_type,
        as_attachment=False,
        filename=f"{case.number}-{found.material.material_id}-{found.pk}.{extension}",
    )
    return _private(response)


@login_required
@require_GET
def file_thumb(request: HttpRequest, number: str, file_id: int) -> HttpResponseBase:
    """The small JPEG of page 1 shown on the checklist (part of the case page's view)."""
    case = fetch(request, number, log=False)
    found = _file_of(case, file_id)
    if not found.thumbnail:
        raise Http404(_("该文件没有缩略图"))
    try:
        handle = found.thumbnail.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("该文件没有缩略图")) from None
    return _private(FileResponse(handle, content_type="image/jpeg"))


def _fragment(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False)) or request.headers.get("HX-Request") == "true"


def _answer(
    request: HttpRequest,
    number: str,
    material: int,
    *,
    error: DomainError | None = None,
    posted: dict | None = None,
) -> HttpResponseBase:
    """The refreshed row for the script, or back to the case page for a plain form. `posted`
    (a refused review's file and note) is shown again so that nothing typed is lost."""
    case = fetch(request, number, log=False)
    if not _fragment(request):
        if error is None:
            return redirect(reverse("cases:detail", args=[case.number]) + f"#material-{material}")
        from .views import _detail_context

        page = _detail_context(request, case)
        page["error"] = error.message
        return render(request, "cases/detail.html", page, status=error.status)
    context = material_row_context(case, request.user, material)
    if context is None:
        raise Http404(_("该材料不在本办件的材料清单中"))
    context["material_error"] = error.message if error else ""
    context.update(posted or {})
    response = render(
        request, "cases/_material_files.html", context, status=error.status if error else 200
    )
    return _private(response)


def _upload_refused(request: HttpRequest, e: DomainError, number: str, material: int):
    return _answer(request, number, material, error=e)


@login_required
@require_POST
@on_refusal(_upload_refused, errors=ANY)
def upload(request: HttpRequest, number: str, material: int) -> HttpResponseBase:
    """Files of one checklist row (`material_files_<id>`, `material_source_<id>`), checked and
    converted before the transaction so that decoding does not hold the database lock. A refusal
    (of access too) is shown on the row or the case page."""
    case = fetch(request, number, log=False)
    row = case.materials.filter(material_id=material).first()
    if row is None:
        raise Http404(_("该材料不在本办件的材料清单中"))
    posted = files_from_request(request).get(material) or Pages()
    documents = documents_prepare(list(posted), label=row.name) if posted else []
    case_transition(
        case=case,
        action="upload",
        actor=request.user,
        material=material,
        files=documents,
        source=posted.source,
    )
    return _answer(request, number, material)


def _review_refused(request: HttpRequest, e: DomainError, number: str, file_id: int):
    """The row again with the file and the note the reviewer chose, and the refusal."""
    found = _file_of(fetch(request, number, log=False), file_id)
    posted = {"posted_file": found.pk, "posted_note": request.POST.get("review_note", "")}
    return _answer(request, number, found.material.material_id, error=e, posted=posted)


@login_required
@require_POST
@on_refusal(_review_refused, errors=ANY)
def review(request: HttpRequest, number: str, file_id: int) -> HttpResponseBase:
    """Accept a file, or return it with the reason (`verdict`, `review_note`)."""
    case = fetch(request, number, log=False)
    found = _file_of(case, file_id)
    case_transition(
        case=case,
        action="file_review",
        actor=request.user,
        file=found.pk,
        verdict=request.POST.get("verdict", ""),
        review_note=posted_text(request.POST, "review_note", max_length=200, label=_("审核意见")),
    )
    return _answer(request, number, found.material.material_id)
