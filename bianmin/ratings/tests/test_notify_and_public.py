"""A bad rating tells the responsible head at once, an overdue call-back once (RULES.md "Ratings":
call back within 1 working day), and the applicant reaches the follow-up rating from the case's
public status page, which shows the rectification."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from bianmin.ratings.models import RectState
from bianmin.ratings.notify import rectifications_overdue_notify
from bianmin.ratings.rectification import rectification_act
from bianmin.ratings.services import rating_submit
from bianmin.ratings.tasks import rectifications_overdue_task
from bianmin.supervision.models import Notification

from .helpers import PHONE, at, concluded_case

RATED = dt.date(2025, 9, 30)  # Tuesday; the call-back is due the next working day, 10-09
pytestmark = pytest.mark.django_db


def _rate(county, level, day=RATED):
    case = concluded_case(county, day=day)
    with at(day):
        return rating_submit(case=case, level=level, comment="等太久", phone_tail=PHONE[-4:])


def _heads_told(prefix: str) -> list[str]:
    return sorted(
        Notification.objects.filter(key__startswith=prefix).values_list(
            "recipient__username", flat=True
        )
    )


def test_a_bad_rating_tells_the_responsible_head_and_a_good_one_nobody(county):
    before = Notification.objects.count()
    _rate(county, 4)
    assert Notification.objects.count() == before
    rating = _rate(county, 1)
    rect = rating.rectification
    assert _heads_told(f"rectification:{rect.pk}:opened") == ["t01-head"]
    note = Notification.objects.get(key=f"rectification:{rect.pk}:opened")
    assert note.link == f"/ratings/{rect.pk}/"
    assert "非常不满意" in note.text and str(rect.callback_due) in note.text


def test_overdue_call_backs_are_told_once_per_item(county):
    rect = _rate(county, 2).rectification
    assert rect.callback_due == dt.date(2025, 10, 9)
    assert rectifications_overdue_notify(today=dt.date(2025, 10, 9)).overdue == 0  # due today
    first = rectifications_overdue_notify(today=dt.date(2025, 10, 10))
    assert (first.overdue, first.notified) == (1, 1)
    key = f"rectification:{rect.pk}:overdue:callback:2025-10-09"
    assert _heads_told(key) == ["t01-head"]
    again = rectifications_overdue_notify(today=dt.date(2025, 10, 10))
    later = rectifications_overdue_notify(today=dt.date(2025, 10, 13))
    assert (again.overdue, again.notified, later.notified) == (1, 0, 0)
    assert Notification.objects.filter(key__contains=":overdue:").count() == 1
    # Called back (late): no longer overdue, nothing more is told.
    with at(dt.date(2025, 10, 14)):
        rectification_act(
            rectification=rect, action="call_back", actor=county.t1_staff.user, findings="已联系"
        )
    assert rectifications_overdue_notify(today=dt.date(2025, 10, 15)).overdue == 0


def test_command_and_task_run_the_same_check(county):
    _rate(county, 1)
    out = StringIO()
    call_command("rectifications_overdue", "--date", "2025-10-10", stdout=out)
    assert json.loads(out.getvalue()) == {"today": "2025-10-10", "overdue": 1, "notified": 1}
    result = rectifications_overdue_task.call("2025-10-10")
    assert result == {"today": "2025-10-10", "overdue": 1, "notified": 0}


def _status_page(client, case):
    client.post("/status/", {"number": case.number, "phone_tail": PHONE[-4:]})
    return client.get(f"/status/{case.number}/").content.decode()


def test_status_page_shows_the_rectification_and_links_the_follow_up(client, county):
    rating = _rate(county, 1)
    rect, case = rating.rectification, rating.case
    page = _status_page(client, case)
    assert rect.number in page and "待回访核实" in page
    assert "follow-up-link" not in page  # nothing to follow up before the unit has acted
    actor = county.t1_staff.user
    with at(dt.date(2025, 10, 9)):
        rect = rectification_act(
            rectification=rect, action="call_back", actor=actor, contacted=True, findings="属实"
        )
        rectification_act(
            rectification=rect, action="fix_now", actor=actor, measures="增派窗口人员，当场办结"
        )
    page = _status_page(client, case)
    assert "立即整改" in page and "增派窗口人员，当场办结" in page and "属实" not in page
    link = f'href="/ratings/follow-up/?number={rect.number}"'
    assert link in page
    api = client.get(f"/api/v1/public/cases/{case.number}", {"phone_tail": PHONE[-4:]}).json()
    assert [(r["number"], r["follow_up_open"]) for r in api["rectifications"]] == [
        (rect.number, True)
    ]
    follow = client.get(f"/ratings/follow-up/?number={rect.number}").content.decode()
    assert f'id="fu-rect-number">{rect.number}<' in follow
    assert f'value="{rect.number}"' in follow
    r = client.post(
        "/ratings/follow-up/", {"number": rect.number, "phone_tail": PHONE[-4:], "level": "5"}
    )
    assert r.status_code == 200 and "感谢您的追评" in r.content.decode()
    rect.refresh_from_db()
    assert rect.state == RectState.CLOSED
    page = _status_page(client, case)
    assert link not in page and "您的追评</dt><dd>非常满意</dd>" in page
