"""The hash chain of a case's timeline: each event's hash covers its fields and the previous hash.

Changing, removing or reordering any stored event breaks every hash from that event on, which
`bianmin audit verify` reports by case number (DESIGN.md "Data that must be right").
"""

import datetime as dt
import hashlib
import json

from django.db.models import QuerySet

from .models import Case, CaseEvent


def canonical(event: CaseEvent, *, case_number: str) -> str:
    at = event.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    payload = {
        "case": case_number,
        "seq": event.seq,
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "unit": event.unit_id,
        "at": at,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "note": event.note,
        "data": event.data,
        "prev": event.prev_hash,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def event_hash(event: CaseEvent, *, case_number: str) -> str:
    return hashlib.sha256(canonical(event, case_number=case_number).encode()).hexdigest()


def chain_broken_at(case: Case) -> int | None:
    """The seq of the first event whose hash or link does not hold, or None if the chain is whole."""
    prev = ""
    expected_seq = 1
    for event in case.events.order_by("seq"):
        if event.seq != expected_seq or event.prev_hash != prev:
            return event.seq
        if event.hash != event_hash(event, case_number=case.number):
            return event.seq
        prev = event.hash
        expected_seq += 1
    return None


def chains_verify(cases: QuerySet[Case] | None = None) -> list[str]:
    """Numbers of the cases whose timeline fails verification."""
    cases = Case.all_objects.all() if cases is None else cases
    broken = []
    for case in cases.order_by("pk").iterator(chunk_size=500):
        if chain_broken_at(case) is not None:
            broken.append(case.number)
    return broken
