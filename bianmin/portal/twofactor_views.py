"""Two-factor login pages: enrolment and its settings (两步验证), recovery codes shown once, and
the login's second step. The rules are in bianmin/orgs/twofactor.py; the gate that sends a
half-signed-in session here is bianmin/portal/twofactor_middleware.py."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from bianmin.common.challenge import with_retry_after
from bianmin.common.errors import DomainError
from bianmin.common.qr import qr_svg
from bianmin.common.refusals import ANY, on_refusal
from bianmin.orgs import twofactor as tf

from .views import landing_url

NEW_CODES_KEY = "twofactor_new_codes"


def _next_url(request) -> str:
    """The page the person was on their way to, if it is one of ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""


def _verified(request, device) -> None:
    """Mark the session as having passed the second factor, under a new session key (the
    privilege changed, so a key seen before this moment must not carry it)."""
    request.session.cycle_key()
    otp_login(request, device)


def _password_ok(request) -> bool:
    """Re-confirm the person with their password, counted by django-axes like a login."""
    user = authenticate(
        request,
        username=request.user.get_username(),
        password=request.POST.get("password", ""),
    )
    return user is not None and user.pk == request.user.pk


def _confirm_refused(request, e: DomainError):
    return _setup_page(request, e.message)


@never_cache
@login_required
@on_refusal(_confirm_refused, errors=ANY)
def twofactor(request):
    """两步验证: set it up (scan, confirm a first code) or, once on, new recovery codes or off."""
    user = request.user
    enabled = tf.twofactor_enabled(user)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "confirm" and not enabled:
            codes = tf.totp_confirm(user=user, code=request.POST.get("code", ""))
            _verified(request, tf.totp_device(user))
            return _show_codes(request, codes)
        elif action in ("regenerate", "disable") and enabled:
            if not _password_ok(request):
                error = _("密码不正确")
            elif action == "regenerate":
                return _show_codes(request, tf.recovery_codes_issue(user=user))
            else:
                tf.twofactor_disable(user=user)
                messages.success(request, _("已关闭两步验证"))
                return redirect("portal:twofactor")
    return _setup_page(request, error)


def _setup_page(request, error: str):
    """The set-up page (QR code and secret until confirmed), with what went wrong (400)."""
    user = request.user
    enabled = tf.twofactor_enabled(user)
    context = {
        "enabled": enabled,
        "required": tf.twofactor_required(user),
        "error": error,
        "next": _next_url(request),
    }
    if enabled:
        context["codes_left"] = tf.recovery_codes_left(user)
    else:
        device = tf.totp_pending(user=user)
        secret = tf.totp_secret(device)
        context["qr"] = qr_svg(device.config_url, scale=5, title=_("两步验证二维码"))
        context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(request, "portal/twofactor/setup.html", context, status=400 if error else 200)


def _show_codes(request, codes: list[str]):
    """Show the new codes on a page of their own (after a redirect, so reloading the form's
    answer does not post it again), carrying on to where the person was going."""
    request.session[NEW_CODES_KEY] = codes
    url = reverse("portal:twofactor_codes")
    next_url = _next_url(request)
    return redirect(url + ("?" + urlencode({"next": next_url}) if next_url else ""))


@never_cache
@login_required
def twofactor_codes(request):
    """The new recovery codes, shown once: they leave the session as they are shown."""
    codes = request.session.pop(NEW_CODES_KEY, None)
    if not codes:
        return redirect("portal:twofactor")
    return render(
        request,
        "portal/twofactor/codes.html",
        {"codes": codes, "next": _next_url(request) or landing_url(request.user)},
    )


def _login_code_refused(request, e: DomainError):
    """A wrong code is a 400; too many is a 429 saying when to try again (`Retry-After`)."""
    status = 429 if isinstance(e, tf.CodeThrottled) else 400
    return with_retry_after(_login_code_page(request, e.message, status), e)


def _login_code_page(request, error: str = "", status: int = 200):
    return render(
        request,
        "portal/twofactor/login_code.html",
        {"error": error, "next": _next_url(request)},
        status=status,
    )


@never_cache
@on_refusal(_login_code_refused, errors=ANY)
def login_code(request):
    """The login's second step: a code from the authenticator app, or one recovery code."""
    user = request.user
    if not user.is_authenticated:
        return redirect("portal:login")
    if user.is_verified() or not tf.twofactor_enabled(user):
        return redirect(_next_url(request) or landing_url(user))
    if request.method == "POST":
        device = tf.twofactor_verify(user=user, code=request.POST.get("code", ""))
        _verified(request, device)
        if isinstance(device, StaticDevice):
            messages.warning(
                request,
                _("已用掉一个恢复码，还剩 %(n)s 个；可在“两步验证”页面生成新的恢复码")
                % {"n": tf.recovery_codes_left(user)},
            )
        return redirect(_next_url(request) or landing_url(user))
    return _login_code_page(request)
