"""The hash chain of a case's timeline: each event's hash covers its fields and the previous hash.

Changing, removing or reordering any stored event breaks every hash from that event on, which
`bianmin audit verify` reports by case number (DESIGN.md "Data that must be right").
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable

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


def _broken_at(events: Iterable[CaseEvent], case_number: str) -> int | None:
    prev = ""
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq or event.prev_hash != prev:
            return event.seq
        if event.hash != event_hash(event, case_number=case_number):
            return event.seq
        prev = event.hash
        expected_seq += 1
    return None


def chain_broken_at(case: Case) -> int | None:
    """The seq of the first event whose hash or link does not hold, or None if the chain is whole."""
    return _broken_at(case.events.order_by("seq"), case.number)


def chains_verify(cases: QuerySet[Case] | None = None, *, batch: int = 2000) -> list[str]:
    """Numbers of the cases whose timeline fails verification.

    Reads the events of `batch` cases per query (a query per case took 18 minutes for 200,000
    cases on PostgreSQL), in (case, seq) order, so memory stays bounded by one batch."""
    cases = Case.all_objects.all() if cases is None else cases
    broken = []
    numbers = cases.order_by("pk").values_list("pk", "number")
    last = 0
    while True:
        chunk = dict(numbers.filter(pk__gt=last)[:batch])
        if not chunk:
            return broken
        events: dict[int, list[CaseEvent]] = {pk: [] for pk in chunk}
        for event in CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "seq"):
            events[event.case_id].append(event)
        broken += [chunk[pk] for pk in chunk if _broken_at(events[pk], chunk[pk]) is not None]
        last = max(chunk)
