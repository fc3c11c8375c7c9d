"""The report, supervision, rating, case and village-board pages fit a 390 px phone and a 1280 px
screen, and their charts scale to the page and stay readable (issue 14, "charts and layouts that
fit").

On the demo county with a year of cases and a village board holding long, unbroken entries, each
page is opened by the demo account that works with it, at both widths: the page is never wider
than the screen (wide tables scroll in their own box or become cards), and every chart is the
server's SVG (role="img", a Chinese name, a viewBox) as wide as its container, with text no
smaller than 10 px and labels that do not run into each other. A screenshot of each page is kept
under test-artifacts/ for a person to look at.

This is the focused regression test for these pages; the site-wide crawler checks every page the
same way.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from bianmin.affairs import services as affairs
from bianmin.cases.models import Case
from bianmin.demo.builder import DEMO_PASSWORD, build_demo
from bianmin.demo.scale import build_cases
from bianmin.orgs.models import Unit, UnitKind
from bianmin.reports.figures import previous_month
from bianmin.tests_browser.fixtures import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {390: PHONE, 1280: {}}
HAN = re.compile(r"[\u4e00-\u9fff]")

# A journal summary, a contract number and an address as clerks type them: no spaces to break at.
UNBROKEN = "收取2026年度东山坡集体林地承包费第一期ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

# For each chart drawing on screen: its box against the page, the smallest rendered text, and any
# two unrotated labels whose boxes overlap.
CHARTS = """() => [...document.querySelectorAll('figure.chart svg[role=img]')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map(t => [t, t.getBoundingClientRect()])
      .filter(([t, r]) => r.width > 0 && t.textContent.trim());
    const flat = texts.filter(([t]) => !t.closest('[transform]'));
    const clash = [];
    for (let i = 0; i < flat.length; i++) for (let j = i + 1; j < flat.length; j++) {
      const a = flat[i][1], b = flat[j][1];
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        clash.push(flat[i][0].textContent + ' / ' + flat[j][0].textContent);
    }
    return {
      label: svg.getAttribute('aria-label'), viewBox: svg.getAttribute('viewBox'),
      width: box.width, container: svg.parentElement.getBoundingClientRect().width,
      right: box.right, smallest: Math.min(...texts.map(([, r]) => r.height)), clash,
    };
  })"""


def _fill_village_board(village, clerk, agent) -> None:
    """What a township clerk keeps for a village over a year: an asset, journal lines (one
    reversed), a lease with its payments, a published deliberation, with long entries."""
    day = dt.date(2026, 5, 6)
    affairs.asset_register(
        actor=clerk,
        village=village,
        category="resource",
        name="集体林地（东山坡至河沿一带连片山林，含防火通道和护林员看护房）",
        quantity=320,
        measure="亩",
        value=1250000,
        location="东山坡北侧与河沿村交界处第三村民小组",
    )
    affairs.cash_entry_record(
        actor=clerk,
        village=village,
        date=day,
        direction="income",
        amount="12500.00",
        summary=UNBROKEN,
        counterparty="汉中市汉台区某某农业开发有限公司",
    )
    wrong = affairs.cash_entry_record(
        actor=clerk, village=village, date=day, direction="expense", amount="3200.50",
        summary="村组道路维修材料款",
    )  # fmt: skip
    affairs.cash_entry_reverse(
        actor=clerk, entry=wrong, reason="金额录入错误，应为3020.50元，按财务制度红字冲销后重新登记"
    )
    affairs.contract_create(
        actor=clerk,
        village=village,
        number="HT-2026-LD-000123456789-0001",
        title="东山坡集体林地承包经营合同",
        counterparty="汉中市汉台区某某农业开发有限公司",
        subject="集体林地经营权",
        start=dt.date(2024, 3, 1),
        end=dt.date(2034, 2, 28),
        annual_amount="12500.00",
        area="320",
    )
    meeting = affairs.deliberation_record(
        actor=agent,
        village=village,
        matter="修建第三村民小组至东山坡的村组道路（全长1.2公里，宽4.5米，水泥硬化）",
        meeting_kind="representatives",
        meeting_on=day,
        eligible=40,
        attended=30,
        votes_for=26,
        votes_against=2,
        abstained=2,
        decision="每户筹资50元，不足部分申请一事一议财政奖补资金",
    )
    affairs.deliberation_publish(actor=agent, deliberation=meeting)


def _pages() -> dict[str | None, list[str]]:
    """The pages under test by the demo account that opens them (None: the public)."""
    users = get_user_model().objects.select_related("staff__unit__region")
    clerk, agent = users.get(username="t01-staff"), users.get(username="v0101-agent")
    township = clerk.staff.unit
    county = Unit.objects.get(kind=UnitKind.COUNTY_CENTRE)
    village = agent.staff.unit.region
    _fill_village_board(village, clerk, agent)
    month = f"{previous_month(timezone.localdate().replace(day=1)):%Y-%m}"
    # The township's busiest case: the longest timeline and route on the case page.
    case = (
        Case.objects.filter(Q(intake_unit=township) | Q(intake_unit__parent=township))
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .first()
    )
    assert case is not None
    return {
        None: ["/reports/public/", f"/affairs/board/{village.code}/"],
        "t01-head": [f"/reports/monthly/{township.pk}/{month}/", "/ratings/stats/"],
        "supervisor": [
            "/supervision/",
            f"/reports/monthly/{county.pk}/{month}/",
            "/ratings/stats/?group=staff",
        ],
        "t01-staff": ["/cases/", f"/cases/{case.number}/"],
    }


@pytest.mark.django_db(transaction=True)
def test_pages_fit_phone_and_screen_and_charts_scale(new_page, screenshot):
    build_demo(seed=2026)
    build_cases(seed=2026, cases=400, until=timezone.localdate(), years=1)
    pages = _pages()
    too_wide, bad_charts, charts_seen = [], [], set()
    for width, device in WIDTHS.items():
        for username, paths in pages.items():
            page = new_page(**device)
            if username:
                page.goto("/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", DEMO_PASSWORD)
                with page.expect_navigation():
                    page.locator("main button[type=submit]").click()
            for path in paths:
                response = page.goto(path)
                assert response is not None and response.status == 200, (username, path)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                charts = page.evaluate(CHARTS)
                screenshot(page, f"{width}-{path}")
                if scroll > width:
                    too_wide.append((width, path, scroll))
                for c in charts:
                    charts_seen.add(path)
                    named = bool(HAN.search(c["label"] or "")) and bool(c["viewBox"])
                    # As wide as its box; the phone drawing stops growing at 470 px.
                    fills = c["container"] - c["width"] < 2 or c["width"] >= 469
                    if not (named and fills and c["width"] <= c["container"] + 1):
                        bad_charts.append((width, path, "not named or not scaled to its box", c))
                    if c["right"] > width or c["smallest"] < 10 or c["clash"]:
                        bad_charts.append((width, path, "unreadable", c))
    assert too_wide == [], too_wide
    assert bad_charts == [], bad_charts
    # Four pages draw a chart: the county's statistics, both monthly reports and supervision.
    assert len(charts_seen) == 4, charts_seen
