"""Read-only pages on the replica, everything else on the primary (a city on replicated PostgreSQL).

Installed only where DATABASE_REPLICA_URL is set (the block at the end of settings.py): the
"replica" database, this router and ReadYourWritesMiddleware. Elsewhere `replica_reads` only sets
a context variable that no router reads.

A view reads from the replica only when it says so with `@replica_reads` (reports, dashboards,
public boards, statistics, exports): the standby may lag its primary by a moment, which a report
can bear and a form cannot. Whoever wrote a moment ago reads their own writes: a request that
wrote leaves a signed cookie valid for BIANMIN_READ_YOUR_WRITES_SECONDS, and while it is valid the
same browser's replica reads go to the primary; so do the reads of a view after it has written.
"""

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core import signing

PRIMARY = "default"
REPLICA = "replica"
PRIMARY_COOKIE = "bianmin_primary"
_COOKIE_SALT = "bianmin.common.dbrouting"
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class _RequestState:
    # The browser wrote within the last few seconds (its cookie is valid).
    wrote_recently: bool = False
    # Something in this request asked for the primary to write.
    wrote: bool = False


_request: ContextVar[_RequestState | None] = ContextVar("bianmin_db_request", default=None)
_replica_reads: ContextVar[bool] = ContextVar("bianmin_replica_reads", default=False)


def read_your_writes_seconds() -> int:
    return int(getattr(settings, "BIANMIN_READ_YOUR_WRITES_SECONDS", 10))


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    """Reads inside `@replica_reads` go to the replica unless this browser or request wrote."""

    def db_for_read(self, model, **hints) -> str:
        if not _replica_reads.get():
            return PRIMARY
        state = _request.get()
        if state is not None and (state.wrote_recently or state.wrote):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        state = _request.get()
        if state is not None:
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        # Both aliases hold the same rows: an object read from the replica may point at one
        # written on the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The standby replays the primary's WAL, schema changes included.
        return db == PRIMARY


def replica_reads[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """Let this read-only view's queries go to the replica (see the module's docstring)."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        token = _replica_reads.set(True)
        try:
            return view(*args, **kwargs)
        finally:
            _replica_reads.reset(token)

    return wrapped


def wrote_recently(request) -> bool:
    seconds = read_your_writes_seconds()
    if seconds <= 0 or PRIMARY_COOKIE not in request.COOKIES:
        return False
    try:
        request.get_signed_cookie(PRIMARY_COOKIE, salt=_COOKIE_SALT, max_age=seconds)
    except (KeyError, signing.BadSignature):
        # Expired (SignatureExpired is a BadSignature) or forged: read from the replica.
        return False
    return True


class ReadYourWritesMiddleware:
    """After a request that wrote, send this browser's replica reads to the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = _RequestState(wrote_recently=wrote_recently(request))
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        seconds = read_your_writes_seconds()
        changed = request.method in _UNSAFE_METHODS and response.status_code < 400
        if seconds > 0 and (state.wrote or changed):
            response.set_signed_cookie(
                PRIMARY_COOKIE,
                "1",
                salt=_COOKIE_SALT,
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
            )
        return response
