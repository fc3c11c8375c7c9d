"""The bulk history's blocks: the data depend on the seed only, not on how many processes play
the blocks, and the generator's fast chain text is the engine's (`chain.canonical`)."""

import datetime as dt
import hashlib
import json
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction

from bianmin.cases import chain
from bianmin.cases.models import CaseEvent
from bianmin.cases.tests.conftest import items  # noqa: F401 - the fixture
from bianmin.demo.scale import base, build_cases, hashing
from bianmin.demo.scale.rows import BLOCK, Rows, _sqlite_datetime

UNTIL = dt.date(2026, 11, 20)


def _digest() -> tuple[int, str]:
    """The md5 of every column of every generated table, rows in primary-key order."""
    h, n = hashlib.md5(usedforsecurity=False), 0
    for model, _name in Rows.ORDER:
        names = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.order_by("pk").values_list(*names):
            h.update(repr(row).encode())
            n += 1
    return n, h.hexdigest()


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="PostgreSQL workers write over their own connections, outside the test transaction",
)
def test_the_data_do_not_depend_on_how_blocks_are_shared_out(items):  # noqa: F811
    """Three blocks played in this process, then by two forked workers: the same bytes."""
    cases = 2 * BLOCK + 500

    def run(workers: int) -> tuple[int, str]:
        with transaction.atomic():
            result = build_cases(seed=9, cases=cases, until=UNTIL, years=1, workers=workers)
            assert result.cases > cases - 50
            digest = _digest()
            transaction.set_rollback(True)
        return digest

    one, two = run(1), run(2)
    assert one[0] > 10 * cases
    assert one == two


def test_the_fast_chain_text_is_the_engines_on_every_generated_event(items, monkeypatch):  # noqa: F811
    seen = []
    fast = hashing.event_hash

    def checked(event, *, case_json, algorithm):
        seen.append((event.seq, event.hash_algorithm))
        number = json.loads(case_json)
        assert hashing.canonical(event, case_json=case_json) == chain.canonical(
            event, case_number=number
        )
        digest = fast(event, case_json=case_json, algorithm=algorithm)
        assert digest == chain.event_hash(event, case_number=number, algorithm=algorithm)
        return digest

    monkeypatch.setattr(base, "event_hash", checked)
    build_cases(seed=4, cases=300, until=UNTIL, years=1)
    assert len(seen) == CaseEvent.objects.count() > 1000
    assert chain.chains_verify() == []


@pytest.mark.parametrize("algorithm", sorted(chain.HASHERS))
def test_the_fast_chain_text_is_the_engines_on_awkward_values(algorithm):
    shanghai = ZoneInfo("Asia/Shanghai")
    events = [
        SimpleNamespace(
            seq=12,
            actor_id=None,
            actor_name='申请人 "张三"\\\n\t\x01',
            unit_id=None,
            at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=shanghai),
            action="register",
            from_state="",
            to_state="submitted",
            note="备注 \u2028 \ud7ff 😀",
            data={"z": [1, 2.5, None, True], "a": {"b": "乙", "a": "\\"}, "中": ""},
            prev_hash="",
        ),
        SimpleNamespace(
            seq=1,
            actor_id=7,
            actor_name="李四",
            unit_id=3,
            at=dt.datetime(2026, 3, 1, 0, 0, 0, 5, tzinfo=dt.UTC),
            action="forward",
            from_state="submitted",
            to_state="forwarded",
            note="",
            data={},
            prev_hash="ab" * 32,
        ),
    ]
    for number in ("TEST-610702-20260301-ABCDEFGH-X", 'quote"number'):
        case_json = hashing.encode_basestring(number)
        for event in events:
            assert hashing.canonical(event, case_json=case_json) == chain.canonical(
                event, case_number=number
            )
            assert hashing.event_hash(
                event, case_json=case_json, algorithm=algorithm
            ) == chain.event_hash(event, case_number=number, algorithm=algorithm)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend's own conversion")
def test_datetimes_are_written_as_the_sqlite_backend_writes_them():
    adapt = connection.ops.adapt_datetimefield_value
    for value in (
        dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 8, 0, 0, 1234, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 8, 0, 0, 1234, tzinfo=ZoneInfo("Asia/Shanghai")),
    ):
        assert _sqlite_datetime(value) == adapt(value)


def test_json_is_written_as_the_backend_writes_it():
    values = [
        {"z": [1, 2.5, None, True], "a": {"b": "乙", "a": "\\"}, "中": "\u2028😀", "q": '"'},
        {},
        {"overall": 5, "efficiency": 5},
    ]
    for value in values:
        assert hashing.dumps(value) == json.dumps(value)
        if connection.vendor == "sqlite":
            assert hashing.dumps(value) == connection.ops.adapt_json_value(value, None)
