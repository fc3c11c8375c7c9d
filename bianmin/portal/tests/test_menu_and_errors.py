"""The staff home's menu and workbench, the error pages, the subsidy form and the staff admin.

The menu must reach every page a person may use and show nothing they may not: every link it
shows answers 200 for that person. Each workbench counter equals the length of the list it links
to. Error pages are Chinese and say what to do next; the API keeps JSON errors.
"""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from bianmin.cases.selectors import LIST_QUEUES, case_list
from bianmin.cases.tests.conftest import items  # noqa: F401  (fixture)
from bianmin.cases.tests.helpers import promised_at
from bianmin.portal import errors
from bianmin.portal.workbench import workbench

pytestmark = pytest.mark.django_db

MENU = re.compile(r'id="menu-title".*?</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')
COUNTER = re.compile(r'class="counter-(\w+)" href="([^"]+)"><span class="count">(\d+)')


def _client(staff) -> Client:
    client = Client()
    client.force_login(staff.user)
    return client


def _menu(client) -> dict[str, list[str]]:
    """{label: [urls]} of the staff home's menu."""
    body = client.get(reverse("portal:staff_home")).content.decode()
    out: dict[str, list[str]] = {}
    for url, label in LINK.findall(MENU.search(body).group(0)):
        out.setdefault(label, []).append(url.replace("&amp;", "&"))
    return out


@pytest.mark.parametrize(
    "who",
    ["a11", "t1_staff", "t1_head", "civil", "civil_head", "centre_staff", "supervisor", "admin"],
)
def test_every_menu_link_opens_for_its_person(county, who):
    client = _client(getattr(county, who))
    menu = _menu(client)
    assert menu
    refused = {
        url: r.status_code
        for urls in menu.values()
        for url in urls
        if (r := client.get(url)).status_code != 200
    }
    assert refused == {}


def test_the_agent_sees_errands_and_its_village_but_not_the_township_ledger(county):
    menu = _menu(_client(county.a11))
    assert menu["便民服务（代缴代领代购）"] == [reverse("cases:errand_list")]
    assert menu["调解"] == [reverse("affairs:mediation", args=[county.v11.code])]
    # 三资 is kept by the township in trust: the agent gets no link to it (it would be a 403).
    assert "三资" not in menu
    assert {"代办员补助", "请假审批"}.isdisjoint(menu)


def test_the_township_head_keeps_its_villages_assets_and_the_administrator_the_subsidy(county):
    head = _menu(_client(county.t1_head))
    assert reverse("affairs:trusteeship", args=[county.v11.code]) in head["三资"]
    assert "绩效考核" in head and "请假审批" in head
    assert "代办员补助" not in head
    assert "代办员补助" in _menu(_client(county.admin))
    # A supervisor watches and never takes cases in.
    assert "新建办件" not in _menu(_client(county.supervisor))


def test_subsidy_form_only_for_who_may_allocate(county):
    head = _client(county.t1_head)
    page = head.get(reverse("staffing:subsidies")).content.decode()
    assert 'name="county"' not in page and "补助由县(区)管理员" in page
    # A post without a county is a message, not a 404.
    r = head.post(reverse("staffing:subsidy_new"), {"year": "2026"}, follow=True)
    assert r.status_code == 200 and "请选择要分配补助的县(区)" in r.content.decode()
    page = _client(county.admin).get(reverse("staffing:subsidies")).content.decode()
    assert f'<option value="{county.county.code}">汉台区</option>' in page


def test_workbench_counters_equal_the_lists_they_link_to(county, items):  # noqa: F811
    promised_at(county, items, "submitted")
    promised_at(county, items, "accepted")
    promised_at(county, items, "forwarded")
    client = _client(county.t1_staff)
    body = client.get(reverse("portal:staff_home")).content.decode()
    counters = {code: (url.replace("&amp;", "&"), int(n)) for code, url, n in COUNTER.findall(body)}
    # A township clerk does not receive monthly reports, so has no 待审报表 counter.
    assert set(counters) == {"todo", "due_soon", "overdue", "callback"}
    assert counters["todo"][1] == 3
    for code in ("todo", "due_soon", "overdue"):
        url, count = counters[code]
        assert url == f"{reverse('cases:list')}?queue={code}"
        listed = case_list(viewer=county.t1_staff.user, queue=code, limit=500)
        assert len(listed.items) == count, code
        assert client.get(url).status_code == 200
    # The list page names the 待办 queue it shows.
    assert str(LIST_QUEUES["todo"].label) in client.get(counters["todo"][0]).content.decode()


def test_workbench_counts_rectifications_to_call_back_and_reports_to_review(county):
    counters = {c.code: c for c in workbench(county.supervisor.user, _scope(county.supervisor))}
    assert counters["callback"].url == f"{reverse('ratings:queue')}?state=open"
    assert counters["reports"].url.startswith(f"{reverse('reports:monthly_list')}?month=")
    assert counters["reports"].url.endswith("&state=submitted")


def _scope(staff):
    from bianmin.orgs.scope import scope_for

    return scope_for(staff.user)


# --- error pages ------------------------------------------------------------------------------
def test_not_found_is_chinese_with_next_steps_and_json_for_the_api(client):
    r = client.get("/no-such-page/")
    page = r.content.decode()
    assert r.status_code == 404 and "找不到您要的页面" in page
    assert reverse("portal:index") in page and reverse("portal:login") in page
    r = client.get("/api/v1/no-such-endpoint")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_forbidden_says_why_in_chinese_and_leads_back_to_the_workbench(county):
    r = _client(county.a11).get(reverse("affairs:trusteeship", args=[county.v11.code]))
    page = r.content.decode()
    assert r.status_code == 403
    assert "无权访问此页面" in page and "三资托管账目由乡镇代管" in page
    assert reverse("portal:staff_home") in page and "Forbidden" not in page


def test_csrf_failure_is_a_chinese_page(county):
    client = Client(enforce_csrf_checks=True)
    r = client.post(reverse("portal:login"), {"username": "x", "password": "y"})
    assert r.status_code == 403 and "页面已过期" in r.content.decode()


def test_server_error_page_and_api_json():
    factory = RequestFactory()
    r = errors.server_error(factory.get("/cases/"))
    assert r.status_code == 500 and "系统出错了" in r.content.decode()
    r = errors.server_error(factory.get("/api/v1/cases"))
    assert r.status_code == 500 and b'"code": "server_error"' in r.content


# --- admin ------------------------------------------------------------------------------------
def _superuser(county) -> Client:
    """The county's administrator as the demo has it: also a Django superuser."""
    county.admin.user.is_superuser = True
    county.admin.user.save(update_fields=["is_superuser"])
    return _client(county.admin)


def test_admin_edits_roles_as_checkboxes(county):
    client = _superuser(county)
    staff = county.t2_staff
    url = reverse("admin:orgs_staff_change", args=[staff.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="roles" value="head"' in page
    assert "单位负责人" in page and '["' not in page
    r = client.post(
        url,
        {
            "user": staff.user_id,
            "unit": staff.unit_id,
            "full_name": staff.full_name,
            "roles": ["window_staff", "head"],
            "phone": staff.phone,
            "title": "",
            "backup": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    staff.refresh_from_db()
    assert sorted(staff.roles) == ["head", "window_staff"]
    # The admin action log has it, worded as the admin's own history.
    from bianmin.common.admin_log import change_text
    from bianmin.common.models import AdminAction

    row = AdminAction.objects.filter(object_type="orgs.staff", object_id=str(staff.pk)).first()
    assert row.action == "change" and row.actor == county.admin.user
    assert "角色" in change_text(row)


def test_admin_third_party_apps_speak_chinese(county):
    client = _superuser(county)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录安全" in index and "后台任务" in index
    assert "Access attempts" not in index and "Task Results" not in index
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Select an option" not in page and "Filter by" not in page


def test_a_supervisor_lands_on_the_dashboard_and_others_on_the_workbench(county):
    for staff, home in ((county.supervisor, "supervision:dashboard"), (county.t1_staff, "portal:staff_home")):  # fmt: skip
        staff.user.set_password("pw-for-the-test-1")
        staff.user.save()
        r = Client().post(
            reverse("portal:login"),
            {"username": staff.user.username, "password": "pw-for-the-test-1"},
        )
        assert r.status_code == 302 and r["Location"] == reverse(home), staff
