"""A database that cannot write (read-only, disk full, or out of reach during a failover) answers
503 with a plain Chinese message.

Without this, SQLite's "attempt to write a readonly database" or "database or disk is full" (or
PostgreSQL's read-only transaction / DiskFull) reaches the user as a server error page. These are
operating conditions, not bugs: the person at the window needs to know the system cannot save
right now and that nothing was saved, and the operator needs one log line naming the cause.

Put it right after SecurityMiddleware: as the outer layer it also sees failures in the inner
middleware (a session saved on a read-only database), which Django has already turned into a
500 response by the time they come back out; `got_request_exception` tells us which error it was.
"""

from __future__ import annotations

import html
import logging
import sys

from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

logger = logging.getLogger("bianmin.ops")

READONLY = "db_readonly"
DISK_FULL = "db_disk_full"
# The connection to the primary is lost or refused: a PostgreSQL failover (Patroni promoting the
# standby, PgBouncer repointed) takes a few seconds, and requests in between land here.
UNAVAILABLE = "db_unavailable"

# Lower-cased fragments of the drivers' messages: SQLite, then PostgreSQL.
_PATTERNS = (
    (DISK_FULL, ("database or disk is full", "no space left on device", "could not extend file")),
    (
        READONLY,
        (
            "attempt to write a readonly database",
            "readonly database",
            "read-only transaction",
            "read-only file system",
            "database is in recovery mode",
        ),
    ),
    (
        UNAVAILABLE,
        (
            "connection refused",
            "server closed the connection unexpectedly",
            "terminating connection due to administrator command",
            "the database system is shutting down",
            "the database system is starting up",
            "the connection is closed",
            "the connection is lost",
            "pgbouncer cannot connect to server",
            "server login has been failing",
            "server conn crashed",
        ),
    ),
)
_ATTR = "_bianmin_db_fault"


def classify(exc: BaseException | None) -> str | None:
    """READONLY, DISK_FULL, UNAVAILABLE or None for any other error (walks the exception's causes)."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DatabaseError) or type(exc).__module__.startswith(
            ("sqlite3", "psycopg")
        ):
            text = str(exc).lower()
            for code, fragments in _PATTERNS:
                if any(f in text for f in fragments):
                    return code
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _message(code: str) -> str:
    if code == UNAVAILABLE:
        return _(
            "数据库正在切换或暂时无法连接，本次操作可能没有完成。请稍候片刻刷新页面，"
            "查看是否已保存后再试；如多次出现，请通知系统管理员。"
        )
    if code == DISK_FULL:
        return _("服务器存储空间已满，本次操作未保存。请稍后再试，并通知系统管理员。")
    return _("数据库当前为只读状态，本次操作未保存。请稍后再试，并通知系统管理员。")


def fault_response(request, code: str) -> HttpResponse:
    message = _message(code)
    wants_json = request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        response = JsonResponse({"detail": message, "code": code}, status=503)
    else:
        # A self-contained page: the site's templates read the database (calendar warnings,
        # the signed-in user), which is exactly what may be failing.
        title = _("暂时无法保存")
        body = (
            '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title></head>"
            '<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto; '
            'padding: 0 1em; line-height: 1.6">'
            f"<h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>"
            f'<p><a href="javascript:history.back()">{html.escape(_("返回上一页"))}</a></p>'
            "</body></html>"
        )
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    # A failover is over in seconds; a full disk or a read-only database waits for an operator.
    response["Retry-After"] = "10" if code == UNAVAILABLE else "60"
    return response


def _remember(sender, request=None, **kwargs) -> None:
    if request is None:
        return
    code = classify(sys.exc_info()[1])
    if code:
        setattr(request, _ATTR, code)


got_request_exception.connect(_remember, dispatch_uid="bianmin.ops.db_fault")


class DatabaseFaultMiddleware:
    """503 with a message instead of a 500 when the database refuses writes or has no space."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        code = getattr(request, _ATTR, None)
        if code and response.status_code >= 500:
            return self._answer(request, code, None)
        return response

    def process_exception(self, request, exception):
        code = classify(exception)
        if code is None:
            return None
        return self._answer(request, code, exception)

    def _answer(self, request, code, exception):
        logger.error(
            "database fault %s on %s %s: %s",
            code,
            request.method,
            request.path,
            exception if exception is not None else "(see the error logged above)",
        )
        return fault_response(request, code)
