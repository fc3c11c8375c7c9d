"""Writing the case timeline: one hash-chained event per change, in the caller's transaction."""

import json

from django.utils import timezone

from ..actors import is_applicant, user_of
from ..chain import event_hash
from ..models import Case, CaseEvent


def event_record(
    *,
    case: Case,
    actor,
    action: str,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> CaseEvent:
    """Append an event to the case's chain. The caller holds the case row lock.

    `actor` is a staff `User`, an `ApplicantActor` (named, with no account) or None (the system).
    """
    last = case.events.order_by("-seq").values("seq", "hash").first()
    user = user_of(actor)
    staff = getattr(user, "staff", None) if user is not None else None
    if is_applicant(actor):
        name = actor.label
    else:
        name = (staff.full_name if staff else getattr(user, "username", "")) or "系统"
    event = CaseEvent(
        case=case,
        seq=(last["seq"] + 1) if last else 1,
        actor=user,
        actor_name=name,
        unit=staff.unit if staff else None,
        at=timezone.now(),
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        # Round-trip through JSON so the hash covers exactly what the database gives back.
        data=json.loads(json.dumps(data or {}, default=str, ensure_ascii=False)),
        prev_hash=last["hash"] if last else "",
    )
    event.hash = event_hash(event, case_number=case.number)
    event.save()
    return event
