"""Complaints close: a verified outcome decides whether a complaint counts (RULES.md
"Supervision": only once found true), the responsible head hears of a new complaint once, staff
reveal the complainant's phone through a logged view, and the complainant reads the decision,
outcome and reply on the portal behind the status lookup's throttle."""

import datetime as dt

import pytest
from django.test import override_settings

from bianmin.common.errors import PermissionDenied, ValidationFailed
from bianmin.supervision import services
from bianmin.supervision.models import ComplaintContactView, ComplaintStatus, Notification
from bianmin.supervision.selectors import complaints_upheld

DAY = dt.date(2025, 9, 26)


def _file(county, content="代办员态度差", *, kind="complaint", unit=None, staff=None, phone=""):
    return services.complaint_file(
        kind=kind,
        unit=unit or county.s11,
        content=content,
        name="李四",
        phone=phone or "13912345678",
        staff=staff,
        today=DAY,
    )


def _decide(county, complaint, outcome):
    return services.complaint_decide(
        complaint=complaint, actor=county.t1_head.user, note="已核查", outcome=outcome, today=DAY
    )


def test_only_upheld_and_partly_upheld_complaints_count(county):
    upheld = _decide(county, _file(county, "属实的", staff=county.a11), "upheld")
    partly = _decide(county, _file(county, "部分属实的", staff=county.a11), "partly_upheld")
    unfounded = _decide(county, _file(county, "不属实的", staff=county.a11), "not_upheld")
    pending = _file(county, "未核查的", staff=county.a11)
    suggestion = _file(county, "建议延长午间办公", kind="suggestion")
    counted = set(complaints_upheld().values_list("pk", flat=True))
    assert counted == {upheld.pk, partly.pk}
    assert not counted & {unfounded.pk, pending.pk, suggestion.pk}


def test_a_suggestion_is_decided_without_an_outcome(county):
    suggestion = _file(county, "建议增加周末窗口", kind="suggestion")
    done = services.complaint_decide(
        complaint=suggestion, actor=county.t1_head.user, note="已采纳", outcome="upheld"
    )
    assert done.status == ComplaintStatus.DECIDED and done.outcome == ""


def test_a_complaint_is_not_closed_without_an_outcome(county):
    complaint = _file(county)
    with pytest.raises(ValidationFailed) as e:
        services.complaint_reply(complaint=complaint, actor=county.t1_head.user, reply="已处理")
    assert e.value.field == "outcome"
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FILED and complaint.reply == ""
    with pytest.raises(ValidationFailed):
        services.complaint_reply(
            complaint=complaint, actor=county.t1_head.user, reply="已处理", outcome="maybe"
        )
    closed = services.complaint_reply(
        complaint=complaint, actor=county.t1_head.user, reply="已处理", outcome="not_upheld"
    )
    assert closed.status == ComplaintStatus.REPLIED and closed.outcome == "not_upheld"


def test_the_responsible_head_is_notified_of_a_new_complaint_once(county):
    complaint = _file(county)  # against a village station: it has no head, its township's hears
    rows = Notification.objects.filter(key=f"complaint:{complaint.pk}:filed")
    assert [n.recipient.username for n in rows] == ["t01-head"]
    assert rows.get().link == f"/supervision/complaints/{complaint.number}/"
    assert complaint.number in rows.get().text
    services.notify_once(  # a second attempt to tell the same thing tells nobody
        users=[county.t1_head.user], text="again", link="", key=f"complaint:{complaint.pk}:filed"
    )
    assert rows.count() == 1


def test_a_head_complained_about_is_passed_over_for_the_next_head(county):
    complaint = _file(county, "主任态度差", unit=county.tc1, staff=county.t1_head)
    recipients = set(
        Notification.objects.filter(key=f"complaint:{complaint.pk}:filed").values_list(
            "recipient__username", flat=True
        )
    )
    assert "t01-head" not in recipients


def test_contact_reveal_is_logged_and_refused_to_the_person_complained_about(county):
    complaint = _file(county, staff=county.a11)
    with pytest.raises(PermissionDenied):
        services.complaint_contact_reveal(complaint=complaint, actor=county.a11.user)
    assert not ComplaintContactView.objects.exists()
    phone = services.complaint_contact_reveal(complaint=complaint, actor=county.t1_staff.user)
    assert phone == "13912345678"
    log = ComplaintContactView.objects.get()
    assert log.complaint == complaint and log.viewer == county.t1_staff.user


def test_staff_page_masks_the_phone_until_revealed_and_takes_the_outcome(client, county):
    complaint = _file(county)
    client.force_login(county.t1_staff.user)
    url = f"/supervision/complaints/{complaint.number}/"
    page = client.get(url).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    shown = client.post(url + "contact/")
    assert shown.status_code == 200 and 'href="tel:13912345678"' in shown.content.decode()
    assert ComplaintContactView.objects.filter(viewer=county.t1_staff.user).count() == 1
    # Deciding without an outcome: a Chinese message, the note kept, nothing changed.
    r = client.post(url + "decide/", {"note": "已约谈代办员"})
    assert r.status_code == 422 and "请选择核查结论" in r.content.decode()
    assert "已约谈代办员" in r.content.decode()
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FILED
    r = client.post(url + "decide/", {"note": "已约谈代办员", "outcome": "upheld"})
    assert r.status_code == 302
    complaint.refresh_from_db()
    assert complaint.outcome == "upheld" and complaint.status == ComplaintStatus.DECIDED


LOOKUP = "/complaints/lookup/"


def test_public_lookup_shows_decision_outcome_and_reply(client, county):
    complaint = _file(county)
    r = client.post(LOOKUP, {"number": complaint.number, "phone_tail": "5678"})
    page = r.content.decode()
    assert r.status_code == 200 and "处理中" in page and "尚未答复" in page
    assert "13912345678" not in page and "已核查" not in page
    services.complaint_decide(
        complaint=complaint, actor=county.t1_head.user, note="内部意见", outcome="partly_upheld"
    )
    services.complaint_reply(complaint=complaint, actor=county.t1_head.user, reply="已约谈并整改")
    page = client.post(LOOKUP, {"number": complaint.number.lower(), "phone_tail": "5678"})
    text = page.content.decode()
    assert "部分属实" in text and "已约谈并整改" in text and "作出处理" in text
    assert "内部意见" not in text  # the staff's decision note stays internal


@override_settings(BIANMIN_STATUS_MAX_FAILURES=3, BIANMIN_STATUS_WINDOW_SECONDS=600)
def test_public_lookup_is_throttled_like_the_status_lookup(client, county):
    complaint = _file(county)
    for tail in ("0000", "1111", "12"):
        r = client.post(LOOKUP, {"number": complaint.number, "phone_tail": tail})
        assert r.status_code == 404 and "投诉编号或手机号后四位不正确" in r.content.decode()
    r = client.post(LOOKUP, {"number": complaint.number, "phone_tail": "5678"})
    page = r.content.decode()
    assert r.status_code == 403 and "请先输入图片中的字符" in page and 'name="captcha_key"' in page
    # The address's counter is the status lookup's: the picture is asked for there too.
    r = client.post(
        "/status/", {"number": "HT-000000000000-20250926-AAAAAAAA-0", "phone_tail": "1"}
    )
    assert r.status_code == 403


def test_receipt_and_portal_pages_link_the_lookup(client, county):
    r = client.post(
        "/complaints/",
        {
            "kind": "complaint",
            "unit": county.tc1.code,
            "content": "窗口人员迟到",
            "phone": "13912345678",
        },
    )
    page = r.content.decode()
    assert r.status_code == 200 and "以便查询" in page
    assert f'href="{LOOKUP}?number=' in page
    number = page.split('id="tracking">')[1].split("<")[0]
    assert client.get(f"{LOOKUP}?number={number}").content.decode().count(number) >= 1
    for path in ("/", "/status/", LOOKUP):
        assert f'href="{LOOKUP}"' in client.get(path).content.decode(), path


def test_public_api_answers_like_the_page(client, county):
    complaint = _file(county)
    url = f"/api/v1/public/complaints/{complaint.number}"
    wrong, unknown = (
        client.get(url, {"phone_tail": "0000"}),
        client.get("/api/v1/public/complaints/TS-20250926-AAAAAA-A", {"phone_tail": "5678"}),
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json() and wrong.json()["code"] == "no_match"
    _decide(county, complaint, "not_upheld")
    services.complaint_reply(complaint=complaint, actor=county.t1_head.user, reply="经核查不属实")
    body = client.get(url, {"phone_tail": "5678"}).json()
    assert (body["status"], body["outcome"], body["outcome_label"]) == (
        "replied",
        "not_upheld",
        "不属实",
    )
    assert body["reply"] == "经核查不属实" and "phone" not in body
