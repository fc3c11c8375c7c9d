"""Refusals in an app's own words, for machines whose app answered them before the engine.

The engine refuses an action the state does not allow with its generic "当前状态为…" conflict and
an actor the machine does not allow with its generic 403. Monthly reports, online applications,
leave and the others told people something more precise ("月报已报送", "该请假已处理"), with
their own error codes, and checked who acts before the state; pages, API answers and tests rely
on those words. A machine mixes `OwnWords` in and says them in `denial` and `refusal`.
"""

from __future__ import annotations

from .errors import Conflict, DomainError, ErrorCode, PermissionDenied


class OwnWords:
    """Mixin for a `workflow.Machine`: `denial` is the 403 message, `refusal` the error for an
    action its state does not allow (None: the engine's own)."""

    def denial(self, action: str, obj) -> str:
        raise NotImplementedError

    def refusal(self, action: str, state: str, obj) -> DomainError | None:
        return None

    def authorize(self, row, ctx) -> None:
        if not self.allowed(row, ctx.obj, ctx.actor):  # type: ignore[attr-defined]
            raise PermissionDenied(self.denial(row.action, ctx.obj))

    def refused(self, error: Exception, obj, actor) -> None:
        if not (isinstance(error, Conflict) and error.code == ErrorCode.ILLEGAL_TRANSITION):
            return
        action, state = error.extra["action"], error.extra["state"]
        rows = [row for row in self.table if row.action == action]  # type: ignore[attr-defined]
        # Who acts is checked before the state, as these apps always did.
        if rows and not any(self.allowed(row, obj, actor) for row in rows):  # type: ignore[attr-defined]
            raise PermissionDenied(self.denial(action, obj)) from error
        own = self.refusal(action, state, obj)
        if own is not None:
            raise own from error
