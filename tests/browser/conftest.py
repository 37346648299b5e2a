"""Browser journeys: the app served on loopback in a thread, driven by Debian's Chromium through Playwright.

Playwright never downloads a browser here: it launches the system Chromium (CHROMIUM_PATH, default
/usr/bin/chromium). Tests are skipped when no Chromium is installed; .ci/run installs it. A failing test leaves a
screenshot in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import threading
from dataclasses import dataclass
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


# --- the demo world: every role with realistic Chinese data, for the checks that walk the main pages -------------

# The demo people walked through; the expert (one with a review form open) and the clinician someone asked to
# connect with ("requested") are looked up in the seeded data.
DEMO_EMAILS = {
    "clinician": "doctor@demo.chunfeng.cn", "company": "company@demo.chunfeng.cn",
    "officer": "officer@demo.chunfeng.cn", "admin": "admin@demo.chunfeng.cn",
}


@dataclass
class DemoWorld:
    """The demo seeded once per session and served on loopback; the ids of the objects its pages show."""

    url: str
    emails: dict[str, str]  # role -> e-mail of the demo person walked through
    ids: dict[str, int]


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory):
    """`flask seed-demo` in a database of its own (SQLite file, or a PostgreSQL database per worker), every demo
    password set to the test password, served in a thread for the whole session."""
    from sqlalchemy import select

    from chunfeng.accounts.models import User
    from chunfeng.db import db
    from tests.conftest import seeded_demo

    with seeded_demo(tmp_path_factory, "demo", WTF_CSRF_ENABLED=True, SESSION_IDLE_MINUTES=0,
                     SESSION_MAX_HOURS=0) as app:
        with app.app_context():
            emails, ids = _demo_landmarks(db, select, User)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield DemoWorld(url=f"http://127.0.0.1:{server.server_port}", emails=emails, ids=ids)
        finally:
            server.shutdown()
            thread.join(timeout=5)


def _demo_landmarks(db, select, User) -> tuple[dict[str, str], dict[str, int]]:
    """The demo people and objects the page walks visit, found in the seeded data rather than assumed."""
    from chunfeng.incubation.models import Incubation
    from chunfeng.matching.models import Connection, ConnectionStatus
    from chunfeng.reviews.models import Assignment, AssignmentStatus, ReviewRound
    from chunfeng.submissions.models import Project, ProjectVersion
    from chunfeng.submissions.status import Status as ProjectStatus

    emails = dict(DEMO_EMAILS)
    doctor = db.session.scalar(select(User).where(User.email == emails["clinician"]))
    owned = db.session.scalars(select(Project).where(Project.owner_id == doctor.id).order_by(Project.id)).all()
    submitted = next(p for p in owned if db.session.scalar(
        select(ProjectVersion.id).where(ProjectVersion.project_id == p.id).limit(1)))
    released = next(p for p in owned if p.status in (ProjectStatus.MATCHING, ProjectStatus.INCUBATION,
                                                      ProjectStatus.APPROVED))
    draft = next(p for p in owned if p.status == ProjectStatus.DRAFT)
    assignment = db.session.scalar(select(Assignment).where(Assignment.status == AssignmentStatus.ACCEPTED)
                                   .order_by(Assignment.id).limit(1))
    emails["expert"] = db.session.get(User, assignment.expert_id).email
    request = db.session.scalar(select(Connection).where(Connection.status == ConnectionStatus.REQUESTED)
                                .order_by(Connection.id).limit(1))
    emails["requested"] = db.session.get(User, db.session.get(Project, request.project_id).owner_id).email
    officer = db.session.scalar(select(User).where(User.email == emails["officer"]))
    incubation = db.session.scalar(select(Incubation).where(Incubation.officer_id == officer.id)
                                   .order_by(Incubation.id).limit(1))
    rounds = db.session.scalars(select(ReviewRound).order_by(ReviewRound.id)).all()
    ids = {
        "submitted": submitted.id, "released": released.id, "draft": draft.id, "assignment": assignment.id,
        "incubated": incubation.project_id, "published_round": next(r.id for r in rounds if r.published_at),
        "open_round": next(r.id for r in rounds if not r.published_at),
    }
    return emails, ids


def demo_pages(world: DemoWorld) -> dict[str, list[str]]:
    """The main pages of each role ("visitor": not signed in), keyed by the role walked through them."""
    ids = world.ids
    return {
        "visitor": ["/", "/account/login", "/account/register", "/results", f"/results/{ids['published_round']}"],
        "clinician": ["/dashboard", "/projects/", "/projects/new", f"/projects/{ids['draft']}/sections/need",
                      f"/projects/{ids['submitted']}", f"/projects/{ids['submitted']}/versions", "/notifications",
                      f"/matching/suggestions/{ids['released']}"],
        "requested": ["/matching/requests"],  # a clinician someone asked to connect with
        "expert": ["/dashboard", "/reviews/mine", f"/reviews/assignments/{ids['assignment']}"],
        "company": ["/dashboard", "/matching/projects", "/matching/connections",
                    f"/matching/projects/{ids['released']}"],
        "officer": ["/dashboard", "/incubation/mine", f"/incubation/project/{ids['incubated']}"],
        "admin": ["/admin", "/reviews/rounds", f"/reviews/rounds/{ids['open_round']}", "/admin/accounts",
                  "/admin/audit"],
    }


def demo_page(browser, world: DemoWorld, role: str, *, width: int = 1280, height: int = 900, lang: str = "zh",
              bypass_csp: bool = False):
    """A page of its own (own cookies) at the given size, signed in through the log-in form as the role's demo
    person ("visitor": not signed in), the language chosen with the switch's ?lang= after signing in."""
    from tests.conftest import PASSWORD

    context = browser.new_context(base_url=world.url, locale="zh-CN", viewport={"width": width, "height": height},
                                  bypass_csp=bypass_csp)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if role != "visitor":
        page.goto("/account/login")
        page.locator("main input[name=email]").fill(world.emails[role])
        page.locator("main input[name=password]").fill(PASSWORD)
        page.locator("main form").get_by_role("button").last.click()
        page.wait_for_url(lambda url: "/account/login" not in url)
    page.goto(f"/?lang={'en' if lang == 'en' else 'zh_Hans_CN'}")
    return page
