"""Errands (便民服务) are help, not applications: no catalogue item, no public status page, not on the
disclosure board (`Case.objects` leaves them out); a finished errand must not break either page."""

from bianmin.cases.services import case_transition, errand_register
from bianmin.cases.tests.conftest import signature_png


def _finished_errand(c):
    case = errand_register(
        actor=c.a11.user,
        kind="collect",
        person_name="李奶奶",
        subject="代领社保卡",
        phone="13800001234",
    )
    case = case_transition(case=case, action="done", actor=c.a11.user, note="已领到")
    return case_transition(
        case=case,
        action="hand_over",
        actor=c.a11.user,
        signature=signature_png(),
        signed_by_name="李奶奶",
    )


def test_finished_errand_stays_off_the_board_and_the_status_lookup(county, client):
    c = county
    case = _finished_errand(c)
    assert case.closed_on is not None
    board = client.get(f"/disclosure/{c.a11.unit.code}/")
    assert board.status_code == 200
    assert (
        case.number[-6:] not in board.content.decode()
        and "代领社保卡" not in board.content.decode()
    )
    status = client.get(f"/api/v1/public/cases/{case.number}", {"phone_tail": "1234"})
    assert status.status_code == 404 and status.json()["code"] == "no_match"
