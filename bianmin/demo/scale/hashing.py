"""The chain hash of a generated event, with the text built faster than `chain.canonical` builds it.

`bianmin.cases.chain.canonical` encodes a twelve-key dict with sorted keys on every event; the
bulk history hashes millions of them. Here the same text is put together from its parts in the
sorted key order, each part encoded as `json` encodes it (`encode_basestring` is the function
the C encoder calls for every string, numbers are their `repr`, `data` goes through an encoder
with the chain's options), and hashed by the chain's own `HASHERS`. Equality with
`chain.canonical` is tested on every event of a generated history and on awkward values.
"""

import datetime as dt
import json
from json.encoder import encode_basestring

from bianmin.cases.chain import HASHERS

_s = encode_basestring

_encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def _int(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def _at(at: dt.datetime) -> str:
    if at.tzinfo is dt.UTC:
        return at.isoformat(timespec="microseconds")[:-6]
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical(event, *, case_json: str) -> str:
    """`chain.canonical(event, case_number=number)`, given `case_json = encode_basestring(number)`."""
    return "".join(
        (
            '{"action":',
            _s(event.action),
            ',"actor":',
            _int(event.actor_id),
            ',"actor_name":',
            _s(event.actor_name),
            ',"at":"',
            _at(event.at),
            '","case":',
            case_json,
            ',"data":',
            _encode(event.data),
            ',"from":',
            _s(event.from_state),
            ',"note":',
            _s(event.note),
            ',"prev":',
            _s(event.prev_hash),
            ',"seq":',
            _int(event.seq),
            ',"to":',
            _s(event.to_state),
            ',"unit":',
            _int(event.unit_id),
            "}",
        )
    )


def event_hash(event, *, case_json: str, algorithm: str) -> str:
    """`chain.event_hash` of a generated event."""
    return HASHERS[algorithm](canonical(event, case_json=case_json).encode())
