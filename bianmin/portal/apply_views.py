"""Public pages: online application (网上申报) with autosaved drafts, and the application page."""

import secrets

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bianmin.catalog.models import Tier
from bianmin.common.errors import DomainError
from bianmin.common.refusals import ANY, on_refusal

from . import selectors, services
from .forms import ApplyForm
from .models import Application, ApplicationDraft
from .uploads import max_upload_bytes, upload_checked

SESSION_DRAFTS = "portal_drafts"
SESSION_APPLICATIONS = "portal_applications"


def _online_version(code: str):
    version = selectors.guide_get(code=code)
    if not version.online:
        raise Http404
    return version


def _draft(request, version) -> ApplicationDraft:
    """The session's draft for this item, created on first visit (token kept in the session)."""
    drafts = request.session.get(SESSION_DRAFTS, {})
    key = version.item.local_code
    token = drafts.get(key)
    draft = ApplicationDraft.objects.filter(token=token).first() if token else None
    if draft is None:
        token = secrets.token_urlsafe(32)
        draft = ApplicationDraft.objects.create(token=token, item_version=version, data={})
        drafts[key] = token
        request.session[SESSION_DRAFTS] = drafts
    return draft


def _context(version, draft, **extra) -> dict:
    files = draft.data.get("files") or {}
    materials = [
        {"m": m, "kept": files.get(str(m.pk)), "error": extra.get("file_errors", {}).get(m.pk)}
        for m in version.materials.all()
    ]
    return {
        "v": version,
        "d": draft.data,
        "materials": materials,
        "needs_village": version.accept_tier != Tier.COUNTY,
        "villages": selectors.villages(),
        "max_mb": max_upload_bytes() // (1024 * 1024),
        **extra,
    }


def _typed(post) -> dict[str, str]:
    """What was typed, to keep in the draft: everything but NUL, which a PostgreSQL JSON value
    cannot hold (the gate, reading the request itself, still names the field that had it)."""
    return {k: v.replace("\x00", "") for k, v in post.items()}


def _submit_refused(request, e: DomainError, code: str):
    """The form again from the kept draft, the refusal beside its field (422)."""
    version = _online_version(code)
    draft = _draft(request, version)
    return render(
        request,
        "portal/public/apply.html",
        _context(version, draft, error=e.message, error_field=e.field),
        status=422,
    )


@require_http_methods(["GET", "POST"])
@on_refusal(_submit_refused, errors=ANY)
def apply(request, code: str):
    version = _online_version(code)
    draft = _draft(request, version)
    if request.method == "GET":
        return render(request, "portal/public/apply.html", _context(version, draft))
    gate = ApplyForm(request.POST)
    valid = gate.is_valid()
    # Trimmed and normalised (full-width digits) when valid, as typed otherwise, to show it again.
    typed = _typed(request.POST)
    if valid:
        typed.update({k: v for k, v in gate.cleaned_data.items() if k in typed})
    draft = services.draft_save(token=draft.token, item_version=version, data=typed)
    if not valid:
        name, errors = next(iter(gate.errors.items()))
        return render(
            request,
            "portal/public/apply.html",
            _context(version, draft, error=errors[0], error_field=name),
            status=422,
        )
    file_errors = {}
    for m in version.materials.all():
        upload = request.FILES.get(f"material_{m.pk}")
        if upload is None:
            continue
        try:
            checked = upload_checked(upload, field=f"material_{m.pk}")
        except DomainError as e:
            file_errors[m.pk] = e.message
            continue
        draft = services.draft_keep_file(draft=draft, material_id=m.pk, upload=checked)
    if file_errors:
        return render(
            request,
            "portal/public/apply.html",
            _context(
                version,
                draft,
                file_errors=file_errors,
                error=_("有文件未通过检查，请按提示重新选择；您填写的其他内容已保留。"),
            ),
            status=422,
        )
    app = services.application_submit(draft=draft)
    drafts = request.session.get(SESSION_DRAFTS, {})
    drafts.pop(version.item.local_code, None)
    request.session[SESSION_DRAFTS] = drafts
    request.session[SESSION_APPLICATIONS] = [
        app.code,
        *request.session.get(SESSION_APPLICATIONS, []),
    ][:20]
    return redirect("portal:application_detail", code=app.code)


@require_POST
def apply_autosave(request, code: str):
    """htmx: save the typed fields as the person types; answers a short status line."""
    version = _online_version(code)
    draft = _draft(request, version)
    services.draft_save(token=draft.token, item_version=version, data=_typed(request.POST))
    return HttpResponse(f'<span class="saved">{_("草稿已自动保存")}</span>')


def application_detail(request, code: str):
    """The applicant's page for a submitted application; the random code is the key to it."""
    app = (
        Application.objects.select_related("item_version", "unit", "case").filter(code=code).first()
    )
    if app is None:
        raise Http404
    return render(
        request,
        "portal/public/application.html",
        {"app": app, "files": app.files.select_related("material")},
    )
