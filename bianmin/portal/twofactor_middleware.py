"""The gate between the password and the rest of the site (two-factor login, issue 15).

A session that passed the password but not the second factor may open only the code page (or,
for a role that must enrol, the enrolment page), log out and switch language. Every other page
sends it there; the JSON API treats it as not signed in, so a bearer token sent beside a stale
session cookie still works. Installed after django-otp's OTPMiddleware, which tells whether the
session is verified, and after django-htmx, so an htmx request is redirected as a whole page.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from bianmin.orgs.twofactor import twofactor_enabled, twofactor_required


def pending_step(user) -> str | None:
    """What a signed-in, unverified user still owes: the URL name of the page that settles it."""
    if twofactor_enabled(user):
        return "portal:login_code"
    if twofactor_required(user):
        return "portal:twofactor"
    return None


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified():
            step = pending_step(user)
            if step is not None and not self._open(request.path, step):
                if request.path.startswith("/api/"):
                    request.user = AnonymousUser()
                else:
                    return self._send_to(request, step)
        return self.get_response(request)

    @staticmethod
    def _open(path: str, step: str) -> bool:
        if path.startswith((settings.STATIC_URL, "/i18n/")):
            return True
        return path in (reverse(step), reverse("portal:logout"))

    @staticmethod
    def _send_to(request, step: str):
        url = reverse(step)
        if request.method == "GET" and not getattr(request, "htmx", False):
            url += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
