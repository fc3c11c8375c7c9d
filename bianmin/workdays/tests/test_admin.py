import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from bianmin.orgs import services as org
from bianmin.orgs.models import RoleCode
from bianmin.workdays import calendar, services
from bianmin.workdays.models import CalendarDay, CalendarYear

D = dt.date.fromisoformat
ENTER = reverse("admin:workdays_calendaryear_enter")

GOOD = {
    "year": "2027",
    "holidays": "2027-01-01~2027-01-03 元旦\n\n2027-02-06～2027-02-12 春节\n# comment\n"
    "2027-04-05 清明节\n2027-05-01~2027-05-05 劳动节\n2027-06-09 端午节\n2027-09-15 中秋节\n"
    "2027-10-01 国庆节",
    "workdays": "2027-02-14 春节调休\n2027-02-20 春节调休",
    "note": "国办发明电〔2026〕9号",
}


@pytest.fixture
def admin_client(client, county):
    client.force_login(county.admin.user)
    return client


def test_administrator_enters_a_year(
    admin_client, county, changed_years, django_capture_on_commit_callbacks
):
    page = admin_client.get(ENTER)
    assert page.status_code == 200
    assert "录入年度放假安排" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(ENTER, GOOD)
    assert r.status_code == 302
    assert r["Location"] == reverse("admin:workdays_calendaryear_changelist")
    entry = CalendarYear.objects.get(year=2027)
    assert (entry.source, entry.entered_by, entry.note) == (
        "manual",
        county.admin.user,
        "国办发明电〔2026〕9号",
    )
    off = set(
        CalendarDay.objects.filter(date__year=2027, is_workday=False).values_list("date", flat=True)
    )
    assert len(off) == 3 + 7 + 1 + 5 + 1 + 1 + 1 and D("2027-02-09") in off
    assert changed_years == [{2027}]
    assert calendar.is_workday(D("2027-02-14")) == (True, False)
    listing = admin_client.get(r["Location"]).content.decode()
    assert "2027" in listing and "放假天数" in listing


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("holidays", "2027-01-01 元旦\n2027-02-30 春节", "第 2 行：“2027-02-30”不是有效日期"),
        ("holidays", "2027-01-01 元旦\n元旦放三天", "第 2 行：无法识别"),
        ("holidays", "2027-02-12~2027-02-06 春节", "第 1 行：结束日期早于开始日期"),
        ("holidays", "2028-01-01 元旦", "第 1 行：日期不属于 2027 年"),
        ("holidays", "2027-01-01 元旦\n2027-01-01 元旦", "与第 1 行重复"),
        ("workdays", "2027-02-15 春节调休", "第 1 行：2027-02-15 是周一至周五"),
        ("holidays", "", "这个字段是必填项"),
    ],
)
def test_bad_line_shows_error_keeps_text_and_saves_nothing(admin_client, field, text, message):
    r = admin_client.post(ENTER, {**GOOD, field: text})
    assert r.status_code == 200
    html = r.content.decode()
    assert message in html
    assert "未保存任何内容" in html
    if text:
        assert text.splitlines()[-1] in html  # what was typed is still there
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()


def test_clash_found_by_the_service_is_shown(admin_client):
    r = admin_client.post(ENTER, {**GOOD, "workdays": "2027-02-06 调休"})
    assert r.status_code == 200
    assert "同一天不能既是假日又是调休工作日" in r.content.decode()
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_existing_year_is_prefilled_for_correction(admin_client):
    html = admin_client.get(ENTER + "?year=2025").content.decode()
    assert "2025-10-01~2025-10-05 国庆节" in html
    assert "2025-09-28 国庆节" in html
    assert "保存将整体替换该年度的安排" in html


def test_new_year_defaults_to_next_year(admin_client):
    form = admin_client.get(ENTER).context["form"]
    assert form.initial["year"] == timezone.localdate().year + 1


def test_superuser_without_profile_may_enter(client, db, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "", "x"))
    assert client.get(ENTER).status_code == 200


def test_village_agent_is_sent_to_login(client, county):
    client.force_login(county.a11.user)
    r = client.get(ENTER)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]
    r = client.post(ENTER, GOOD)
    assert r.status_code == 302
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_staff_without_administrator_role_is_forbidden(client, county):
    clerk = org.staff_create(
        username="clerk",
        password=None,
        full_name="后台职员",
        unit=county.centre,
        roles=[RoleCode.WINDOW_STAFF, RoleCode.SUPERVISOR],
        is_staff=True,
    )
    client.force_login(clerk.user)
    assert client.get(ENTER).status_code == 403
    assert client.post(ENTER, GOOD).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert client.get(reverse("admin:workdays_calendaryear_changelist")).status_code == 403


def test_anonymous_is_sent_to_login(client, db):
    r = client.get(ENTER)
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_rows_cannot_be_edited_around_the_service(admin_client):
    assert admin_client.get(reverse("admin:workdays_calendarday_add")).status_code == 403
    day = CalendarDay.objects.get(date=D("2025-10-01"))
    r = admin_client.post(
        reverse("admin:workdays_calendarday_change", args=[day.pk]),
        {"date": "2025-10-01", "is_workday": "on", "name": "x"},
    )
    assert r.status_code == 403
    day.refresh_from_db()
    assert day.is_workday is False
    r = admin_client.get(reverse("admin:workdays_calendarday_changelist"))
    assert r.status_code == 200


def test_changelist_links_to_entry_and_warns(admin_client, monkeypatch):
    monkeypatch.setattr("bianmin.workdays.context_processors.today", lambda: D("2027-03-01"))
    html = admin_client.get(reverse("admin:workdays_calendaryear_changelist")).content.decode()
    assert ENTER in html and "录入年度放假安排" in html
    assert "2027 年的节假日安排尚未录入" in html


def test_form_round_trips_what_it_shows(db):
    from bianmin.workdays.forms import format_days, parse_days

    days = [(d, n) for d, w, n in services.package_exceptions(2024) if not w]
    assert parse_days(format_days(days), 2024) == sorted(days)


def test_administrator_sees_the_calendar_in_admin_index(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:workdays_calendaryear_changelist") in html


@pytest.mark.parametrize(
    ("changes", "doubt"),
    [
        # The finding of issue 14: a year of three holidays was accepted without a word.
        ({"holidays": "2027-01-01~2027-01-03 元旦"}, "周一至周五共 1 天"),
        ({"workdays": ""}, "没有填写调休上班日"),
        ({"holidays": GOOD["holidays"] + "\n2027-07-05~2027-07-30 暑假"}, "周一至周五共 33 天"),
    ],
)
def test_doubtful_year_asks_for_confirmation_and_saves_only_with_it(
    admin_client, changes, doubt, django_capture_on_commit_callbacks
):
    page = admin_client.get(ENTER).content.decode()
    assert "已核对，按此保存" not in page  # no confirmation before a doubt
    r = admin_client.post(ENTER, {**GOOD, **changes})
    assert r.status_code == 200
    html = r.content.decode()
    assert doubt in html and "未保存任何内容" in html
    assert 'type="checkbox" name="confirm"' in html and "已核对，按此保存" in html
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(ENTER, {**GOOD, **changes, "confirm": "on"})
    assert r.status_code == 302
    assert CalendarYear.objects.filter(year=2027).exists()


def test_saving_a_year_queues_the_recompute_and_says_so(
    admin_client, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(ENTER, GOOD, follow=True)
    assert "暂定期限已安排在后台重新计算" in r.content.decode()
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "bianmin.cases.tasks.deadlines_recompute_task"
    assert queued.status == "READY" and queued.args_kwargs["args"] == [[2027]]
