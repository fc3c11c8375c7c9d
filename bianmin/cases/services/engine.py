"""The single transition service: every state change of a case goes through `case_transition`,
which hands it to the common engine (`bianmin.common.workflow`) with the case machine
(`workflow.CaseMachine`)."""

from __future__ import annotations

from bianmin.common.workflow import transition

from .. import workflow
from ..models import Case, State


def case_visible(*, viewer, case: Case) -> bool:
    from ..selectors import cases_visible

    return cases_visible(viewer=viewer, base=Case.all_objects.all()).filter(pk=case.pk).exists()


def case_actions_for(case: Case, actor, *, scope=None) -> list[str]:
    """What `actor` may do to `case` now, the next expected action first (`workflow.NEXT_ORDER`):
    the table's rows for the case's state and class whose roles, unit (scope), work lock and
    condition (`when`) let this actor act. The one list the case page, the work queues and the
    API's `allowed_actions` show; a submitted action still runs its guard on the parameters."""
    return workflow.CaseMachine(scope=scope).actions_for(case, actor)


def next_action(case: Case, actions: list[str]) -> str | None:
    """The step the case waits for from this person, among their allowed `actions` (in
    `case_actions_for` order): a route step (`workflow.STEPS`), the one-time notice before
    acceptance when required materials are missing, the supplement while the case waits for
    materials; None when the case waits for nobody's step here (only side actions are left)."""
    first = actions[0] if actions else None
    if first in workflow.STEPS:
        return first
    if first == "notify_missing" and case.state == State.SUBMITTED:
        return first
    if first == "supplement" and case.state == State.AWAITING_MATERIALS:
        return first
    return None


def case_transition(
    *, case: Case, action: str, actor, expected_version: int | None = None, note: str = "", **params
) -> Case:
    """Apply `action` to `case` as `actor`, per the table in `bianmin.cases.workflow`.

    Locks the row, checks `expected_version` (optimistic locking: a stale version is a 409),
    the table (an illegal move is a 409 naming state and action), the actor's role and scope
    (403), the work lock (409), then runs guard and effect, bumps `lock_version`, saves and writes
    the hash-chained event, all in one transaction (a concurrent SQLite writer is retried). A
    refusal that supervision must know about (a second one-time notice asking for more, a refusal
    without reasons) is flagged even though nothing else is saved (RULES.md "Supervision").
    """
    return transition(
        workflow.CaseMachine(),
        case,
        action=action,
        actor=actor,
        expected_version=expected_version,
        note=note,
        **params,
    )
