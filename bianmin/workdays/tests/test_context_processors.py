import datetime as dt

import pytest
from django.urls import reverse

from bianmin.workdays import services

D = dt.date.fromisoformat
TODAY = "bianmin.workdays.context_processors.today"


@pytest.fixture
def on(monkeypatch):
    return lambda day: monkeypatch.setattr(TODAY, lambda: D(day))


def home(client, user):
    client.force_login(user)
    r = client.get(reverse("portal:staff_home"))
    assert r.status_code == 200
    return r


def test_administrator_warned_when_current_year_missing(client, county, on):
    on("2027-03-01")
    r = home(client, county.admin.user)
    assert r.context["calendar_warning"].startswith("2027 年的节假日安排尚未录入")
    assert 'role="alert">2027 年的节假日安排尚未录入' in r.content.decode()


def test_village_agent_not_warned(client, county, on):
    on("2027-03-01")
    r = home(client, county.a11.user)
    assert "calendar_warning" not in r.context
    assert "节假日安排尚未录入" not in r.content.decode()


def test_next_year_watched_from_october(client, county, on):
    on("2026-09-30")
    assert "calendar_warning" not in home(client, county.admin.user).context
    on("2026-10-01")
    assert "2027 年" in home(client, county.admin.user).context["calendar_warning"]


def test_warning_goes_once_the_year_is_entered(
    client, county, on, django_capture_on_commit_callbacks
):
    on("2027-03-01")
    with django_capture_on_commit_callbacks(execute=True):
        services.calendar_year_enter(
            actor=county.admin.user,
            year=2027,
            holidays=[(D("2027-01-01"), "元旦")],
            workdays=[],
            confirmed=True,
        )
    assert "calendar_warning" not in home(client, county.admin.user).context
    on("2027-10-08")
    assert home(client, county.admin.user).context["calendar_warning"].startswith("2028 年")


def test_anonymous_gets_nothing(rf, db):
    from django.contrib.auth.models import AnonymousUser

    from bianmin.workdays.context_processors import calendar_warnings

    request = rf.get("/")
    request.user = AnonymousUser()
    assert calendar_warnings(request) == {}


def test_banner_leads_the_administrator_to_the_entry_form(client, county, on):
    on("2026-12-03")  # 2027 still provisional in December
    html = home(client, county.admin.user).content.decode()
    link = '<a href="/admin/workdays/calendaryear/enter/?year=2027">去录入</a>'
    assert "2027 年的节假日安排尚未录入" in html and link in html
    page = client.get("/admin/workdays/calendaryear/enter/?year=2027")
    assert page.status_code == 200 and page.context["form"].initial["year"] == 2027
