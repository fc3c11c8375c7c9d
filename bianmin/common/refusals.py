"""One way from a domain error to a page (the API answers them in `bianmin.api.api`).

A service refuses by raising a `DomainError`. A page answers it in one of three ways:

- Access: a `PermissionDenied` or `NotFound` that a page lets through becomes the 403 page (saying
  why) or the 404 page, from `DomainErrorMiddleware`, wherever it was raised (a scoped selector,
  a service, a helper). Any other refusal a page lets through is a short plain-text answer with
  the error's status, so it is never a 500.
- A form posted back: `@on_refusal(handler)` answers a refusal from the view with
  `handler(request, error, *args, **kwargs)`, which renders the form again with what was typed and
  the message beside its field (`error.field`), at the page's status for it.
- An action then a redirect: `attempt(request, fn, success)` shows the refusal as a message and
  the view redirects as it does on success (`flash_back(url)` does the same as an `on_refusal`
  handler, for a view whose whole body is the action).

Refusals that are not about access are what the last two catch by default; access errors go on
to the middleware, so a page never shows "you may not" as a form error unless it asks to
(`errors=ANY`).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from .errors import DomainError, NotFound, PermissionDenied

# The errors that are about access: the middleware's 403 and 404 pages.
ACCESS: tuple[type[DomainError], ...] = (PermissionDenied, NotFound)
# Every domain error, access included, for pages that show even a refusal of access in place.
ANY: tuple[type[DomainError], ...] = (DomainError,)

Handler = Callable[..., HttpResponse]


def is_refusal(error: BaseException, errors: tuple[type[DomainError], ...] | None = None) -> bool:
    """Whether a page handles `error` itself: one of `errors`, or by default any domain error
    that is not about access."""
    if errors is not None:
        return isinstance(error, errors)
    return isinstance(error, DomainError) and not isinstance(error, ACCESS)


def on_refusal(
    handler: Handler, *, errors: tuple[type[DomainError], ...] | None = None
) -> Callable[[Handler], Handler]:
    """View decorator: a refusal raised by the view is answered by
    `handler(request, error, *args, **kwargs)`; anything else goes on (access to the middleware)."""

    def decorate(view: Handler) -> Handler:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DomainError as e:
                if not is_refusal(e, errors):
                    raise
                return handler(request, e, *args, **kwargs)

        return wrapper

    return decorate


def attempt(
    request: HttpRequest,
    fn: Callable[[], Any],
    success: str | None = None,
    *,
    errors: tuple[type[DomainError], ...] | None = None,
) -> bool:
    """Call `fn`; a refusal becomes an error message, otherwise `success` (when given) a success
    message. True when `fn` went through; the caller redirects either way."""
    try:
        fn()
    except DomainError as e:
        if not is_refusal(e, errors):
            raise
        messages.error(request, e.message)
        return False
    if success:
        messages.success(request, success)
    return True


def flash_back(url: Callable[..., str]) -> Handler:
    """An `on_refusal` handler for actions: the message, then the page `url(*args, **kwargs)`."""

    def handler(request: HttpRequest, error: DomainError, *args: Any, **kwargs: Any):
        messages.error(request, error.message)
        return redirect(url(*args, **kwargs))

    return handler


class DomainErrorMiddleware:
    """A domain error a page view lets through: 403 or 404 page, else plain text at its status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, PermissionDenied):
            # Raised on to Django's own handler: the project's 403 page, which shows the message.
            raise HttpForbidden(exception.message) from exception
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, DomainError):
            return HttpResponse(
                exception.message,
                status=exception.status,
                content_type="text/plain; charset=utf-8",
            )
        return None
