"""Writing the case timeline: one hash-chained event per change, in the caller's transaction."""

import json

from django.db import transaction
from django.utils import timezone

from .. import queue_cache
from ..actors import is_applicant, user_of
from ..chain import chain_algorithm, event_hash
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
    """Append an event to the case's chain and move the case's tail to it, in one transaction.
    The caller holds the case row lock.

    The new event links to the tail the case row records, not to the last event found: after
    events were removed from the end, the next event then leaves a gap that `audit verify`
    reports, instead of sealing the shortened chain under a new tail.

    `actor` is a staff `User`, an `ApplicantActor` (named, with no account) or None (the system).
    """
    tail_seq, tail_hash = (
        Case.all_objects.filter(pk=case.pk).values_list("last_event_seq", "last_event_hash").get()
    )
    user = user_of(actor)
    staff = getattr(user, "staff", None) if user is not None else None
    if is_applicant(actor):
        name = actor.label
    else:
        name = (staff.full_name if staff else getattr(user, "username", "")) or "系统"
    event = CaseEvent(
        case=case,
        seq=tail_seq + 1,
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
        prev_hash=tail_hash,
        hash_algorithm=chain_algorithm(),
    )
    event.hash = event_hash(event, case_number=case.number, algorithm=event.hash_algorithm)
    with transaction.atomic(savepoint=False):
        event.save()
        Case.all_objects.filter(pk=case.pk).update(
            last_event_seq=event.seq, last_event_hash=event.hash
        )
    # A later `case.save()` by the caller writes the same tail, not the one it loaded.
    case.last_event_seq, case.last_event_hash = event.seq, event.hash
    queue_cache.case_changed(case, staff.unit_id if staff else None)
    return event
