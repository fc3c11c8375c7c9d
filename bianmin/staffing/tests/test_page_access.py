"""Staffing pages refuse the roles they are not for with 403 and change nothing: generating every
unit's roster, and the agent subsidy plan (county-wide roles only)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from bianmin.staffing.models import AssessmentScheme, DutyDay, RosterMonth
from bianmin.staffing.services.assessment import DEFAULT_SCHEME, assessment_run, subsidy_allocate

pytestmark = pytest.mark.django_db


def _snapshot():
    return RosterMonth.objects.count(), DutyDay.objects.count()


@pytest.mark.parametrize("who", ["a11", "t1_staff", "civil", "supervisor", "centre_staff"])
def test_generate_all_refused_with_403_and_nothing_made(client, county, who):
    client.force_login(getattr(county, who).user)
    r = client.post("/staffing/roster/generate-all/", {"month": "2026-10"})
    assert r.status_code == 403
    assert _snapshot() == (0, 0)


def test_generate_all_refusal_comes_before_the_form_is_read(client, county):
    """A bad month from someone who may not generate is a 403, not a 404 that confirms nothing."""
    client.force_login(county.a11.user)
    assert client.post("/staffing/roster/generate-all/", {"month": "x"}).status_code == 403


def test_generate_all_works_for_a_head(client, county):
    c = county
    client.force_login(c.t1_head.user)
    r = client.post("/staffing/roster/generate-all/", {"month": "2026-10"})
    assert r.status_code == 302 and r["Location"] == "/staffing/roster/?month=2026-10"
    assert set(RosterMonth.objects.values_list("unit_id", flat=True)) == {
        c.tc1.pk,
        c.s11.pk,
        c.s12.pk,
    }
    # Again: every unit has its draft, nothing more is made, and the answer is still a success.
    before = _snapshot()
    assert client.post("/staffing/roster/generate-all/", {"month": "2026-10"}).status_code == 302
    assert _snapshot() == before


@pytest.fixture
def plan(county):
    c = county
    # A scheme that pays even the lowest grade, so agents without cases still get a share.
    AssessmentScheme.objects.create(
        name="测试方案",
        weights=DEFAULT_SCHEME["weights"],
        bands=DEFAULT_SCHEME["bands"],
        grade_factors={g: 1 for g in DEFAULT_SCHEME["grade_factors"]},
        base_points=10,
    )
    assessment_run(actor=c.admin.user, start=dt.date(2026, 9, 1), end=dt.date(2026, 9, 30))
    return subsidy_allocate(actor=c.admin.user, county=c.county, year=2026, budget=Decimal(4000))


@pytest.mark.parametrize("who", ["admin", "supervisor", "centre_staff"])
def test_subsidy_plan_open_to_county_wide_roles(client, county, plan, who):
    client.force_login(getattr(county, who).user)
    body = client.get(f"/staffing/subsidy/{plan.pk}/").content.decode()
    assert "汉王代办员" in body and "花园代办员" in body
    assert f"/staffing/subsidy/{plan.pk}/" in client.get("/staffing/subsidy/").content.decode()
    r = client.get(f"/staffing/subsidy/{plan.pk}/?format=xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert "汉王代办员" in names


@pytest.mark.parametrize("who", ["civil", "civil_head", "land", "t1_staff", "t1_head", "a11"])
def test_subsidy_plan_refused_to_departments_townships_and_agents(client, county, plan, who):
    client.force_login(getattr(county, who).user)
    for url in (f"/staffing/subsidy/{plan.pk}/", f"/staffing/subsidy/{plan.pk}/?format=xlsx"):
        r = client.get(url)
        assert r.status_code == 403, url
        assert "花园代办员".encode() not in r.content
    listing = client.get("/staffing/subsidy/")
    assert listing.status_code == 200
    assert f"/staffing/subsidy/{plan.pk}/" not in listing.content.decode()
