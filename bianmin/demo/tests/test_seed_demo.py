"""`bianmin seed-demo` builds a realistic, valid and reproducible demo county."""

import json
import os
import subprocess
import sys
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.http import HttpRequest

from bianmin.catalog.models import Fee, ItemVersion, LifeEvent
from bianmin.demo.builder import DEMO_PASSWORD, plan_regions
from bianmin.demo.places import TOWNSHIPS
from bianmin.orgs.models import Region, RoleCode, Staff, Unit, UnitKind, township_kind
from bianmin.orgs.scope import scope_for

MAIN_ACCOUNTS = ["admin", "supervisor", "c-window", "d01-staff", "d01-head", "t01-staff",
                 "t01-head", "v0101-agent"]  # fmt: skip


# These two run first (collection order) on an empty database, before the shared demo loads.


@pytest.mark.django_db
def test_other_scales_are_refused_with_a_clear_message():
    with pytest.raises(CommandError, match="--scale county"):
        call_command("seed_demo", "--scale", "province", stdout=StringIO())
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_demo_accounts_on_an_empty_database_says_what_to_do():
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    assert "seed-demo" in out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo county, seeded once for this module and rolled back after it.

    Seeding takes several seconds, so the tests share one run; each test still runs in its own
    savepoint (the `db` fixture), so none sees another's writes.
    """
    with django_db_blocker.unblock():
        block = transaction.atomic()
        block.__enter__()
        try:
            out = StringIO()
            call_command("seed_demo", stdout=out)
            yield out.getvalue()
        finally:
            transaction.set_rollback(True)
            block.__exit__(None, None, None)


@pytest.mark.slow
def test_counts_are_in_the_stated_ranges(demo, db):
    assert Region.objects.filter(level="county").get().code == "610702000000"
    assert 12 <= Region.objects.filter(level="township").count() <= 16
    assert 180 <= Region.objects.filter(level="village").count() <= 220
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).count() >= 15
    assert Unit.objects.filter(kind=UnitKind.COUNTY_CENTRE).get().name == "汉台区政务服务中心"
    published = ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED)
    assert published.filter(village_proxy=True).count() >= 120
    assert published.filter(village_proxy=False).count() >= 300
    # Every village has exactly one station and every township one centre.
    assert Unit.objects.filter(kind=UnitKind.VILLAGE_STATION).count() == (
        Region.objects.filter(level="village").count()
    )
    assert Unit.objects.filter(kind=UnitKind.TOWNSHIP_CENTRE).count() == (
        Region.objects.filter(level="township").count()
    )
    assert "事项 items: " in demo


@pytest.mark.slow
def test_every_region_code_is_valid_and_in_its_range(demo, db):
    names = set()
    for region in Region.objects.select_related("parent"):
        region.clean()
        suffix = region.code[6:]
        if region.level == "township":
            assert suffix.endswith("000")
            assert region.name.endswith(township_kind(suffix[:3]))
        elif region.level == "village":
            n = int(suffix[3:])
            if region.name.endswith("社区"):
                assert 1 <= n <= 199, region
            else:
                assert region.name.endswith("村") and 200 <= n <= 399, region
            assert region.parent.code[:9] == region.code[:9]
        names.add(region.name)
    # Real-looking names, never repeated inside the county.
    assert len(names) == Region.objects.count()
    kinds = {township_kind(r.code[6:9]) for r in Region.objects.filter(level="township")}
    assert kinds == {"街道", "镇", "乡"}


@pytest.mark.slow
def test_units_have_contacts_and_windows(demo, db):
    for unit in Unit.objects.exclude(kind=UnitKind.WINDOW):
        unit.full_clean()
        assert unit.phone and unit.address and unit.office_hours, unit
    centre = Unit.objects.get(kind=UnitKind.COUNTY_CENTRE)
    window_types = set(
        centre.children.filter(kind=UnitKind.WINDOW).values_list("window_type", flat=True)
    )
    assert window_types == {"resident", "general", "branch"}
    for tc in Unit.objects.filter(kind=UnitKind.TOWNSHIP_CENTRE):
        assert tc.name.endswith("便民服务中心")
        assert tc.children.filter(kind=UnitKind.WINDOW).exists()
        assert tc.children.filter(kind=UnitKind.VILLAGE_STATION).count() >= 4
    departments = set(
        Unit.objects.filter(kind=UnitKind.DEPARTMENT).values_list("short_name", flat=True)
    )
    for name in ["区民政局", "区人社局", "区自然资源局", "区农业农村局", "公安汉台分局", "区卫健局",
                 "区医保局", "区市场监管局", "区住建局", "区林业局", "区残联", "区税务局", "区司法局",
                 "区退役军人事务局", "区交通运输局"]:  # fmt: skip
        assert name in departments


@pytest.mark.slow
def test_catalog_versions_obey_the_rules(demo, db):
    versions = list(
        ItemVersion.objects.filter(status=ItemVersion.Status.PUBLISHED)
        .select_related("county_window")
        .prefetch_related("materials", "fees", "steps", "joint_units")
    )
    classes = Counter(v.case_class for v in versions)
    assert set(classes) == {"immediate", "promised", "joint", "escalated", "reply"}
    assert min(classes.values()) >= 10
    assert {v.item_type for v in versions} >= {"01", "05", "07", "20"}
    deferrable = pledgeable = charged = windowed = 0
    for v in versions:
        v.full_clean(exclude=["item", "number"])
        assert v.item.published_version_id == v.pk
        assert v.promised_limit <= v.statutory_limit, v
        if v.case_class == "immediate":
            assert v.promised_limit == 0, v
        if v.case_class == "joint":
            assert 1 <= v.joint_units.count() <= 3, v
            assert v.implementing_unit not in v.joint_units.all()
        # RULES.md "The route": a village accepts only what the village decides; a county item
        # is accepted at the township (受理关口前移) or the county, sent by a township to the
        # county window when the item names one.
        if v.accept_tier == "village":
            assert v.decide_tier == "village" and v.village_proxy, v
        if v.county_window_id:
            assert v.county_window.name == "综合受理1号窗口" and v.decide_tier == "county", v
            windowed += 1
        assert len(v.basic_code) == 12 and len(v.implementation_code) <= 36
        assert v.legal_basis.startswith("《") and v.service_objects and v.contact_phone
        assert all(e in LifeEvent.values for e in v.life_events)
        materials = list(v.materials.all())
        assert 2 <= len(materials) <= 6, v
        deferrable += any(m.deferrable for m in materials)
        pledgeable += any(m.pledgeable for m in materials)
        if any(m.pledgeable for m in materials):
            assert v.pledge_allowed and not v.high_risk
        steps = list(v.steps.all())
        assert steps[0].tier == v.accept_tier and steps[-1].tier == v.decide_tier
        assert sum(s.limit_days for s in steps) <= v.promised_limit, v
        charged += any(f.amount > 0 for f in v.fees.all())
    assert deferrable > 100 and pledgeable > 20
    assert windowed > 20
    assert 0 < charged < len(versions) // 10  # mostly free, a few real fees
    assert not Fee.objects.filter(name__contains="代办").exists()
    names = [v.name for v in versions]
    assert len(names) == len(set(names))
    for service in ["土地登记变更", "农村宅基地审批", "出生登记", "户口迁移", "城乡居民基本医疗保险参保登记",
                    "城乡居民基本养老保险参保登记", "五保户", "最低生活保障", "大病医疗救助", "残疾证",
                    "老年证", "粮食直补", "农机补贴", "个体工商户登记", "林木采伐许可", "建房审批",
                    "居住证明", "收入证明", "亲属关系证明"]:  # fmt: skip
        assert any(service in n for n in names), service


@pytest.mark.slow
def test_accounts_log_in_with_the_demo_password(demo, db, client):
    usernames = MAIN_ACCOUNTS + ["d15-staff", "t12-head", "v1201-agent"]
    for username in usernames:
        assert client.login(request=HttpRequest(), username=username, password=DEMO_PASSWORD), (
            username
        )
        client.logout()
    assert not client.login(request=HttpRequest(), username="admin", password="wrong-password")


@pytest.mark.slow
def test_every_unit_is_staffed_with_the_right_roles(demo, db):
    User = get_user_model()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.staff.roles == [RoleCode.ADMINISTRATOR]
    assert admin.staff.unit.kind == UnitKind.COUNTY_CENTRE
    assert Staff.objects.get(user__username="supervisor").roles == [RoleCode.SUPERVISOR]
    staffed = set(Staff.objects.values_list("unit_id", flat=True))
    for unit in Unit.objects.exclude(kind=UnitKind.WINDOW):
        assert unit.pk in staffed, unit
    townships = Region.objects.filter(level="township").order_by("code")
    for t, township in enumerate(townships, start=1):
        staff = Staff.objects.get(user__username=f"t{t:02d}-staff")
        head = Staff.objects.get(user__username=f"t{t:02d}-head")
        assert staff.unit.region == township and head.unit == staff.unit
        assert staff.backup == head and head.backup == staff  # AB岗
        assert set(staff.roles) == {RoleCode.WINDOW_STAFF, RoleCode.APPROVER}
        assert RoleCode.HEAD in head.roles
        villages = township.children.order_by("code")
        agent = Staff.objects.get(user__username=f"v{t:02d}{len(villages):02d}-agent")
        assert agent.unit.region == villages.last() and agent.roles == [RoleCode.AGENT]
    d01 = Staff.objects.get(user__username="d01-staff")
    assert set(d01.roles) == {RoleCode.APPROVER, RoleCode.CHIEF_REPRESENTATIVE}
    for s in Staff.objects.all():
        assert len(s.full_name) in (2, 3, 4) and s.phone and s.title
        s.full_clean()


@pytest.mark.slow
def test_village_agent_scope_is_its_own_village(demo, db):
    agent = Staff.objects.get(user__username="v0101-agent")
    scope = scope_for(agent.user)
    assert scope.kind == "village"
    first_township = Region.objects.filter(level="township").order_by("code").first()
    own, other = first_township.children.order_by("code")[:2]
    assert scope.can_see_region(own.code) and not scope.can_see_region(other.code)


@pytest.mark.slow
def test_same_seed_gives_the_same_county_in_another_process(demo, db):
    """The stored county equals what a fresh interpreter (other hash seed) plans for seed 2026."""
    code = (
        "import json, django; django.setup();"
        "from bianmin.demo.builder import plan_regions;"
        "from bianmin.demo.catalog_build import expanded_items;"
        "print(json.dumps([plan_regions(2026), [n for *_x, n in expanded_items()]]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bianmin.settings", "PYTHONHASHSEED": "random"}
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    plan, item_names = json.loads(out)
    stored = {r.code: r.name for r in Region.objects.exclude(level="county")}
    planned = {}
    for tcode, tname, villages in plan:
        planned[tcode] = tname
        planned.update(dict(villages))
    assert stored == planned
    assert sorted(item_names) == sorted(
        ItemVersion.objects.filter(status="published").values_list("name", flat=True)
    )
    # A different seed gives a different county, with the same township skeleton.
    other = json.loads(json.dumps(plan_regions(7)))
    assert [t[:2] for t in other] == [t[:2] for t in plan]
    assert [t[2] for t in other] != [t[2] for t in plan]
    assert len(plan) == len(TOWNSHIPS)


@pytest.mark.slow
def test_if_empty_does_nothing_on_a_non_empty_database(demo, db):
    counts = (Region.objects.count(), Unit.objects.count(), ItemVersion.objects.count())
    out = StringIO()
    call_command("seed_demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue()
    assert (Region.objects.count(), Unit.objects.count(), ItemVersion.objects.count()) == counts
    with pytest.raises(CommandError, match="空数据库"):
        call_command("seed_demo", stdout=StringIO())


@pytest.mark.slow
def test_demo_accounts_prints_the_main_accounts(demo, db):
    out = StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    assert DEMO_PASSWORD in text and "Username" in text and "用户名" in text
    for username in MAIN_ACCOUNTS:
        assert username in text
    t01 = Staff.objects.get(user__username="t01-staff")
    line = next(line for line in text.splitlines() if line.startswith("t01-staff"))
    assert t01.full_name in line and t01.unit.name in line and "window staff" in line


@pytest.mark.slow
def test_training_sessions_of_a_year_with_some_organisers_short(demo, db):
    """RULES.md "Training": last year (a whole year whatever today is) the approval bureau met its
    duty and some delegating departments fell short; every session was held, for township and
    village staff."""
    import datetime as dt

    from django.utils import timezone

    from bianmin.staffing.models import TrainingSession
    from bianmin.staffing.selectors import training_duties

    admin = get_user_model().objects.get(username="admin")
    today = timezone.localdate()
    duties = training_duties(viewer=admin, year=today.year - 1)
    bureau = [d for d in duties if d.kind == "approval_bureau"]
    departments = [d for d in duties if d.kind == "delegating_department"]
    assert len(bureau) == 1 and bureau[0].held >= bureau[0].required == 2
    assert len(departments) >= 8
    assert any(d.short for d in departments) and any(not d.short for d in departments)
    sessions = TrainingSession.objects.filter(date__gte=dt.date(today.year - 1, 1, 1))
    assert not sessions.filter(date__gt=today).exists()
    halls = Counter()
    for s in sessions.prefetch_related("rows__staff__unit"):
        assert s.rows.exists(), s
        for r in s.rows.all():
            halls[r.staff.unit.kind] += 1
    assert set(halls) <= {UnitKind.TOWNSHIP_CENTRE, UnitKind.VILLAGE_STATION, UnitKind.WINDOW}
    assert halls[UnitKind.VILLAGE_STATION] > 0 and halls[UnitKind.TOWNSHIP_CENTRE] > 0


def test_demo_ships_escalation_rules_and_ran_the_daily_jobs_once(demo, db, settings):
    """A fresh demo is supervised from its first page load (issue 14)."""
    from bianmin.supervision.models import DailyJobRun, OversightRule

    rules = OversightRule.objects.filter(is_active=True, item=None, case_state="", clock="")
    assert sorted(rules.values_list("days_over", "action")) == [
        (3, "notify_higher"),
        (10, "supervisor_queue"),
    ]
    assert "每日任务 / daily jobs" in demo
    ran = DailyJobRun.objects.filter(finished_at__isnull=False, error="")
    assert sorted(ran.values_list("job", flat=True)) == sorted(settings.BIANMIN_DAILY_JOBS)
