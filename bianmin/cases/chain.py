"""The hash chain of a case's timeline: each event's hash covers its fields and the previous hash,
and the case row keeps the sequence number and hash of its last event (its tail).

Changing, removing or reordering any stored event breaks every hash from that event on; removing
events from the end leaves a chain that holds by itself but no longer ends where the case says
it does. `bianmin audit verify` reports both by case number (DESIGN.md "Data that must be right").
Each event names the algorithm it was hashed with (setting `BIANMIN_CHAIN_HASH`: SHA-256, or SM3
for deployments assessed under 密评 GB/T 39786), so chains written across a switch still verify.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from gmssl import func, sm3

from .models import Case, CaseEvent, ChainHash


def sm3_gmssl(data: bytes) -> str:
    return sm3.sm3_hash(func.bytes_to_list(data))


def sm3_openssl(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# OpenSSL's SM3, where the build has it, is hundreds of times faster than gmssl's pure Python
# (about 17 µs against 5-11 ms an event: hours for a county's history); both give the GB/T 32905
# digests (tested).
HASHERS: dict[str, Callable[[bytes], str]] = {
    ChainHash.SHA256.value: sha256,
    ChainHash.SM3.value: sm3_openssl if "sm3" in hashlib.algorithms_available else sm3_gmssl,
}


def chain_algorithm() -> str:
    """The algorithm new events are hashed with: the setting `BIANMIN_CHAIN_HASH`."""
    name = settings.BIANMIN_CHAIN_HASH
    if name not in HASHERS:
        raise ImproperlyConfigured(
            f"BIANMIN_CHAIN_HASH must be one of {', '.join(HASHERS)}, not {name!r}"
        )
    return name


# json.dumps with non-default options builds a new encoder per call; built once, the same text
# (the bulk history generator hashes tens of millions of events through here).
_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def canonical(event: CaseEvent, *, case_number: str) -> str:
    """The text an event's hash covers. Reads only the event's fields, so an unsaved row with the
    same attribute names (the bulk history generator's) hashes the same."""
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
    return _encode(payload)


def event_hash(event: CaseEvent, *, case_number: str, algorithm: str = ChainHash.SHA256) -> str:
    """The hash of `event` under `algorithm` (the event's own `hash_algorithm` when verifying)."""
    return HASHERS[algorithm](canonical(event, case_number=case_number).encode())


class ChainFault(NamedTuple):
    """Why a case's timeline fails verification."""

    number: str
    kind: str  # "link", "hash", "truncated" or "tail"
    # The event at fault; for "truncated" and "tail", the last event present (0: none).
    seq: int
    tail_seq: int  # the last event the case row records

    def message(self) -> str:
        if self.kind == "link":
            return _("第 %(seq)s 条事件接不上前一条（前面的事件被删除、插入或调换）") % {
                "seq": self.seq
            }
        if self.kind == "hash":
            return _("第 %(seq)s 条事件与其哈希不符（内容被改动）") % {"seq": self.seq}
        values = {"seq": self.seq, "tail": self.tail_seq}
        if self.kind == "truncated":
            return (
                _("时间线被截断：现存最后一条为第 %(seq)s 条，办件记录的最后一条为第 %(tail)s 条")
                % values
            )
        return (
            _("时间线末尾与办件记录不符：现存最后一条为第 %(seq)s 条，办件记录为第 %(tail)s 条")
            % values
        )


def _fault(
    events: Iterable[CaseEvent], *, number: str, tail_seq: int, tail_hash: str
) -> ChainFault | None:
    prev, seq = "", 0
    for event in events:
        if event.seq != seq + 1 or event.prev_hash != prev:
            return ChainFault(number, "link", event.seq, tail_seq)
        if event.hash_algorithm not in HASHERS or event.hash != event_hash(
            event, case_number=number, algorithm=event.hash_algorithm
        ):
            return ChainFault(number, "hash", event.seq, tail_seq)
        prev, seq = event.hash, event.seq
    if seq < tail_seq:
        return ChainFault(number, "truncated", seq, tail_seq)
    if (seq, prev) != (tail_seq, tail_hash):
        return ChainFault(number, "tail", seq, tail_seq)
    return None


def chain_fault(case: Case) -> ChainFault | None:
    """What fails in the case's timeline, or None if the chain is whole and ends at its tail."""
    return _fault(
        case.events.order_by("seq"),
        number=case.number,
        tail_seq=case.last_event_seq,
        tail_hash=case.last_event_hash,
    )


def chains_verify(cases: QuerySet[Case] | None = None, *, batch: int = 2000) -> list[ChainFault]:
    """The faults of the cases whose timeline fails verification, in case order.

    Reads the events of `batch` cases per query (a query per case took 18 minutes for 200,000
    cases on PostgreSQL), in (case, seq) order, so memory stays bounded by one batch."""
    cases = Case.all_objects.all() if cases is None else cases
    faults: list[ChainFault] = []
    rows = cases.order_by("pk").values_list("pk", "number", "last_event_seq", "last_event_hash")
    last = 0
    while True:
        chunk = {
            pk: (number, seq, hash_) for pk, number, seq, hash_ in rows.filter(pk__gt=last)[:batch]
        }
        if not chunk:
            return faults
        events: dict[int, list[CaseEvent]] = {pk: [] for pk in chunk}
        for event in CaseEvent.objects.filter(case_id__in=chunk).order_by("case_id", "seq"):
            events[event.case_id].append(event)
        for pk, (number, tail_seq, tail_hash) in chunk.items():
            fault = _fault(events[pk], number=number, tail_seq=tail_seq, tail_hash=tail_hash)
            if fault is not None:
                faults.append(fault)
        last = max(chunk)
