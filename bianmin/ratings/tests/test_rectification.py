"""A bad rating walks through call-back/verification, rectification and follow-up to closure."""

import datetime as dt

import pytest

from bianmin.common.errors import Conflict, PermissionDenied
from bianmin.ratings.models import Outcome, Rating, RectificationEvent, RectState
from bianmin.ratings.rectification import rating_follow_up, rectification_act
from bianmin.ratings.selectors import rating_stats
from bianmin.ratings.services import rating_submit
from bianmin.workdays import calendar

from .helpers import PHONE, at, concluded_case

# 2025-09-30 is a Tuesday before the National Day holiday (Oct 1-8, 2025).
RATED = dt.date(2025, 9, 30)


def bad_rating(county, day=RATED, level=1):
    case = concluded_case(county, day=day)
    with at(day):
        return rating_submit(case=case, level=level, comment="态度差", phone_tail=PHONE[-4:])


def test_callback_deadline_is_one_working_day_across_a_holiday(county):
    rect = bad_rating(county).rectification
    assert rect.callback_due == calendar.add_workdays(RATED, 1).date
    # National Day: the next working day after Sept 30 is Oct 9 on the 2025 calendar.
    assert rect.callback_due == dt.date(2025, 10, 9)


def test_whole_flow_through_pages(client, county):
    rating = bad_rating(county)
    rect = rating.rectification
    client.force_login(county.t1_staff.user)
    page = client.get("/ratings/")
    assert page.status_code == 200 and rect.number in page.content.decode()
    detail = client.get(f"/ratings/{rect.pk}/").content.decode()
    assert "回访核实" in detail and "申诉成立" not in detail

    def post(day, **data):
        with at(day):
            r = client.post(
                f"/ratings/{rect.pk}/act/",
                {"lock_version": rect.lock_version, **data},
            )
        assert r.status_code == 302
        rect.refresh_from_db()

    post(dt.date(2025, 10, 9), action="call_back", contacted="1", findings="窗口人员解释不清")
    assert rect.state == RectState.VERIFIED and rect.callback_on_time() is True
    post(dt.date(2025, 10, 9), action="fix_by_deadline", measures="组织窗口培训", fix_days="15")
    assert rect.state == RectState.RECTIFYING
    assert rect.fix_due == calendar.add_workdays(dt.date(2025, 10, 9), 15).date
    # Closing before the fix is done is refused with a message, nothing changes.
    post(dt.date(2025, 10, 10), action="close")
    assert rect.state == RectState.RECTIFYING
    post(dt.date(2025, 10, 20), action="complete", measures="已培训并整改")
    assert rect.state == RectState.RECTIFIED and rect.rectified_on == dt.date(2025, 10, 20)
    # The applicant's follow-up through the public page (no login).
    client.logout()
    bad = client.post(
        "/ratings/follow-up/", {"number": rect.number, "phone_tail": "0000", "level": "5"}
    )
    assert bad.status_code == 404 and not Rating.objects.filter(follows=rating).exists()
    ok = client.post(
        "/ratings/follow-up/",
        {"number": rect.number, "phone_tail": PHONE[-4:], "level": "4", "comment": "好多了"},
    )
    assert ok.status_code == 200 and "感谢您的追评" in ok.content.decode()
    rect.refresh_from_db()
    assert rect.state == RectState.CLOSED
    again = client.post(
        "/ratings/follow-up/", {"number": rect.number, "phone_tail": PHONE[-4:], "level": "5"}
    )
    assert again.status_code == 409 and "不能再次追评" in again.content.decode()
    assert Rating.objects.filter(follows=rating).count() == 1
    assert [e.action for e in rect.events.all()] == [
        "open",
        "call_back",
        "fix_by_deadline",
        "complete",
        "follow_up",
    ]
    stats = {f.label: f for f in rating_stats(viewer=county.supervisor.user)}
    f = stats[county.tc1.name]
    assert (f.total, f.bad, f.rectified, f.named_bad, f.called_on_time) == (1, 1, 1, 1, 1)


def test_whole_flow_through_api_with_explain_and_close(client, county, token_for):
    rect = bad_rating(county, level=2).rectification
    h = token_for("t01-staff")
    url = f"/api/v1/ratings/rectifications/{rect.pk}"

    def act(action, day, **params):
        with at(day):
            return client.post(
                f"{url}/actions",
                {"action": action, "params": params},
                content_type="application/json",
                **h,
            )

    r = client.get("/api/v1/ratings/rectifications", **h)
    assert [x["number"] for x in r.json()] == [rect.number]
    # Explaining before the call-back is an illegal move.
    r = act("explain", dt.date(2025, 10, 9), measures="x")
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    # Late call-back (due Oct 9): recorded, and flagged as not on time.
    r = act("call_back", dt.date(2025, 10, 10), findings="申请人误解办理时限", contacted=True)
    assert r.status_code == 200, r.content
    assert r.json()["callback_on_time"] is False
    r = act("explain", dt.date(2025, 10, 10), measures="已向申请人说明法定时限")
    assert r.json()["state"] == RectState.EXPLAINED
    r = act("close", dt.date(2025, 10, 13))
    assert r.status_code == 409 and r.json()["code"] == "follow_up_window_open"
    r = act("close", dt.date(2025, 10, 17))
    assert r.status_code == 200 and r.json()["state"] == RectState.CLOSED
    body = client.get(url, **h).json()
    assert [e["action"] for e in body["events"]] == ["open", "call_back", "explain", "close"]
    assert body["allowed_actions"] == []
    # Another township's staff cannot see it.
    assert client.get(url, **token_for("t02-staff")).status_code == 403
    assert client.get(url, **token_for("v0201-agent")).status_code == 403
    r = client.post(
        f"{url}/actions",
        {"action": "close"},
        content_type="application/json",
        **token_for("v0201-agent"),
    )
    assert r.status_code == 403
    assert client.get("/api/v1/ratings/rectifications", **token_for("v0201-agent")).json() == []
    assert client.get("/api/v1/ratings/stats", **token_for("v0201-agent")).json() == []
    stats = client.get("/api/v1/ratings/stats", **token_for("supervisor")).json()
    row = next(s for s in stats if s["label"] == county.tc1.name)
    assert row["callback_on_time_rate"] == 0.0 and row["rectified_rate"] == 100.0


def test_appeal_upheld_removes_the_rating_rejected_returns(county):
    rect = bad_rating(county).rectification
    staff, sup = county.t1_staff.user, county.supervisor.user
    with at(dt.date(2025, 10, 9)):
        rectification_act(rectification=rect, action="call_back", actor=staff, findings="核实")
        with pytest.raises(Conflict):
            rectification_act(rectification=rect, action="uphold_appeal", actor=sup, reasons="x")
        rectification_act(
            rectification=rect,
            action="appeal",
            actor=staff,
            appeal_reason="malicious",
            appeal_text="申请人办理的是他人的事项",
        )
        with pytest.raises(PermissionDenied):
            rectification_act(rectification=rect, action="uphold_appeal", actor=staff, reasons="x")
        rect = rectification_act(
            rectification=rect, action="reject_appeal", actor=sup, reasons="证据不足"
        )
    assert rect.state == RectState.VERIFIED and rect.appeal_upheld is False
    with at(dt.date(2025, 10, 10)):
        rectification_act(
            rectification=rect,
            action="appeal",
            actor=staff,
            appeal_reason="mistaken",
            appeal_text="误评",
        )
        rect = rectification_act(
            rectification=rect, action="uphold_appeal", actor=sup, reasons="申请人确认误点"
        )
    assert rect.state == RectState.REMOVED
    rect.rating.refresh_from_db()
    assert rect.rating.removed and rect.rating.removed_reason == "申请人确认误点"
    assert rating_stats(viewer=sup) == []
    with pytest.raises(Conflict):
        rating_follow_up(rectification=rect, level=5, phone_tail=PHONE[-4:])


def test_fix_now_outcome_and_events_are_append_only(county):
    rect = bad_rating(county).rectification
    with at(dt.date(2025, 10, 9)):
        rectification_act(
            rectification=rect, action="call_back", actor=county.t1_staff.user, findings="属实"
        )
        rect = rectification_act(
            rectification=rect, action="fix_now", actor=county.t1_staff.user, measures="当场更正"
        )
    assert rect.state == RectState.RECTIFIED and rect.outcome == Outcome.FIX_NOW
    event = RectificationEvent.objects.filter(rectification=rect).first()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    # A village agent of another village may not act on it.
    with pytest.raises(PermissionDenied):
        rectification_act(rectification=rect, action="close", actor=county.a21.user)
