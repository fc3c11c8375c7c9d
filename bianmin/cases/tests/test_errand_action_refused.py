"""An errand action the signed-in user may not take answers 403 and changes nothing."""

from bianmin.cases.models import Case, ErrandMoney, State
from bianmin.cases.services import errand_register


def _errand(county):
    return errand_register(
        actor=county.a11.user, kind="pay", person_name="李奶奶", subject="代缴12月电费", phone=""
    )


def test_refused_errand_action_is_403_and_changes_nothing(client, county):
    case = _errand(county)
    events = case.events.count()
    # Township window staff see their villages' errands but do not run them (agents do).
    client.force_login(county.t1_staff.user)
    assert client.get(f"/cases/errands/{case.number}/").status_code == 200
    r = client.post(f"/cases/errands/{case.number}/done/", {"lock_version": case.lock_version})
    assert r.status_code == 403
    r = client.post(
        f"/cases/errands/{case.number}/money/",
        {"direction": "in", "amount": "50", "party": "本人", "lock_version": case.lock_version},
    )
    assert r.status_code == 403
    case = Case.errands.get(pk=case.pk)
    assert case.state == State.ERRAND_OPEN
    assert case.events.count() == events
    assert not ErrandMoney.objects.filter(case=case).exists()


def test_allowed_errand_action_still_redirects(client, county):
    case = _errand(county)
    client.force_login(county.a11.user)
    r = client.post(f"/cases/errands/{case.number}/done/", {"lock_version": case.lock_version})
    assert r.status_code == 302 and r.url == f"/cases/errands/{case.number}/"
    assert Case.errands.get(pk=case.pk).state == State.ERRAND_DONE


def test_errand_outside_scope_is_403(client, county):
    case = _errand(county)
    client.force_login(county.a12.user)
    r = client.post(f"/cases/errands/{case.number}/done/", {"lock_version": case.lock_version})
    assert r.status_code == 403
    assert Case.errands.get(pk=case.pk).state == State.ERRAND_OPEN
