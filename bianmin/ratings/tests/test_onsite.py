"""The on-site rating pad (评价器): handed over by the staff of the delivering unit, locked to one
case, one rating per case on site, counted apart from online ratings."""

import datetime as dt

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from bianmin.common.errors import Conflict, PermissionDenied
from bianmin.ratings.models import Rating, RatingChannel, RectState
from bianmin.ratings.selectors import (
    onsite_rating_open,
    rating_stats,
    satisfaction_by_channel,
)
from bianmin.ratings.services import rating_submit
from bianmin.reports.figures import monthly_figures, public_figures

from .helpers import PHONE, at, concluded_case, register, township_item

ID = "11010519491231002X"


def url(case, done: bool = False) -> str:
    return f"/ratings/onsite/{case.number}/" + ("done/" if done else "")


@pytest.fixture
def proxied(county):
    """A case the village agent of 汉王村 took in, concluded by the township: rateable."""
    return concluded_case(county, proxy=True)


def test_pad_shows_the_item_and_unit_and_nothing_personal(county, client, proxied):
    client.force_login(county.a11.user)
    r = client.get(url(proxied))
    assert r.status_code == 200
    html = r.content.decode()
    assert "临时救助审批" in html and "汉王村便民服务站" in html
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert f"<span>{label}</span>" in html
    for indicator in ("办事效率", "业务水平", "服务态度"):
        assert indicator in html
    assert 'name="csrfmiddlewaretoken"' in html
    # Nothing personal and no staff navigation on the device the applicant holds.
    for private in ("张三", PHONE, PHONE[-4:], ID, ID[-4:], proxied.number):
        assert private not in html
    assert "工作台" not in html and "退出" not in html and "/accounts/logout/" not in html
    # Faces are drawn inline: nothing is fetched from anywhere.
    assert "<symbol" in html and "<img" not in html and "<link" not in html
    assert 'src="' not in html


def test_rating_once_on_site_named_and_handed_over_by_the_staff(county, client, proxied):
    assert onsite_rating_open(proxied)
    client.force_login(county.a11.user)
    r = client.post(
        url(proxied),
        {"level": "5", "ind_attitude": "4", "ind_skill": "", "comment": "  代办员很耐心 "},
    )
    assert r.status_code == 302 and r["Location"] == url(proxied, done=True)
    rating = Rating.objects.get(case=proxied)
    assert rating.channel == RatingChannel.ONSITE and rating.level == 5
    assert rating.indicators == {"attitude": 4} and rating.comment == "代办员很耐心"
    assert rating.named is True and rating.rated_by == county.a11.user
    # The rated people stay the unit and the first responder, not the one handing over.
    assert rating.unit == county.tc1 and rating.intake_unit == county.s11
    done = client.get(url(proxied, done=True))
    body = done.content.decode()
    assert done.status_code == 200
    assert "谢谢您的评价，请将设备交还工作人员" in body
    assert f'href="/cases/{proxied.number}/"' in body and "工作人员" in body
    assert "回访" not in body
    assert not onsite_rating_open(proxied)
    # A second on-site rating is refused with a clear message, on the page and by the service.
    again = client.get(url(proxied))
    assert again.status_code == 200 and 'name="level"' not in again.content.decode()
    assert "每件办件只能现场评价一次" in again.content.decode()
    posted = client.post(url(proxied), {"level": "1"})
    assert posted.status_code == 409 and "只能现场评价一次" in posted.content.decode()
    with pytest.raises(Conflict) as exc:
        rating_submit(case=proxied, level=1, channel="onsite", actor=county.a11.user)
    assert exc.value.code == "already_rated"
    rating.refresh_from_db()
    assert rating.level == 5 and Rating.objects.filter(case=proxied).count() == 1


def test_online_rating_is_a_separate_channel(county, client, proxied):
    online = rating_submit(case=proxied, level=3, channel="online", phone_tail=PHONE[-4:])
    assert onsite_rating_open(proxied)
    client.force_login(county.t1_staff.user)  # the township may act for its stations
    assert client.post(url(proxied), {"level": "4"}).status_code == 302
    assert not onsite_rating_open(proxied)
    onsite = Rating.objects.get(case=proxied, channel="onsite")
    assert onsite.pk != online.pk and onsite.rated_by == county.t1_staff.user
    # The online rating can still be changed within its window; on site cannot.
    assert rating_submit(case=proxied, level=4, channel="online").pk == online.pk


def test_bad_rating_opens_a_named_rectification(county, client, proxied):
    client.force_login(county.a11.user)
    r = client.post(url(proxied), {"level": "1", "ind_attitude": "1", "comment": "态度差"})
    assert r.status_code == 302
    rating = Rating.objects.get(case=proxied, channel="onsite")
    rect = rating.rectification
    assert rect.state == RectState.OPEN and rect.unit == county.tc1
    assert rect.callback_due > rect.opened_on
    assert rect.events.get().data["named"] is True
    body = client.get(url(proxied, done=True)).content.decode()
    assert "1个工作日内" in body and "回访" in body


def test_only_staff_acting_for_the_intake_unit(county, client, proxied):
    # Another village of the same township, another township, a county department.
    for staff in (county.a12, county.t2_staff, county.civil):
        client.force_login(staff.user)
        assert client.get(url(proxied)).status_code == 403, staff.user.username
        assert client.post(url(proxied), {"level": "1"}).status_code == 403
        assert client.get(url(proxied, done=True)).status_code == 403
        assert not onsite_rating_open(proxied, viewer=staff.user)
    assert onsite_rating_open(proxied, viewer=county.a11.user)
    assert onsite_rating_open(proxied, viewer=county.t1_staff.user)
    # The service checks it too, whatever page calls it.
    with pytest.raises(PermissionDenied):
        rating_submit(case=proxied, level=1, channel="onsite", actor=county.t2_staff.user)
    assert not Rating.objects.exists()
    client.force_login(county.a11.user)
    assert client.get("/ratings/onsite/NO-SUCH-CASE/").status_code == 404


def test_only_once_the_case_has_a_result(county, client):
    case = register(county, township_item(county), day=timezone.localdate(), proxy=True)
    assert not onsite_rating_open(case)
    client.force_login(county.a11.user)
    r = client.get(url(case))
    assert r.status_code == 200 and "办件有办理结果后才能现场评价" in r.content.decode()
    assert 'name="level"' not in r.content.decode()
    assert client.post(url(case), {"level": "5"}).status_code == 409
    assert not Rating.objects.exists()
    # The thank-you page is only for a case rated on site.
    assert client.get(url(case, done=True))["Location"] == url(case)


def test_missing_or_invalid_level_is_asked_again(county, client, proxied):
    client.force_login(county.a11.user)
    r = client.post(url(proxied), {"comment": "好", "ind_skill": "5"})
    html = r.content.decode()
    assert r.status_code == 422 and "请先选择一个表情" in html
    # What was chosen is kept.
    assert 'id="ind-skill-5" value="5" checked' in html and ">好</textarea>" in html
    r = client.post(url(proxied), {"level": "9"})
    assert r.status_code == 422 and "评价等级须为 1 至 5" in r.content.decode()
    r = client.post(url(proxied), {"level": "5", "ind_ease_of_use": "5"})
    assert r.status_code == 302  # an online-only indicator name is not read on site
    assert Rating.objects.get().indicators == {}


def test_login_and_csrf_are_required(county, proxied):
    anonymous = Client()
    r = anonymous.get(url(proxied))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(county.a11.user)
    assert strict.post(url(proxied), {"level": "5"}).status_code == 403
    assert not Rating.objects.exists()


def test_figures_split_by_channel(county, client):
    day = dt.date(2025, 3, 3)
    v = township_item(county)
    a = concluded_case(county, v, day=day, proxy=True)
    b = concluded_case(county, v, day=day, proxy=True)
    c = concluded_case(county, v, day=day)
    with at(day):
        rating_submit(case=a, level=5, channel="onsite", actor=county.a11.user)
        rating_submit(case=b, level=2, channel="onsite", actor=county.a11.user)
        rating_submit(case=a, level=4, channel="online")
        rating_submit(case=c, level=1, channel="online")
    # Ratings statistics (staff page, Excel and API read `rating_stats`).
    [unit] = rating_stats(viewer=county.t1_head.user)
    assert (unit.total, unit.good, unit.bad) == (4, 2, 2)
    onsite, online = unit.by_channel["onsite"], unit.by_channel["online"]
    assert (onsite.total, onsite.good, onsite.bad, onsite.good_rate) == (2, 1, 1, 50.0)
    assert (online.total, online.good, online.bad, online.good_rate) == (2, 1, 1, 50.0)
    assert unit.as_dict()["by_channel"]["onsite"]["total"] == 2
    client.force_login(county.t1_head.user)
    page = client.get("/ratings/stats/").content.decode()
    assert "现场评价数" in page and "网上好评率(%)" in page
    # The monthly report and the public statistics read the same split.
    figures = monthly_figures(county.tc1, day)
    assert figures["satisfaction"] == {"ratings": 4, "good": 2, "bad": 2, "good_rate": 50.0}
    assert figures["satisfaction_by_channel"]["onsite"] == {
        "ratings": 2,
        "good": 1,
        "bad": 1,
        "good_rate": 50.0,
    }
    month = public_figures(county.tc1, [day.replace(day=1)])["months"][0]
    assert (month["ratings"], month["ratings_onsite"], month["ratings_online"]) == (4, 2, 2)
    assert (month["satisfaction_onsite"], month["satisfaction_online"]) == (50.0, 50.0)
    split = satisfaction_by_channel(
        cases_q=Q(case__intake_unit=county.s11),
        start=dt.datetime(2025, 3, 1, tzinfo=dt.UTC),
        end=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    assert split["all"]["ratings"] == 3 and split["onsite"]["ratings"] == 2
