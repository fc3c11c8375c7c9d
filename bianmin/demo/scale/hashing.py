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
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii

from bianmin.cases.chain import HASHERS

_s = encode_basestring


def one_shot(encoder: json.JSONEncoder):
    """`encoder.encode` without building a new C encoder on every call (`JSONEncoder.iterencode`
    does: a third of the time of encoding a small dict). No circular-reference check: the rows
    generated here hold no cycles."""
    if c_make_encoder is None:  # pragma: no cover - CPython has the C encoder
        return encoder.encode
    chunks = c_make_encoder(
        None,
        encoder.default,
        encode_basestring_ascii if encoder.ensure_ascii else encode_basestring,
        None,
        encoder.key_separator,
        encoder.item_separator,
        encoder.sort_keys,
        encoder.skipkeys,
        encoder.allow_nan,
    )
    return lambda value: "".join(chunks(value, 0))


# The chain's encoder (`chain._encode`): sorted keys, no escapes beyond JSON's, no spaces.
_encode = one_shot(json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")))
# `json.dumps` with its defaults: what Django's SQLite backend stores in a JSONField.
dumps = one_shot(json.JSONEncoder())


def _at(at: dt.datetime) -> str:
    if at.tzinfo is dt.UTC:
        return at.isoformat(timespec="microseconds")[:-6]
    return at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def canonical(event, *, case_json: str) -> str:
    """`chain.canonical(event, case_number=number)`, given `case_json = encode_basestring(number)`."""
    actor, unit = event.actor_id, event.unit_id
    return "".join(
        (
            '{"action":',
            _s(event.action),
            ',"actor":',
            "null" if actor is None else int.__repr__(actor),
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
            int.__repr__(event.seq),
            ',"to":',
            _s(event.to_state),
            ',"unit":',
            "null" if unit is None else int.__repr__(unit),
            "}",
        )
    )


def event_hash(event, *, case_json: str, algorithm: str) -> str:
    """`chain.event_hash` of a generated event."""
    return HASHERS[algorithm](canonical(event, case_json=case_json).encode())
