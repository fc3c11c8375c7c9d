import datetime as dt

import pytest

from bianmin.common.errors import Conflict, ValidationFailed
from bianmin.ratings.models import Rating, RectState
from bianmin.ratings.services import rating_submit

from .helpers import PHONE, accept, at, concluded_case, register, township_item


def test_rating_only_after_conclusion(county):
    v = township_item(county)
    case = register(county, v, day=dt.date(2025, 3, 3))
    with pytest.raises(Conflict) as exc:
        rating_submit(case=case, level=5)
    assert exc.value.code == "not_concluded"
    case = accept(case, county.t1_staff, day=dt.date(2025, 3, 3))
    with pytest.raises(Conflict):
        rating_submit(case=case, level=5)
    assert not Rating.objects.exists()


def test_once_per_case_per_channel_and_edit_window(county):
    day = dt.date(2025, 3, 3)
    case = concluded_case(county, day=day)
    with at(day):
        online = rating_submit(case=case, level=4, comment="不错", channel="online")
        onsite = rating_submit(case=case, level=5, channel="onsite")
    assert online.pk != onsite.pk
    assert online.unit == county.tc1 and online.staff_user == county.t1_staff.user
    # Within the window a second submission in the same channel changes the rating.
    with at(day + dt.timedelta(days=7)):
        again = rating_submit(case=case, level=3, comment="一般", channel="online")
    assert again.pk == online.pk
    online.refresh_from_db()
    assert (online.level, online.comment, online.edit_count) == (3, "一般", 1)
    assert Rating.objects.filter(case=case).count() == 2
    # After it, refused, and the stored rating is unchanged.
    with at(day + dt.timedelta(days=8)), pytest.raises(Conflict) as exc:
        rating_submit(case=case, level=1, channel="online")
    assert exc.value.code == "rating_window_closed"
    online.refresh_from_db()
    assert online.level == 3


def test_levels_channels_indicators_are_checked(county):
    case = concluded_case(county)
    for bad in (0, 6, "x"):
        with pytest.raises(ValidationFailed) as exc:
            rating_submit(case=case, level=bad)
        assert exc.value.field == "level"
    with pytest.raises(ValidationFailed) as exc:
        rating_submit(case=case, level=5, channel="phone")
    assert exc.value.field == "channel"
    with pytest.raises(ValidationFailed) as exc:
        rating_submit(case=case, level=5, channel="onsite", indicators={"ease_of_use": 5})
    assert exc.value.field == "indicators"
    r = rating_submit(case=case, level=5, channel="onsite", indicators={"attitude": 4, "skill": 5})
    assert r.indicators == {"attitude": 4, "skill": 5}


def test_phone_tail_is_checked_and_makes_the_rating_named(county):
    case = concluded_case(county)
    with pytest.raises(ValidationFailed) as exc:
        rating_submit(case=case, level=2, phone_tail="0000")
    assert exc.value.field == "phone_tail"
    assert not Rating.objects.exists()
    r = rating_submit(case=case, level=2, phone_tail=PHONE[-4:])
    assert r.named is True
    anon = rating_submit(case=case, level=5, channel="onsite")
    assert anon.named is False


def test_bad_rating_opens_rectification_and_good_edit_withdraws_it(county):
    case = concluded_case(county)
    r = rating_submit(case=case, level=1, phone_tail=PHONE[-4:])
    rect = r.rectification
    assert rect.state == RectState.OPEN and rect.unit == county.tc1
    assert rect.callback_due > rect.opened_on
    r = rating_submit(case=case, level=4, phone_tail=PHONE[-4:])
    rect.refresh_from_db()
    assert rect.state == RectState.WITHDRAWN
    assert [e.action for e in rect.events.all()] == ["open", "withdraw"]
    good = rating_submit(case=case, level=5, channel="onsite")
    assert not hasattr(good, "rectification") or good.rectification is None
