"""The transition table, entry by entry: what it allows (a literal specification) and what the
engine refuses from every reachable state."""

import pytest

from bianmin.cases import workflow
from bianmin.cases.models import State
from bianmin.cases.tests.helpers import promised_at
from bianmin.common.errors import Conflict, DomainError
from bianmin.orgs import services as org

IN = ("accepted", "joint_review", "reviewed")
BEFORE = ("submitted", "forwarded", "awaiting_materials", "referred", "decided", "suspended", *IN)
AFTER = ("concluded", "returning", "to_deliver")

# (action, from, to): written out by hand from the issue, not derived from the table.
SPEC = {
    ("forward", "submitted", "forwarded"),
    ("forward", "accepted", "referred"),
    ("receive", "forwarded", "submitted"),
    ("receive", "referred", "accepted"),
    ("receive", "returning", "to_deliver"),
    *{("notify_missing", s, "awaiting_materials") for s in ("submitted", *IN)},
    # A partial supplement keeps the case waiting for the rest.
    ("supplement", "awaiting_materials", "=previous_when_complete"),
    *{("supplement", s, "=same") for s in ("submitted", "decided", *IN)},
    ("accept", "submitted", "accepted"),
    ("deem_accept", "submitted", "accepted"),
    ("decline", "submitted", "declined"),
    ("decline", "awaiting_materials", "declined"),
    ("review", "accepted", "reviewed"),
    ("review", "accepted", "joint_review"),
    ("opine", "joint_review", "=same"),
    ("decide", "reviewed", "decided"),
    ("decide", "joint_review", "decided"),
    ("conclude", "accepted", "concluded"),
    ("conclude", "decided", "concluded"),
    ("hand_back", "concluded", "returning"),
    # The township centre passes a result on to the village station on its way back.
    ("hand_back", "to_deliver", "returning"),
    ("deliver", "concluded", "closed"),
    ("deliver", "to_deliver", "closed"),
    *{("suspend", s, "suspended") for s in IN},
    ("resume", "suspended", "=previous"),
    *{("extend", s, "=same") for s in (*IN, "suspended")},
    # A site check (现场核查) is part of review, inside the limit: not a suspension.
    *{("site_check", s, "=same") for s in IN},
    # 网上传件: files of the materials, added and judged while the case is open.
    *{("upload", s, "=same") for s in BEFORE},
    *{("file_review", s, "=same") for s in BEFORE},
    *{("withdraw", s, "withdrawn") for s in BEFORE},
    *{("assign", s, "=same") for s in (*BEFORE, *AFTER)},
    *{("release", s, "=same") for s in (*BEFORE, *AFTER)},
    *{
        ("pledge_false", s, "terminated")
        for s in ("awaiting_materials", "referred", "decided", "suspended", *IN)
    },
    *{("pledge_false", s, "revoked") for s in (*AFTER, "closed")},
    # Errands: register -> done -> handed over, or cancelled; money while running.
    *{("money", s, "=same") for s in ("errand_open", "errand_done")},
    ("done", "errand_open", "errand_done"),
    ("hand_over", "errand_done", "handed_over"),
    *{("cancel", s, "cancelled") for s in ("errand_open", "errand_done")},
}


def test_table_matches_the_specification_entry_by_entry():
    actual = {(row.action, s, row.target) for row in workflow.TABLE for s in row.sources}
    assert actual - SPEC == set(), "table allows moves the specification does not"
    assert SPEC - actual == set(), "specification moves missing from the table"


def test_class_specific_rows():
    def target(action, state, klass):
        row = workflow.find(action, state=state, case_class=klass)
        return row and row.target

    assert target("review", "accepted", "joint") == "joint_review"
    assert target("review", "accepted", "promised") == "reviewed"
    assert target("review", "accepted", "immediate") is None
    assert target("conclude", "accepted", "immediate") == "concluded"
    assert target("conclude", "accepted", "promised") is None
    assert target("decide", "reviewed", "immediate") is None
    assert workflow.find("deem_accept", state="submitted", case_class="promised").roles == {
        "system"
    }


def test_only_heads_extend_and_only_the_system_deems_acceptance():
    assert workflow.find("extend", state="accepted", case_class="promised").roles == {"head"}
    for row in workflow.TABLE:
        if row.action != "deem_accept":
            assert "system" not in row.roles


REACHABLE = [
    "submitted",
    "forwarded",
    "awaiting_materials",
    "declined",
    "withdrawn",
    "accepted",
    "referred",
    "reviewed",
    "suspended",
    "decided",
    "concluded",
    "returning",
    "to_deliver",
    "closed",
]


@pytest.mark.parametrize("state", REACHABLE)
def test_engine_refuses_every_action_the_table_does_not_allow(county, items, state):
    root = org.staff_create(
        username="root",
        password="x" * 12,
        full_name="root",
        unit=None,
        roles=[],
        is_superuser=True,
    )
    case = promised_at(county, items, state)
    refused = 0
    for action in sorted(workflow.ACTIONS - {"deem_accept"}):
        allowed = workflow.find(action, state=state, case_class="promised") is not None
        try:
            case = workflow_try(case, action, root.user)
        except Conflict as e:
            if e.code == "illegal_transition":
                assert not allowed, (state, action)
                assert str(State(state).label) in e.message
                assert str(workflow.ACTION_LABELS[action]) in e.message
                refused += 1
                continue
            assert allowed, (state, action, e.message)
        except DomainError:
            assert allowed, (state, action)
        else:
            assert allowed, (state, action)
        case.refresh_from_db()
        case = promised_at(county, items, state) if case.state != state else case
    assert refused == sum(
        1
        for a in workflow.ACTIONS - {"deem_accept"}
        if workflow.find(a, state=state, case_class="promised") is None
    )


def workflow_try(case, action, user):
    from bianmin.cases.services import case_transition

    return case_transition(case=case, action=action, actor=user)
