"""The public follow-up rating (追评) is guarded like the status lookup: wrong (rectification
number, phone tail) pairs count per client address and per number; past the limit the pair is only
checked after a picture challenge is solved, nothing is written meanwhile, and the owner who
solves it gets through."""

import datetime as dt
import re

import pytest
from captcha.models import CaptchaStore
from django.test import override_settings

from bianmin.common.models import LookupThrottle
from bianmin.common.throttle import FOLLOW_UP, keys_for
from bianmin.ratings.models import Rating, RectState
from bianmin.ratings.rectification import rectification_act
from bianmin.ratings.services import rating_submit

from .helpers import PHONE, at, concluded_case

RATED = dt.date(2025, 9, 30)
PAGE = "/ratings/follow-up/"
API = "/api/v1/ratings/follow-up"
A, B = "10.1.1.1", "10.2.2.2"
LIMITS = {"BIANMIN_RATING_MAX_FAILURES": 3, "BIANMIN_RATING_WINDOW_SECONDS": 600}


@pytest.fixture
def rect(county):
    """A rectification fixed at once, waiting for the applicant's follow-up."""
    case = concluded_case(county, day=RATED)
    with at(RATED):
        rating = rating_submit(case=case, level=1, comment="态度差", phone_tail=PHONE[-4:])
    rect = rating.rectification
    actor = county.t1_staff.user
    with at(dt.date(2025, 10, 9)):
        rect = rectification_act(
            rectification=rect, action="call_back", actor=actor, contacted=True, findings="x"
        )
        rect = rectification_act(rectification=rect, action="fix_now", actor=actor, measures="y")
    assert rect.state == RectState.RECTIFIED
    return rect


def post(client, number, tail, ip, level="4"):
    return client.post(PAGE, {"number": number, "phone_tail": tail, "level": level}, REMOTE_ADDR=ip)


def snapshot(rect):
    rect.refresh_from_db()
    return (
        rect.state,
        rect.events.count(),
        Rating.objects.filter(follows=rect.rating).count(),
    )


def solved(page) -> dict:
    """The challenge on a refused page, answered as the person reading its picture would."""
    key = re.search(r'name="captcha_key" value="(\w+)"', page).group(1)
    return {"captcha_key": key, "captcha_value": CaptchaStore.objects.get(hashkey=key).response}


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_wrong_tails_make_the_number_ask_for_a_challenge_the_owner_solves(client, rect):
    before = snapshot(rect)
    codes = [post(client, rect.number, f"100{i}", A).status_code for i in range(3)]
    assert codes == [404, 404, 404]
    # From another address the right pair is not checked until the picture is solved.
    r = post(client, rect.number, PHONE[-4:], B)
    assert r.status_code == 403 and "请先输入图片中的字符" in r.content.decode()
    assert snapshot(rect) == before
    data = {"number": rect.number, "phone_tail": PHONE[-4:], "level": "4"}
    r = client.post(PAGE, {**data, **solved(r.content.decode())}, REMOTE_ADDR=B)
    assert r.status_code == 200 and "感谢您的追评" in r.content.decode()
    rect.refresh_from_db()
    assert rect.state == RectState.CLOSED
    assert Rating.objects.get(follows=rect.rating).level == 4


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_guessing_numbers_makes_the_address_solve_challenges_not_the_owner(client, rect):
    # Unknown numbers count against the address (each number only once).
    for n in ("ZG-0000001", "ZG-0000002", "ZG-0000003"):
        assert post(client, n, PHONE[-4:], A).status_code == 404
    before = snapshot(rect)
    r = post(client, rect.number, PHONE[-4:], A)
    assert r.status_code == 403 and snapshot(rect) == before
    # The same right pair from another address is not affected.
    r = post(client, rect.number, PHONE[-4:], B)
    assert r.status_code == 200
    assert snapshot(rect)[0] == RectState.CLOSED


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_api_answers_the_same_for_unknown_and_wrong_then_asks_for_a_challenge(client, rect):
    def call(number, tail, ip=A):
        return client.post(
            API,
            {"number": number, "phone_tail": tail, "level": 5},
            content_type="application/json",
            REMOTE_ADDR=ip,
        )

    unknown, wrong = call("ZG-9999999", "1234"), call(rect.number, "1234")
    assert unknown.status_code == wrong.status_code == 404
    assert unknown.json() == wrong.json() and wrong.json()["code"] == "no_match"
    assert call(rect.number, "4321").status_code == 404  # third failure of address A
    before = snapshot(rect)
    r = call(rect.number, PHONE[-4:], ip=B)  # number: 2 failures, no challenge yet
    assert r.status_code == 200 and r.json()["state"] == RectState.CLOSED
    assert snapshot(rect) != before
    # Address A now solves a picture before any pair is checked.
    r = call("ZG-1234567", "0000")
    assert r.status_code == 403
    body = r.json()
    assert (
        body["code"] == "captcha_required" and body["challenge_url"] == "/api/v1/public/challenge"
    )


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_follow_up_counts_apart_from_the_status_lookup(client, rect):
    for i in range(3):
        post(client, rect.number, f"200{i}", A)
    ip_key, number_key = keys_for(ip=A, number=rect.number, limit=FOLLOW_UP)
    rows = dict(LookupThrottle.objects.values_list("key", "failures"))
    # The number is stored hashed, and the status lookup's own keys are untouched.
    assert rows == {ip_key: 3, number_key: 3}
    assert rect.number not in number_key
    r = client.get(
        f"/api/v1/public/cases/{rect.case.number}", {"phone_tail": PHONE[-4:]}, REMOTE_ADDR=A
    )
    assert r.status_code == 200


@pytest.mark.django_db
@override_settings(**LIMITS)
def test_a_missing_tail_is_asked_for_and_not_counted(client, rect):
    r = post(client, rect.number, "", A)
    assert r.status_code == 422 and "后四位" in r.content.decode()
    assert not LookupThrottle.objects.exists()
