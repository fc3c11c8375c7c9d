"""Portal test data: a small published catalog built through the catalog services."""

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from bianmin.catalog.models import CaseClass, ItemType, Tier
from bianmin.catalog.tests.conftest import make_item

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def pdf(name="申请表.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def fake_pdf(name="申请表.pdf"):
    return SimpleUploadedFile(name, b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")


def build_portal_catalog(c):
    c.homestead = make_item(
        c,
        local_code="ZR-001",
        basic_code="000000000002",
        implementation_code="11610702MB0000002X4000000000000002",
        name="农村宅基地审批",
        item_type=ItemType.LICENSING,
        implementing_unit=c.tc1,
        case_class=CaseClass.PROMISED,
        accept_tier=Tier.TOWNSHIP,
        decide_tier=Tier.TOWNSHIP,
        village_proxy=True,
        online=True,
        life_events=["housing", "farming"],
        materials=[
            {"name": "农村宅基地和建房(规划许可)申请表", "originals": 1, "copies": 0},
            {"name": "申请人身份证", "originals": 1, "copies": 1},
        ],
        fees=[{"name": "工本费", "amount": "0", "standard": "不收费"}],
        steps=[
            {"name": "受理", "tier": Tier.TOWNSHIP, "limit_days": 1},
            {"name": "审批", "tier": Tier.TOWNSHIP, "limit_days": 10},
        ],
    )
    c.forest = make_item(
        c,
        local_code="LY-001",
        basic_code="000000000003",
        implementation_code="11610702MB0000003X4000000000000003",
        name="林木采伐许可证核发",
        item_type=ItemType.LICENSING,
        implementing_unit=c.dept_land,
        accept_tier=Tier.COUNTY,
        decide_tier=Tier.COUNTY,
        village_proxy=False,
        online=True,
        life_events=["farming"],
        materials=[{"name": "林木采伐申请书", "originals": 1, "copies": 0}],
        fees=[
            {
                "name": "林木采伐许可证工本费",
                "amount": "5.00",
                "standard": "每证",
                "legal_basis": "陕价费发〔2019〕1号",
            }
        ],
    )
    c.dibao = make_item(c, local_code="MZ-001")
    return c


@pytest.fixture
def pc(county):
    """The county plus a published catalog with an online township item (宅基地)."""
    return build_portal_catalog(county)


# -- browser fixtures -----------------------------------------------------------------------
# `browser` comes from bianmin/tests_browser/fixtures.py, registered once in bianmin/conftest.py.

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# Test runs must not rewrite committed files: screenshots go to test-artifacts/ unless
# BIANMIN_SCREENSHOTS=docs/screenshots is set to refresh the README's pictures.
SCREENSHOTS = Path(settings.BASE_DIR) / os.environ.get(
    "BIANMIN_SCREENSHOTS", "test-artifacts/screenshots"
)
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def _context(browser, live_server, viewport):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone(browser, live_server):
    """A page in a 360-px-wide phone viewport."""
    context = _context(browser, live_server, PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser, live_server):
    context = _context(browser, live_server, DESKTOP)
    yield context.new_page()
    context.close()


@pytest.fixture
def axe_check():
    """`axe_check(page)` runs axe-core in the page and fails on serious or critical violations."""
    if not AXE.exists():
        pytest.skip("axe-core missing: run `npm ci` in the project root")

    def check(page):
        # Evaluated through the DevTools protocol: the page's Content Security Policy (which rightly
        # refuses inline scripts) stays on for everything the page itself does.
        page.evaluate(AXE.read_text())
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                 .map(v => ({id: v.id, impact: v.impact, help: v.help,
                             targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        assert not bad, f"{page.url}: {bad}"
        return violations

    return check


@pytest.fixture
def shot():
    """`shot(page, name)` saves a full-page PNG under SCREENSHOTS."""

    def take(page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
