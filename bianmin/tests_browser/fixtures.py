"""Browser fixtures: a real Chromium driven through Playwright's sync API against `live_server`.

Registered once, in bianmin/conftest.py: a second registration would start a second sync
Playwright in the same process, which Playwright refuses.

Tests here need `@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)` (the live
server thread reads what the test wrote, so the data must be committed). `page` is a hall's
1280 px desktop, `phone` a village agent's 390 px phone with the fake camera, `new_page` one more
device. Read the database between browser steps under `DB_LOCK`.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("BIANMIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A fake camera (a moving test pattern) that needs no permission prompt: the capture widget
    # (`static/bianmin/materials.js`) photographs pages through getUserMedia.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

# Playwright's sync API runs an asyncio loop in this thread; Django would otherwise refuse the
# ORM calls the test makes between browser steps.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# The test database is SQLite in memory, and Django hands the live server's request threads the
# test's own connection. Two requests at once (a page and its lazy thumbnails, two people's
# browsers) then used one connection concurrently and failed at random: "bad parameter or other
# API misuse", or a lost session sending the next form post to the login page. So the live
# server handles one request at a time (still on its threads: keep-alive connections must not
# block each other), and a test reading the database while a browser may still be loading takes
# the same lock: `with DB_LOCK: ...`.
DB_LOCK = threading.RLock()


class SerialisedWSGIServer(ThreadedWSGIServer):
    def set_app(self, application):
        def serialised(environ, start_response):
            with DB_LOCK:
                return application(environ, start_response)

        super().set_app(serialised)


LiveServerThread.server_class = SerialisedWSGIServer


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (`make browser-deps` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


DESKTOP = {"viewport": {"width": 1280, "height": 900}}
# A village agent's phone: 390 x 844 CSS pixels, touch. The live server is http on localhost, a
# secure context, so getUserMedia works; the camera is granted up front.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "permissions": ["camera"],
}


def open_context(browser, base_url: str, **options):
    """A fresh browser context (own cookies) against `base_url`, locale zh-CN, 1280 px unless
    `options` say otherwise (`**PHONE` for a phone)."""
    context = browser.new_context(base_url=base_url, locale="zh-CN", **{**DESKTOP, **options})
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def page(browser, live_server):
    """A hall's desktop, 1280 px wide."""
    context = open_context(browser, live_server.url)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone, 390 x 844, touch, camera granted (the fake camera of `CHROMIUM_ARGS`)."""
    context = open_context(browser, live_server.url, **PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def new_page(browser, live_server):
    """`new_page(**options)`: a page in one more fresh context (another person's device),
    closed after the test."""
    contexts = []

    def make(**options):
        contexts.append(open_context(browser, live_server.url, **options))
        return contexts[-1].new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(request):
    """`screenshot(page, "name")` saves a full-page PNG under test-artifacts/ for a person to see."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", f"{request.node.name}-{name}")
        path = ARTIFACTS / f"{stem}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(page):
    """Log `username` in through the real login form."""
    from bianmin.conftest import PASSWORD

    def do(username: str, password: str = PASSWORD):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    return do
