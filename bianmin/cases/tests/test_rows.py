"""List rows (`selectors.CaseRow`) show what the whole case shows: the API's list item of a row
equals the one built from the case itself, for every state, pause and lock the history holds."""

import datetime as dt

from bianmin.cases import selectors
from bianmin.cases.models import Case, State
from bianmin.cases.schemas import case_out
from bianmin.cases.services import case_transition
from bianmin.demo.scale import build_cases
from bianmin.orgs.models import Staff


def test_rows_match_their_cases(county, items):
    build_cases(seed=11, cases=400, until=dt.date(2026, 11, 20), years=1)
    locked = Case.objects.filter(state=State.ACCEPTED).order_by("pk").first()
    holder = Staff.objects.filter(unit=locked.current_unit).order_by("pk").first()
    case_transition(case=locked, action="assign", actor=holder.user)

    viewer = county.supervisor.user
    rows = selectors.case_list(viewer=viewer, limit=200).items
    rows += [r for q in selectors.work_queues(viewer=viewer).values() for r in q["items"]]
    cases = Case.objects.in_bulk([r.pk for r in rows])
    assert len(cases) >= 150
    # The history holds what a row must get right: running clocks with pauses (open and
    # closed), finished cases, a locked case.
    assert any(r.pauses for r in rows)
    assert any(r.state == State.CLOSED for r in rows)
    assert any(r.assigned_name == holder.full_name for r in rows)

    for r in rows:
        case = cases[r.pk]
        assert case_out(r) == case_out(case), case.number
        assert r.title == case.title
        assert r.created_at == case.created_at
