"""Page helpers: domain errors raised while reading become the matching HTTP responses."""

from functools import wraps

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404

from bianmin.common.errors import NotFound, PermissionDenied


def domain_errors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as e:
            raise HttpForbidden(e.message) from e
        except NotFound as e:
            raise Http404(e.message) from e

    return wrapper
