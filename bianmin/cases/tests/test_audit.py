"""The hash-chained timeline, `bianmin audit verify`, and docs/cases.md generated from the code."""

import pytest
from django.core.management import call_command
from django.utils import translation

from bianmin.cases.chain import chain_broken_at, chains_verify
from bianmin.cases.docgen import DOC_PATH, render
from bianmin.cases.models import CaseEvent
from bianmin.cases.tests.helpers import do, register


def test_events_chain_and_verify_clean(county, items, capsys):
    case = do(register(county, items.promised), "accept", county.t1_staff)
    events = list(case.events.order_by("seq"))
    assert [e.seq for e in events] == [1, 2]
    assert events[0].prev_hash == "" and events[1].prev_hash == events[0].hash
    assert events[1].actor == county.t1_staff.user and events[1].unit == county.tc1
    assert (events[1].from_state, events[1].to_state) == ("submitted", "accepted")
    call_command("audit", "verify")
    assert "OK" in capsys.readouterr().out


def test_tampered_event_makes_verify_fail_and_name_the_case(county, items, capsys):
    good = do(register(county, items.promised), "accept", county.t1_staff)
    bad = do(register(county, items.promised), "accept", county.t1_staff)
    CaseEvent.objects.filter(case=bad, seq=1).update(note="改过的记录")
    assert chain_broken_at(bad) == 1 and chain_broken_at(good) is None
    with pytest.raises(SystemExit) as exit_:
        call_command("audit", "verify")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert bad.number in out and good.number not in out


def test_removed_or_reordered_events_break_the_chain(county, items):
    case = do(
        do(register(county, items.promised), "accept", county.t1_staff), "assign", county.t1_staff
    )
    CaseEvent.objects.filter(case=case, seq=2).update(seq=99)
    assert chains_verify() == [case.number]


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


def test_verify_reads_events_by_batch_and_names_only_the_broken_case(
    county, items, django_assert_max_num_queries
):
    cases = [do(register(county, items.promised), "accept", county.t1_staff) for _ in range(5)]
    CaseEvent.objects.filter(case=cases[2], seq=2).update(note="改过的记录")
    # Batches of two: the broken case sits in the middle batch, its neighbours on both edges.
    assert chains_verify(batch=2) == [cases[2].number]
    # Per batch one query for the case numbers and one for their events (plus the empty read that
    # ends the loop), not one per case.
    with django_assert_max_num_queries(3):
        assert chains_verify(batch=10) == [cases[2].number]
