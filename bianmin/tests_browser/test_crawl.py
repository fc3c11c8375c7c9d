"""Every page each role is shown works, fits and speaks Chinese (issue 14, "Done means").

For each demo role (and the public), in Chromium: log in through the login form, start at the
role's home and follow every same-site link the pages show, breadth first, GET only. One page per
URL pattern and role (the pattern named by resolving the path, so a new page is covered without
editing this test), at most `MAX_PAGES` per role. A page fails on:

- a 4xx or 5xx answer (a link a person is shown must work for that person);
- a document wider than the viewport at 1280 px or at 390 px (horizontal scrolling);
- English words (three letters or more, not all capitals: those are codes such as case numbers)
  in visible text outside `ALLOWED_WORDS` and outside `<code>`, `<kbd>` and `lang="en"`;
- a serious or critical axe-core finding (checked once per pattern, on the first role to see it).

And the whole crawl fails when a GET page of tests_security/matrix.py (which lists every route)
is reached by no role and is not in `REACHED_OTHERWISE` or `EMPTY_IN_DEMO`: a page reachable
from nowhere.

Downloads (Excel, PDF, images) are only checked for their status. The Django admin (its own
styling, checked by the admin tests) and the API's pages are not crawled.
"""

import time
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve

from bianmin.demo.builder import DEMO_PASSWORD
from bianmin.portal.tests.conftest import AXE
from bianmin.tests_browser.fixtures import open_context
from bianmin.tests_security.matrix import MATRIX

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# (who, username, home); the public has no account.
ROLES = [
    ("public", None, "/"),
    ("agent", "v0101-agent", "/staff/"),
    ("township staff", "t01-staff", "/staff/"),
    ("township head", "t01-head", "/staff/"),
    ("department staff", "d01-staff", "/staff/"),
    ("department head", "d01-head", "/staff/"),
    ("county window", "c-window", "/staff/"),
    ("supervisor", "supervisor", "/staff/"),
    ("administrator", "admin", "/staff/"),
]
MAX_PAGES = 50
CASES = 300
WIDTHS = (1280, 390)
NOT_CRAWLED = ("/admin/", "/api/", "/static/", "/media/", "/i18n/", "/accounts/logout/")
# Words a Chinese page may show: codes, formats and units people read as such.
ALLOWED_WORDS = {
    "API", "CSV", "DOC", "DOCX", "Excel", "GPS", "HTML", "ID", "JPEG", "JPG", "JSON", "OCR",
    "PDF", "PNG", "QR", "SMS", "URL", "WPS", "XLS", "XLSX", "WiFi", "App", "APP",
    # The language switch offers English in English.
    "English",
}  # fmt: skip

# GET pages no menu link reaches, and how people get there instead. Every other GET page of
# tests_security/matrix.py (which must list every route) has to be reached by some role.
REACHED_OTHERWISE = {
    "cases:intake_items": "htmx fragment of the intake page",
    "cases:intake_pick": "htmx fragment of the intake page",
    "cases:material_file": "a material's file, opened from the case page",
    "cases:material_file_thumb": "a thumbnail image on the case page",
    "portal:material_file": "a file of an online application",
    "portal:application_file": "a file of an online application, opened at pre-review",
    "staffing:leave_document": "a leave request's supporting document",
    "portal:application_detail": "the applicant's own page, reached after applying online",
    "portal:appointment_manage": "the appointment code given at booking",
    "portal:status_detail": "after the status lookup form (a POST)",
    "ratings:onsite_done": "after the on-site rating form (a POST)",
    "staffing:sheet": "another month of the attendance sheet (month field)",
    "staffing:public_roster": "a published roster's public page, linked from the roster",
    "captcha-image": "the picture challenge, an <img> on a lookup after failed attempts",
    "captcha-image-2x": "the same picture at twice the size (srcset)",
    "portal:login_code": "the second step of signing in, for a person with two-factor login",
    "portal:twofactor_codes": "the recovery codes, shown once after enrolling two-factor login",
}
# Detail pages of lists the demo county leaves empty (no errand, online application, complaint,
# rectification, assessment, subsidy plan or roster yet): reached once the demo has such rows.
# (A rectified case's status page links its follow-up rating: test_journeys_complaints.py.)
EMPTY_IN_DEMO = {
    "cases:errand_detail",
    "ratings:follow_up",
    "staffing:roster_print",
    "staffing:roster_xlsx",
    "portal:prereview_detail",
    "ratings:detail",
    "staffing:assessment_detail",
    "staffing:subsidy",
    "supervision:complaint_detail",
}

TEXT_JS = r"""() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,code,pre,kbd,[lang="en"],[translate="no"]')) continue;
    if (!el.checkVisibility()) continue;
    // Addresses (a receipt's lookup link) and capitals-only codes (case numbers) are not prose.
    const text = n.textContent.replace(/https?:\/\/\S+/g, ' ');
    const words = (text.match(/(?<![A-Za-z0-9_])[A-Za-z]{3,}(?![A-Za-z0-9_])/g) || [])
      .filter(w => /[a-z]/.test(w));
    out.push(...words.map(w => [w, text.trim().slice(0, 60)]));
  }
  return out;
}"""
LINKS_JS = """() => [...document.querySelectorAll('a[href]')]
  .filter(a => !a.hasAttribute('download') && a.checkVisibility())
  .map(a => a.href)"""
WIDTH_JS = "() => document.documentElement.scrollWidth"
AXE_JS = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ')}`)"""


@pytest.fixture
def demo_county(transactional_db):
    """The demo county with a year of generated cases, built as `bianmin seed-demo` builds it
    (a transactional test's flush empties the holiday calendar its data migration seeded)."""
    import datetime as dt

    from bianmin.demo.builder import build_demo
    from bianmin.demo.scale import build_cases
    from bianmin.workdays.services import calendar_seed_from_package

    calendar_seed_from_package()
    build_demo(seed=2026)
    build_cases(seed=2026, cases=CASES, until=dt.date.today(), years=1, batch=1000)


def log_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
    page.close()


def pattern_of(path: str) -> str:
    """The URL pattern's name (`cases:detail`), or the path itself when nothing matches."""
    try:
        match = resolve(path)
    except Resolver404:
        return path
    return match.view_name


def _crawlable(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != origin or parts.scheme not in ("http", "https"):
        return False
    return not parts.path.startswith(NOT_CRAWLED)


def _check_page(page, axe_seen: set[str], key: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        scroll = page.evaluate(WIDTH_JS)
        if scroll > width:
            problems.append(f"{scroll} px wide at {width} px")
    page.set_viewport_size({"width": 1280, "height": 900})
    english = sorted({w for w, _ in page.evaluate(TEXT_JS) if w not in ALLOWED_WORDS})
    if english:
        problems.append(f"English text: {', '.join(english[:12])}")
    if key not in axe_seen:
        axe_seen.add(key)
        page.evaluate(AXE.read_text())
        problems += [f"axe {v}" for v in page.evaluate(AXE_JS)]
    return problems


def crawl(
    context, origin: str, home: str, who: str, axe_seen: set[str], skip: set[str]
) -> tuple[list[str], set[str]]:
    """Breadth-first from `home`; returns the failures ('who url [pattern]: problem') and the
    patterns opened. Patterns in `skip` (the public's pages, the same for everyone) are not
    opened again."""
    page = context.new_page()
    start = origin + home
    queue = deque([start])
    seen_patterns: set[str] = set(skip)
    failures, opened = [], 0
    while queue and opened < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        key = pattern_of(path)
        if key in seen_patterns:
            continue
        seen_patterns.add(key)
        opened += 1
        where = f"{who} {url.removeprefix(origin)} [{key}]"
        try:
            response = page.goto(url, wait_until="load")
        except Exception as e:  # a download is not a page: check its status instead
            if "Download is starting" not in str(e) and "ERR_ABORTED" not in str(e):
                failures.append(f"{where}: {e}")
                continue
            response = context.request.get(url)
            if response.status >= 400:
                failures.append(f"{where}: HTTP {response.status}")
            continue
        if response is None or response.status >= 400:
            failures.append(f"{where}: HTTP {response.status if response else '?'}")
            continue
        if "text/html" not in (response.headers.get("content-type") or ""):
            continue
        failures += [f"{where}: {p}" for p in _check_page(page, axe_seen, key)]
        for href in page.evaluate(LINKS_JS):
            link = urljoin(page.url, href).split("#", 1)[0]
            if _crawlable(link, origin) and pattern_of(urlsplit(link).path) not in seen_patterns:
                queue.append(link)
    page.close()
    if any(pattern_of(urlsplit(u).path) not in seen_patterns for u in queue):
        failures.append(f"{who}: more than {MAX_PAGES} pages; raise MAX_PAGES to cover the rest")
    return failures, seen_patterns - skip


def test_every_page_each_role_is_shown(demo_county, browser, live_server):
    if not AXE.exists():
        pytest.skip("axe-core missing: run `npm ci` in the project root")
    started = time.monotonic()
    axe_seen: set[str] = set()
    public: set[str] = set()
    failures, report, covered = [], [], []
    covered_sets: list[set[str]] = []
    for who, username, home in ROLES:
        begun = time.monotonic()
        context = open_context(browser, live_server.url)
        if username:
            log_in(context.new_page(), username)
        found, opened = crawl(context, live_server.url, home, who, axe_seen, public)
        context.close()
        if username is None:
            public = opened - {pattern_of(home)}
        report.append(f"{who}: {len(opened)} pages in {time.monotonic() - begun:.0f} s")
        covered.append(f"  {who}: {' '.join(sorted(opened))}")
        covered_sets.append(opened | public)
        failures += found
    get_pages = {name for name, p in MATRIX.items() if p.method == "GET"}
    reached = set().union(*covered_sets)
    unreached = get_pages - reached - set(REACHED_OTHERWISE) - EMPTY_IN_DEMO
    failures += [f"{name}: reached from no menu or page of any role" for name in sorted(unreached)]
    print(f"\ncrawl took {time.monotonic() - started:.0f} s: " + "; ".join(report))
    print("\n".join(covered))
    assert not failures, "\n".join(failures)
