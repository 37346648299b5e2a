"""Browser journeys: the app served on loopback in a thread, driven by Debian's Chromium through Playwright.

Playwright never downloads a browser here: it launches the system Chromium (CHROMIUM_PATH, default
/usr/bin/chromium). Tests are skipped when no Chromium is installed; .ci/run installs it. A failing test leaves a
screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class _SharedBrowser:
    """One Playwright and one Chromium per process: Playwright's sync API refuses a second instance in the same
    thread, and other test folders import the `browser` fixture (each import is a fixture of its own)."""

    playwright = None
    browser = None
    users = 0

    @classmethod
    def acquire(cls):
        if cls.users == 0:
            from playwright.sync_api import expect, sync_playwright

            expect.set_options(timeout=10_000)  # as long as actions wait: the machine may be busy with other tests
            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        cls.users += 1
        return cls.browser

    @classmethod
    def release(cls) -> None:
        cls.users -= 1
        if cls.users == 0:
            cls.browser.close()
            cls.playwright.stop()
            cls.browser = cls.playwright = None


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    yield _SharedBrowser.acquire()
    _SharedBrowser.release()


@pytest.fixture
def live_server(app):
    """Serve the test app on a free loopback port for the duration of one test."""
    app.config["WTF_CSRF_ENABLED"] = True  # a real browser sends real tokens
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        for name in ("page", "page_zh", "page_en", *PEOPLE):
            page = item.funcargs.get(name)
            if page is not None and hasattr(page, "screenshot") and not page.is_closed():
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"{item.name}-{name}.png"), full_page=True)


def new_page(browser, base_url: str, locale: str = "zh-CN"):
    context = browser.new_context(base_url=base_url, locale=locale, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


# One browser (context) per person of a journey, each with its own cookies, in the default Chinese locale.
PEOPLE = ("doctor", "admin", "expert", "expert2", "company", "visitor")


def _own_page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def doctor(browser, live_server):
    yield from _own_page(browser, live_server)


@pytest.fixture
def admin(browser, live_server):
    yield from _own_page(browser, live_server)


@pytest.fixture
def expert(browser, live_server):
    yield from _own_page(browser, live_server)


@pytest.fixture
def expert2(browser, live_server):
    yield from _own_page(browser, live_server)


@pytest.fixture
def company(browser, live_server):
    yield from _own_page(browser, live_server)


@pytest.fixture
def visitor(browser, live_server):
    yield from _own_page(browser, live_server)


@pytest.fixture
def page_en(browser, live_server):
    """A browser whose preferred language is English."""
    page = new_page(browser, live_server, locale="en-US")
    yield page
    page.context.close()
