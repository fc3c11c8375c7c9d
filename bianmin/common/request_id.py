"""A request id on every request, every log line about it and every error page.

When something fails with DEBUG off, the person at the window sees only a Chinese error page; the
id printed on it ("错误编号") is what they quote to the administrator, who finds the traceback in
the server log by that id. Behind nginx an incoming `X-Request-ID` is kept (so one id follows the
request through both logs) when it is a plain token; anything else is replaced, so a client cannot
write arbitrary text into the log.
"""

from __future__ import annotations

import contextvars
import logging
import re
import secrets

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{7,63}")

_current: contextvars.ContextVar[str] = contextvars.ContextVar("bianmin_request_id", default="-")


def current_request_id() -> str:
    """The id of the request being handled in this context, or "-" outside a request."""
    return _current.get()


def _incoming(request) -> str | None:
    value = request.META.get("HTTP_X_REQUEST_ID", "")
    return value if _SAFE.fullmatch(value) else None


class RequestIdMiddleware:
    """Registered first, so the id exists before any other middleware can fail and the header is
    set on every answer, the 500 page included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = _incoming(request) or secrets.token_hex(8)
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestContextFilter(logging.Filter):
    """Adds `request_id`, `method`, `path` and `user_id` to every record, from the record's own
    request (django.request, django.security) or from the request being handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        # django.server passes the socket, not an HttpRequest.
        meta = getattr(request, "META", None)
        if meta is None:
            request = None
        record.request_id = getattr(request, "request_id", None) or current_request_id()
        record.method = getattr(request, "method", None) or "-"
        record.path = getattr(request, "path", None) or "-"
        record.user_id = _user_id(request)
        return True


def _user_id(request) -> object:
    if request is None:
        return "-"
    try:
        return getattr(getattr(request, "user", None), "pk", None) or "-"
    except Exception:  # noqa: BLE001 - a broken session or database must not stop the log line
        return "-"
