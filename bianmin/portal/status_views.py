"""Public pages: case status by number and phone digits, online supplement, online rating."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from bianmin.cases.models import Case
from bianmin.common import throttle
from bianmin.common.challenge import Answer, ChallengeRequired, challenge_new, with_retry_after
from bianmin.common.errors import DomainError
from bianmin.common.refusals import ANY, on_refusal
from bianmin.ratings.inputs import posted_comment

from . import selectors, services
from .uploads import max_upload_bytes, upload_checked

SESSION_KEY = "portal_status_ok"  # {case number: phone tail} proven in this session
LEVELS = (
    (5, _("非常满意")),
    (4, _("满意")),
    (3, _("基本满意")),
    (2, _("不满意")),
    (1, _("非常不满意")),
)


def client_ip(request) -> str:
    # REMOTE_ADDR is the proxy's address behind a reverse proxy; the proxy must set it right
    # (e.g. uwsgi/gunicorn forwarded-allow-ips), never trust a client-supplied header here.
    return request.META.get("REMOTE_ADDR", "")


def _proven(request, number: str) -> str | None:
    return request.session.get(SESSION_KEY, {}).get(number)


def _prove(request, number: str, tail: str) -> None:
    proven = dict(request.session.get(SESSION_KEY, {}))
    proven[number] = tail
    request.session[SESSION_KEY] = dict(list(proven.items())[-10:])


def _verify(request, number: str, tail: str) -> Case:
    case = services.status_verify(
        number=number, phone_tail=tail, ip=client_ip(request), answer=Answer.from_data(request.POST)
    )
    _prove(request, case.number, tail)
    return case


def challenge_for(request, number: str, limit: throttle.Limit = throttle.LOOKUP) -> dict | None:
    """A fresh picture challenge for the form when the number or this address needs one."""
    keys = throttle.keys_for(ip=client_ip(request), number=number, limit=limit)
    return challenge_new() if throttle.needs_challenge(keys, limit=limit) else None


def lookup_refused(
    request,
    template: str,
    context: dict,
    error: DomainError,
    *,
    number: str,
    limit: throttle.Limit = throttle.LOOKUP,
):
    """The form again after a refusal, with the message, what was typed, the challenge when one
    is needed now, and `Retry-After` on a 429."""
    needs = isinstance(error, ChallengeRequired)
    context["challenge"] = challenge_new() if needs else challenge_for(request, number, limit)
    response = render(request, template, {**context, "error": error.message}, status=error.status)
    return with_retry_after(response, error)


def _lookup_form(request, *, number: str = "", fixed: bool = False):
    """The lookup form; "换一张" (a new picture) posts here too and checks nothing."""
    form = request.POST if request.method == "POST" else request.GET
    context = {"form": form if not fixed else {**form.dict(), "number": number}}
    context.update(fixed_number=fixed, challenge=challenge_for(request, number))
    return render(request, "portal/public/status_lookup.html", context)


def _verify_refused(request, e: DomainError, number: str | None = None):
    """The lookup form again (the number fixed when it came in the address), any refusal shown."""
    if number is None:
        number, context = request.POST.get("number", "").strip().upper(), {"form": request.POST}
    else:
        number = number.strip().upper()
        context = {"form": {**request.POST.dict(), "number": number}, "fixed_number": True}
    return lookup_refused(request, "portal/public/status_lookup.html", context, e, number=number)


@require_http_methods(["GET", "POST"])
@on_refusal(_verify_refused, errors=ANY)
def status_lookup(request):
    form = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and not form.get("refresh"):
        number = form.get("number", "").strip().upper()
        case = _verify(request, number, form.get("phone_tail", ""))
        return redirect("portal:status_detail", number=case.number)
    return _lookup_form(request, number=form.get("number", "").strip().upper())


@require_http_methods(["GET", "POST"])
@on_refusal(_verify_refused, errors=ANY)
def status_detail(request, number: str):
    """The QR code on the receipt leads here; the phone digits are still asked for."""
    number = number.strip().upper()
    if request.method == "POST" and not request.POST.get("refresh"):
        _verify(request, number, request.POST.get("phone_tail", ""))
        return redirect("portal:status_detail", number=number)
    if request.method == "POST" or not _proven(request, number):
        return _lookup_form(request, number=number, fixed=True)
    case = Case.objects.select_related("item_version__item", "current_unit", "intake_unit").get(
        number=number
    )
    return render(request, "portal/public/status.html", _status_context(case, request))


def _status_context(case: Case, request, **extra) -> dict:
    return {
        "s": selectors.status_summary(case),
        "levels": LEVELS,
        "max_mb": max_upload_bytes() // (1024 * 1024),
        "rated": request.GET.get("rated") == "1",
        "supplied": request.GET.get("supplied") == "1",
        **extra,
    }


def _proven_case(request, number: str) -> Case | None:
    number = number.strip().upper()
    if not _proven(request, number):
        return None
    return Case.objects.filter(number=number).first()


def _supplement_refused(request, e: DomainError, number: str):
    case = _proven_case(request, number)
    context = _status_context(case, request, supplement_error=e.message)
    return render(request, "portal/public/status.html", context, status=422)


@require_POST
@on_refusal(_supplement_refused, errors=ANY)
def status_supplement(request, number: str):
    case = _proven_case(request, number)
    if case is None:
        return redirect("portal:status_detail", number=number)
    uploads, errors = {}, []
    for key, upload in request.FILES.items():
        if not key.startswith("material_"):
            continue
        try:
            uploads[int(key.removeprefix("material_"))] = upload_checked(upload, field=key)
        except (DomainError, ValueError) as e:
            errors.append(getattr(e, "message", str(e)))
    if errors:
        raise DomainError("；".join(errors), field="files")
    services.application_supplement(
        case=case, uploads=uploads, phone_tail=_proven(request, case.number)
    )
    return redirect(f"/status/{case.number}/?supplied=1")


def _rate_refused(request, e: DomainError, number: str):
    case = _proven_case(request, number)
    context = _status_context(case, request, rate_error=e.message, rate_form=request.POST)
    return render(request, "portal/public/status.html", context, status=e.status)


@require_POST
@on_refusal(_rate_refused, errors=ANY)
def status_rate(request, number: str):
    case = _proven_case(request, number)
    if case is None:
        return redirect("portal:status_detail", number=number)
    try:
        level = int(request.POST.get("level", "0"))
    except ValueError:
        level = 0
    services.rating_submit(
        case=case,
        level=level,
        comment=posted_comment(request.POST),
        phone_tail=_proven(request, case.number),
    )
    return redirect(f"/status/{case.number}/?rated=1#rate")
