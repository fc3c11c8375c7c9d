"""Public pages: the home page and the service guides (办事指南)."""

import mimetypes
from pathlib import PurePosixPath

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from bianmin.catalog.models import Tier
from bianmin.common import public_cache
from bianmin.common.errors import DomainError
from bianmin.common.forms import posted_text
from bianmin.common.inputs import LONG_TEXT_MAX
from bianmin.common.paging import paginate
from bianmin.common.refusals import ANY, on_refusal

from . import selectors, services
from .models import Question

GUIDES_PER_PAGE = 20


def home(request):
    """The public home page; signed-in staff go straight to their workbench."""
    if request.user.is_authenticated:
        return redirect("portal:staff_home")
    return render(
        request,
        "portal/public/home.html",
        {"life_events": selectors.life_events(), "tiers": Tier.choices},
    )


def _version_or_404(code: str):
    return selectors.guide_get(code=code)


def _filters(request) -> dict[str, str]:
    return {
        "q": request.GET.get("q", "").strip(),
        "tier": request.GET.get("tier", ""),
        "department": request.GET.get("department", ""),
        "life_event": request.GET.get("life_event", ""),
    }


def _guide_list_refused(request, e: DomainError):
    """A search the catalogue refuses: the form with what was typed and the message."""
    return _guide_list_page(request, _filters(request), error=e.message)


@on_refusal(_guide_list_refused, errors=ANY)
def guide_list(request):
    filters = _filters(request)

    def build() -> str:
        # One page of the catalogue at a time: rendering all of it (hundreds of items with their
        # children) was most of the cost of this public page (issue 8).
        # The list shows each item's fee status only: its other children stay unread.
        versions = selectors.guide_list(**filters).prefetch_related(None).prefetch_related("fees")
        page = paginate(request, versions, GUIDES_PER_PAGE)
        return _guide_list_body(filters, page=page, items=list(page.object_list))

    body = public_cache.cached(request, "guide_list", build)
    return render(request, "portal/public/guide_list.html", {"body": body})


def _guide_list_page(request, filters: dict, *, error: str):
    body = _guide_list_body(filters, error=error)
    return render(request, "portal/public/guide_list.html", {"body": body})


def _guide_list_body(filters: dict, *, page=None, items=(), error: str | None = None) -> str:
    """The catalogue part of the page: rendered without the request, the same for everyone."""
    return render_to_string(
        "portal/public/_guide_list_body.html",
        {
            "items": items,
            "page": page,
            "total": page.paginator.count if page else 0,
            "filters": filters,
            "error": error,
            "tiers": Tier.choices,
            "life_events": selectors.life_events(),
            "departments": selectors.departments(),
            "searched": any(filters.values()),
        },
    )


def _guide(code: str) -> dict:
    """The guide of the item with `code`, rendered without the request (no CSRF token, no
    user), with what the page around it needs: shared through the public cache."""
    version = _version_or_404(code)
    body = render_to_string(
        "portal/public/_guide_body.html",
        {"v": version, "where": selectors.where_to_go(version)},
    )
    return {
        "name": version.name,
        "code": version.item.local_code,
        "item_id": version.item_id,
        "body": body,
    }


def _guide_page(request, guide: dict, status: int = 200, **extra):
    # Answered questions stay outside the cache: answering one writes no admin action.
    return render(
        request,
        "portal/public/guide_detail.html",
        {
            "guide": guide,
            "questions": selectors.answered_questions(item_id=guide["item_id"]),
            **extra,
        },
        status=status,
    )


def guide_detail(request, code: str):
    guide = public_cache.cached(request, "guide", lambda: _guide(code))
    return _guide_page(request, guide, asked=request.GET.get("asked") == "1")


def guide_checklist(request, code: str):
    """A printable one-time-notice style sheet: every material, where to go, limits, fees."""
    version = _version_or_404(code)
    return render(
        request,
        "portal/public/guide_checklist.html",
        {"v": version, "where": selectors.where_to_go(version)},
    )


def material_file(request, code: str, pk: int, kind: str):
    """Download a material's blank form or filled-in sample, through the app (no media server)."""
    version = _version_or_404(code)
    material = next((m for m in version.materials.all() if m.pk == pk), None)
    if material is None or kind not in ("template", "sample"):
        raise Http404
    field = getattr(material, kind)
    if not field:
        raise Http404
    name = PurePosixPath(field.name).name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(
        field.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )


def _question_refused(request, e: DomainError, code: str):
    """The guide again with the question as typed and the refusal beside the form."""
    return _guide_page(
        request, _guide(code), status=422, ask_error=e.message, ask_form=request.POST
    )


@require_http_methods(["POST"])
@on_refusal(_question_refused, errors=ANY)
def question_ask(request, code: str):
    version = _version_or_404(code)
    services.question_ask(
        item_version=version,
        question=posted_text(
            request.POST, "question", max_length=LONG_TEXT_MAX, model=Question, multiline=True
        ),
        asker_name=posted_text(request.POST, "asker_name", model=Question),
        phone=posted_text(request.POST, "phone", model=Question, identifier=True),
        public_allowed=request.POST.get("public_allowed") == "on",
    )
    return redirect(f"{request.path.rsplit('ask/', 1)[0]}?asked=1#ask")
