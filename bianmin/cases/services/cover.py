"""The AB-post cover (AB岗) on a case's timeline: the staffing app decides who covers whom and
when; the case's side of it (the event, the work lock) is written here, with the case's history."""

from bianmin.common.errors import DomainError

from ..models import Case
from .engine import case_transition
from .events import event_record

COVER_ACTIONS = frozenset({"ab_cover", "ab_return"})


def case_cover_handover(
    *, case: Case, actor, action: str, from_user, to_user, note: str, leave_id: int, lock: bool
) -> str:
    """Record that `to_user` takes over (`ab_cover`) or hands back (`ab_return`) `from_user`'s
    case and, when `lock`, move the work lock through the engine: its holder releases, the new
    holder assigns. The caller holds the case row lock. Returns why the lock did not move, or ""."""
    if action not in COVER_ACTIONS:
        raise ValueError(f"not an AB-post action: {action}")
    event_record(
        case=case,
        actor=actor,
        action=action,
        note=note,
        data={"from": from_user.get_username(), "to": to_user.get_username(), "leave": leave_id},
    )
    if not lock:
        return ""
    try:
        case = case_transition(case=case, action="release", actor=from_user, note=note)
        case_transition(case=case, action="assign", actor=to_user, note=note)
    except DomainError as e:
        return e.message
    return ""
