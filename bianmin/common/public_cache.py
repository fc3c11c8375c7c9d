"""A cache for what every anonymous reader is shown alike: guides, the catalogue, the item API.

The workers of a host share one copy (the "public" cache, in files under the var directory), so each
page is built once per publication, not once per worker. An entry's key holds the database's name,
the language, the request's path and query, and the publication stamp: the newest row of the admin
action log (`AdminAction`), which every change the public pages show writes in the same transaction
(an item version created, published or retired, a catalog import, a unit, staff or calendar change,
whether by a service or the admin site). So a publication ends every entry for every worker at once,
at the price of one indexed query per request; the expiry is only a backstop.

Only anonymous GET and HEAD requests with no message waiting are served from it, and what is
cached must be the same for everyone: a page fragment rendered without the request (so no CSRF
token, no user) or a JSON body. Per-request parts (the language form, the question form) are
rendered around it each time.
"""

from collections.abc import Callable

from django.core.cache import caches
from django.utils.translation import get_language

from .cache_keys import cache_key
from .models import AdminAction

ALIAS = "public"
# A backstop: publication ends entries at once; this bounds what a missed path could leave.
TIMEOUT = 600


def publication_stamp() -> int:
    """The id of the newest admin action: it changes whenever anything published changes."""
    return AdminAction.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def cacheable(request) -> bool:
    """Whether `request` may share an answer with every other reader."""
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # Reading the length loads the messages without marking them shown.
    messages = getattr(request, "_messages", None)
    return not (messages is not None and len(messages))


def _key(request, kind: str) -> str:
    stamp = getattr(request, "_publication_stamp", None)
    if stamp is None:
        stamp = request._publication_stamp = publication_stamp()
    return cache_key(kind, get_language(), stamp, request.get_full_path())


def cached[T](request, kind: str, build: Callable[[], T]) -> T:
    """`build()` for this request, shared with every request of the same language, path and
    query since the last publication. `build` must not depend on who asks; what it raises is
    not cached."""
    if not cacheable(request):
        return build()
    cache = caches[ALIAS]
    key = _key(request, kind)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def clear() -> None:
    """Forget every entry (tests)."""
    caches[ALIAS].clear()
