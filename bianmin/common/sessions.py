"""Idle expiry of signed-in sessions (settings BIANMIN_SESSION_IDLE_MINUTES = SESSION_COOKIE_AGE).

A session's expiry is set whenever it is saved; saving it on every request
(SESSION_SAVE_EVERY_REQUEST) would write the session row on every page and API call. Renewing a
signed-in session once a minute keeps the idle limit to the minute for one write a minute.
"""

import time

from django.contrib.auth import SESSION_KEY

RENEW_SECONDS = 60
RENEWED_KEY = "_idle_renewed"


def renewed_at_login(sender, request, user, **kwargs) -> None:
    """Signing in saves the session with a fresh expiry: the first request after it need not."""
    if hasattr(request, "session"):
        request.session[RENEWED_KEY] = int(time.time())


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.modified and session.get(SESSION_KEY):
            now = int(time.time())
            if now - session.get(RENEWED_KEY, 0) >= RENEW_SECONDS:
                session[RENEWED_KEY] = now
        return response
