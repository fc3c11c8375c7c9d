"""The hash-chained timeline, `bianmin audit verify`, and docs/cases.md generated from the code."""

import datetime as dt
import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import translation

from bianmin.cases.chain import (
    HASHERS,
    canonical,
    chain_fault,
    chains_verify,
    sm3_gmssl,
    sm3_openssl,
)
from bianmin.cases.docgen import DOC_PATH, WORKFLOWS_PATH, render, render_workflows
from bianmin.cases.models import Case, CaseEvent
from bianmin.cases.services import errand_register
from bianmin.cases.tests.helpers import do, register

# GB/T 32905-2016 appendix A: the two sample messages and their digests.
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


def three_events(county, items):
    case = do(register(county, items.promised), "accept", county.t1_staff)
    return do(case, "assign", county.t1_staff)


def numbers(faults) -> list[str]:
    return [f.number for f in faults]


def test_events_chain_and_verify_clean(county, items, capsys):
    case = do(register(county, items.promised), "accept", county.t1_staff)
    events = list(case.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2]
    assert events[0].prev_hash == "" and events[1].prev_hash == events[0].hash
    assert events[1].actor == county.t1_staff.user and events[1].unit == county.tc1
    assert (events[1].from_state, events[1].to_state) == ("submitted", "accepted")
    assert {e.hash_algorithm for e in events} == {"sha256"}
    # The case row records the tail, written with the event.
    case = Case.objects.get(pk=case.pk)
    assert (case.last_event_seq, case.last_event_hash) == (2, events[1].hash)
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


def test_tampered_event_makes_verify_fail_and_name_the_case(county, items, capsys):
    good = do(register(county, items.promised), "accept", county.t1_staff)
    bad = do(register(county, items.promised), "accept", county.t1_staff)
    CaseEvent.objects.filter(case=bad, seq=1).update(note="改过的记录")
    assert chain_fault(bad).kind == "hash" and chain_fault(bad).seq == 1
    assert chain_fault(good) is None
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert bad.number in out and good.number not in out


def test_removed_or_reordered_events_break_the_chain(county, items):
    case = three_events(county, items)
    CaseEvent.objects.filter(case=case, seq=2).update(seq=99)
    # Event 3 now follows event 1.
    assert [(f.number, f.kind, f.seq) for f in chains_verify()] == [(case.number, "link", 3)]


def test_an_edited_middle_event_fails_verify(county, items):
    case = three_events(county, items)
    CaseEvent.objects.filter(case=case, seq=2).update(note="改过的记录")
    assert [(f.kind, f.seq) for f in chains_verify()] == [("hash", 2)]


def test_events_deleted_from_the_end_fail_verify_and_stay_detected(county, items, capsys):
    """Issue 15: the chain left after deleting its last events holds by itself; the case's
    recorded tail is what shows them gone, and the next event must not hide the gap."""
    good = three_events(county, items)
    case = three_events(county, items)
    # An insider with database access: a queryset delete bypasses `CaseEvent.delete`.
    last = CaseEvent.objects.filter(case=case).order_by("-seq")[:1].get()
    CaseEvent.objects.filter(pk=last.pk).delete()
    [fault] = chains_verify()
    assert (fault.number, fault.kind, fault.seq, fault.tail_seq) == (case.number, "truncated", 2, 3)
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify")
    assert exit_.value.code == 1
    captured = capsys.readouterr()
    assert (
        f"BROKEN {case.number} 时间线被截断：现存最后一条为第 2 条，办件记录的最后一条为第 3 条"
        in (captured.out)
    )
    assert good.number not in captured.out and "1 个办件的时间线未通过校验" in captured.err
    with translation.override("en"):
        assert fault.message() == (
            "timeline truncated: the last event present is number 2, the case records 3"
        )

    # Work goes on: the next event links to the recorded tail, so the gap stays visible.
    case = do(case, "release", county.t1_staff)
    assert list(case.events.values_list("seq", flat=True)) == [1, 2, 4]
    assert [(f.kind, f.seq) for f in chains_verify()] == [("link", 4)]


def test_every_event_deleted_or_one_appended_past_the_tail_fails_verify(county, items):
    emptied, extended = three_events(county, items), three_events(county, items)
    CaseEvent.objects.filter(case=emptied).delete()
    Case.objects.filter(pk=extended.pk).update(last_event_seq=2)
    assert [(f.number, f.kind, f.seq) for f in chains_verify()] == [
        (emptied.number, "truncated", 0),
        (extended.number, "tail", 3),
    ]


def test_events_cannot_be_changed_through_the_model(county, items):
    event = register(county, items.promised).events.get()
    event.note = "x"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_docs_cases_md_is_generated_from_the_workflow():
    with translation.override("zh-hans"):
        expected = render()
    assert DOC_PATH.read_text(encoding="utf-8") == expected, "run `bianmin workflow-doc`"
    assert "stateDiagram-v2" in expected and "submitted --> accepted: accept" in expected


def test_docs_workflows_md_draws_every_other_machine():
    with translation.override("zh-hans"):
        expected = render_workflows()
    assert WORKFLOWS_PATH.read_text(encoding="utf-8") == expected, "run `bianmin workflow-doc`"
    for heading in ("`catalog.ItemVersion.status`", "`ratings.Rectification.state`"):
        assert heading in expected
    assert "appealed --> verified: reject_appeal" in expected  # `=previous`, drawn back


def test_verify_reads_events_by_batch_and_names_only_the_broken_case(
    county, items, django_assert_max_num_queries
):
    cases = [do(register(county, items.promised), "accept", county.t1_staff) for _ in range(5)]
    CaseEvent.objects.filter(case=cases[2], seq=2).update(note="改过的记录")
    # Batches of two: the broken case sits in the middle batch, its neighbours on both edges.
    assert numbers(chains_verify(batch=2)) == [cases[2].number]
    # Per batch one query for the case numbers and one for their events (plus the empty read that
    # ends the loop), not one per case.
    with django_assert_max_num_queries(3):
        assert numbers(chains_verify(batch=10)) == [cases[2].number]


@pytest.mark.parametrize(
    "sm3",
    [
        sm3_gmssl,
        pytest.param(
            sm3_openssl,
            marks=pytest.mark.skipif(
                "sm3" not in hashlib.algorithms_available, reason="OpenSSL built without SM3"
            ),
        ),
    ],
)
def test_sm3_gives_the_gb_t_32905_digests(sm3):
    for message, digest in SM3_VECTORS:
        assert sm3(message) == digest
    assert HASHERS["sm3"](b"abc") == SM3_VECTORS[0][1]


def test_sm3_and_mixed_chains_verify(county, items, settings):
    """SM3 for deployments assessed under 密评 (GB/T 39786); a switch of the setting leaves the
    chain verifiable, each event hashed with the algorithm it names."""
    settings.BIANMIN_CHAIN_HASH = "sm3"
    case = three_events(county, items)
    settings.BIANMIN_CHAIN_HASH = "sha256"
    case = do(case, "release", county.t1_staff)
    events = list(case.events.order_by("seq"))
    assert [e.hash_algorithm for e in events] == ["sm3", "sm3", "sm3", "sha256"]
    assert events[0].hash == sm3_gmssl(canonical(events[0], case_number=case.number).encode())
    assert chains_verify() == []
    CaseEvent.objects.filter(case=case, seq=2).update(hash_algorithm="sha256")
    assert [(f.kind, f.seq) for f in chains_verify()] == [("hash", 2)]


def test_an_unknown_chain_hash_setting_is_refused(county, items, settings):
    settings.BIANMIN_CHAIN_HASH = "md5"
    with pytest.raises(ImproperlyConfigured, match="BIANMIN_CHAIN_HASH"):
        register(county, items.promised)
    assert not CaseEvent.objects.exists()


def test_the_migration_fills_each_cases_tail_from_its_last_event(county, items):
    cases = [
        three_events(county, items),
        errand_register(
            actor=county.a11.user, kind="pay", person_name="李奶奶", subject="代缴电费", phone=""
        ),
    ]
    all_cases = Case.all_objects.order_by("pk")
    tails = list(all_cases.values_list("last_event_seq", "last_event_hash"))
    all_cases.update(last_event_seq=0, last_event_hash="")
    migration = importlib.import_module(
        "bianmin.cases.migrations.0008_timeline_tail_and_hash_algorithm"
    )
    migration.fill_timeline_tails(apps, None)
    expected = [(3, cases[0].events.get(seq=3).hash), (1, cases[1].events.get(seq=1).hash)]
    assert list(all_cases.values_list("last_event_seq", "last_event_hash")) == expected == tails


def test_generated_history_under_sm3_verifies_with_its_tails(items, settings):
    """`seed-demo --scale` writes the chains and tails in bulk, under the configured hash."""
    from bianmin.demo.scale import build_cases

    settings.BIANMIN_CHAIN_HASH = "sm3"
    result = build_cases(seed=3, cases=6, until=dt.date(2026, 11, 20), years=1)
    assert result.cases == Case.objects.count() > 0
    assert set(CaseEvent.objects.values_list("hash_algorithm", flat=True)) == {"sm3"}
    assert chains_verify() == []
    case = Case.objects.order_by("pk").first()
    CaseEvent.objects.filter(case=case, seq=case.last_event_seq).delete()
    assert [(f.number, f.kind) for f in chains_verify()] == [(case.number, "truncated")]
