#!/usr/bin/env python3
"""Two app nodes, one database, one file store: what one node does, the other sees.

    .venv/bin/python scripts/two_nodes.py
    .venv/bin/python scripts/two_nodes.py --server postgresql+psycopg://chunfeng:chunfeng-ci@127.0.0.1:5432 --keep

Steps: a fresh PostgreSQL database on the given server (loopback only), `flask db upgrade` and `flask seed-demo`
into it; two gunicorn instances (one worker each) on two free loopback ports, each with its own instance folder,
the same SECRET_KEY, the same DATABASE_URL and one shared UPLOAD_FOLDER; then, through HTTP only, one browser per
node (its own cookie jar: a session cookie goes from A to B only when copied on purpose):

- a log-in on node A is valid on node B (and a form read on A is accepted by B; a log-out on A ends it on B);
- failed log-ins on A and on B count together: past LOGIN_MAX_FAILURES the next try answers 429 on either node;
- the open data API's requests on A and on B count together: past CATALOGUE_API_PER_MINUTE the next answers 429 on
  either node;
- a clinician's upload on A downloads, byte for byte, from B;
- a project released for matching on A (an administrator publishes a round's decision there) is in a company's
  matched list on B; `flask refresh-matches` on A stores a new index version, `flask match-index-status` on B
  reports it and B's matched list still holds the project;
- a project submitted on A (after that refit: only the documents written since reach B's index) is found as a
  near-duplicate when a similar project is submitted on B.

Prints one PASS/FAIL line per check and exits 1 if any failed. Both servers are stopped and the database dropped
in every case (unless --keep). About a minute and a half on a small machine.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import http.cookiejar
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

GUNICORN_CONF = Path(__file__).with_name("gunicorn.conf.py")

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
DEFAULT_SERVER = "postgresql+psycopg://chunfeng:chunfeng-ci@127.0.0.1:5432"
MAX_FAILURES = 5
API_PER_MINUTE = 6
SESSION_COOKIE = "session"
# A tiny but real PDF: attachments are accepted by their content, not their name.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% two nodes " + secrets.token_hex(8).encode() + b"\n%%EOF\n"

# Two clinicians write up nearly the same idea: one on node A, the other on node B.
IDEA = {
    "title": "可穿戴式连续无创颅内压监测头带",
    "specialty": "神经外科",
    "public_summary": "一种佩戴于头部的柔性监测头带，利用近红外光谱与经颅超声传感，连续无创监测重型颅脑损伤患者的"
                      "颅内压变化，替代有创脑室穿刺测压，降低感染与出血风险，便于基层医院开展。",
    "need_problem": "重型颅脑损伤患者需要持续监测颅内压，目前依赖有创脑室导管或脑实质探头，存在感染、出血和探头移位"
                    "风险，且基层医院难以开展。",
    "need_population": "重型颅脑损伤、自发性脑出血和脑积水患者，神经外科重症监护病房。",
    "need_outcome": "减少有创测压相关的颅内感染和出血，让基层医院也能连续监测颅内压。",
    "current_practice": "脑室内导管或脑实质光纤探头有创测压，需要神经外科医生床旁置入，留置时间有限。",
    "solution": "柔性头带集成近红外光谱模块和经颅多普勒超声探头，由算法融合估算颅内压并在床旁监护仪上显示趋势。",
    "innovation_points": "无创连续监测颅内压\n多模态传感融合算法\n柔性可穿戴结构",
    "device_type": "有源监测设备",
}
IDEA_ON_B = {
    **IDEA,
    "title": "无创颅内压连续监测可穿戴头带系统",
    "public_summary": IDEA["public_summary"].replace("一种佩戴于头部的柔性监测头带", "一种可穿戴的柔性头带系统"),
    "need_problem": "颅脑损伤重症患者需连续监测颅内压，现有方法需有创置入脑室导管或脑实质探头，感染、出血风险高，"
                    "基层医院难以开展。",
}


# --- reporting --------------------------------------------------------------------------------------------

@dataclass
class Report:
    results: list[tuple[bool, str]] = field(default_factory=list)

    def check(self, passed: bool, what: str, detail: str = "") -> bool:
        self.results.append((passed, what))
        print(f"{'PASS' if passed else 'FAIL'}  {what}" + (f"  ({detail})" if detail else ""), flush=True)
        return passed

    def guard(self, what: str, step: Callable[[], object]) -> object:
        """Run a step that reports its own checks; an exception in it is reported as the failure of `what`, and the
        other steps still run."""
        try:
            return step()
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            self.check(False, what, f"{type(error).__name__}: {error}")
            return None

    @property
    def failed(self) -> int:
        return sum(1 for passed, _what in self.results if not passed)


# --- a browser per node -----------------------------------------------------------------------------------

class _Hidden(HTMLParser):
    """The hidden inputs of a page (first value per name: one CSRF token serves every form of a session)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") == "hidden" and found.get("name"):
            self.values.setdefault(found["name"], found.get("value") or "")


@dataclass
class Page:
    status: int
    url: str
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def hidden(self) -> dict[str, str]:
        parser = _Hidden()
        parser.feed(self.text)
        return parser.values


class Browser:
    """One person's browser talking to one node; follows redirects; never raises on an HTTP error status."""

    def __init__(self, node: str, base: str) -> None:
        if not base.startswith(f"http://{LOOPBACK}:"):
            raise ValueError(f"a node on loopback only, not {base}")
        self.node, self.base = node, base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> Page:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 - loopback http (see __init__)

    def post(self, path: str, fields: dict, files: dict[str, tuple[str, bytes]] | None = None) -> Page:
        if files:
            body, kind = _multipart(fields, files)
        else:
            body, kind = urllib.parse.urlencode(fields, doseq=True).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(  # noqa: S310 - loopback http (see __init__)
            self.base + path, data=body, headers={"Content-Type": kind})
        return self._open(request)

    def submit(self, form_path: str, fields: dict, action: str | None = None, **files) -> Page:
        """Read the form's page (CSRF token, lock version), then post it with `fields` to `action` (default: the
        same path)."""
        hidden = self.get(form_path).hidden()
        return self.post(action or form_path, {**hidden, **fields}, files or None)

    def _open(self, request: urllib.request.Request) -> Page:
        try:
            with self.opener.open(request, timeout=60) as response:
                return Page(response.status, response.geturl(), response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            with error:
                return Page(error.code, error.geturl(), error.read(), dict(error.headers))

    def session_cookie(self) -> http.cookiejar.Cookie | None:
        return next((c for c in self.jar if c.name == SESSION_COOKIE), None)

    def signed_in_as(self, browser: Browser) -> None:
        """Carry the other browser's session cookie over (what a load balancer without stickiness does)."""
        cookie = browser.session_cookie()
        if cookie is None:
            raise RuntimeError(f"no session cookie from node {browser.node}")
        self.jar.set_cookie(copy.copy(cookie))

    def log_in(self, email: str, password: str) -> Page:
        return self.submit("/account/login", {"email": email, "password": password})


def _multipart(fields: dict, files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (filename, data) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                     f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def signed_in(page: Page) -> bool:
    return page.status == 200 and "/account/login" not in page.url


# --- the deployment: database, commands, two nodes ---------------------------------------------------------

@dataclass
class Deployment:
    server: str
    database: str
    folder: Path
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    nodes: dict[str, subprocess.Popen] = field(default_factory=dict)
    bases: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{self.server}/{self.database}"

    def env(self, node: str) -> dict[str, str]:
        """The environment of one node (or of the host that runs the commands): its own instance folder, all
        else shared."""
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "UPLOAD_FOLDER")}
        env.update({
            "DATABASE_URL": self.url,
            "SECRET_KEY": self.secret,
            "UPLOAD_FOLDER": str(self.folder / "shared-uploads"),
            "CHUNFENG_INSTANCE": str(self.folder / f"instance-{node}"),
            "SESSION_COOKIE_SECURE": "0",
            "LOGIN_MAX_FAILURES": str(MAX_FAILURES),
            "CATALOGUE_API_PER_MINUTE": str(API_PER_MINUTE),
            "FLASK_APP": "chunfeng",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "platform"), env.get("PYTHONPATH", "")])),
        })
        return env

    def flask(self, node: str, *arguments: str, timeout: float = 300) -> str:
        command = [sys.executable, "-m", "flask", "--app", "chunfeng", *arguments]
        result = subprocess.run(command, env=self.env(node), cwd=ROOT, capture_output=True, text=True,
                                timeout=timeout, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"flask {' '.join(arguments)} on {node} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def start(self, node: str) -> str:
        port = _free_port()
        log = (self.folder / f"gunicorn-{node}.log").open("wb")
        command = [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "--workers", "1",
                   "--bind", f"{LOOPBACK}:{port}", "--timeout", "120",
                   *_control_socket(self.folder / f"gunicorn-{node}.ctl"), "chunfeng:create_app()"]
        self.nodes[node] = subprocess.Popen(  # its own process group: stopping it stops its worker too
            command,
            env=self.env(node), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.bases[node] = f"http://{LOOPBACK}:{port}"
        return self.bases[node]

    def wait_until_up(self, node: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.nodes[node].poll() is not None:
                raise RuntimeError(f"node {node} exited at start-up:\n{self.log_tail(node)}")
            try:
                with urllib.request.urlopen(self.bases[node] + "/", timeout=5) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"node {node} did not answer within {timeout:.0f} s")

    def log_tail(self, node: str, lines: int = 30) -> str:
        path = self.folder / f"gunicorn-{node}.log"
        return "\n".join(path.read_text("utf-8", "replace").splitlines()[-lines:]) if path.exists() else ""

    def stop_all(self) -> None:
        for server in self.nodes.values():
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
        for server in self.nodes.values():
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)


def _control_socket(path: Path) -> list[str]:
    """Each node's own control socket, in the temporary folder (gunicorn 27 opens one; earlier versions none)."""
    from importlib.metadata import version

    major = int(version("gunicorn").split(".")[0])
    return ["--control-socket", str(path)] if major >= 27 else []


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def _admin_engine(server: str):
    from sqlalchemy import create_engine

    return create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")


def create_database(server: str, name: str) -> None:
    engine = _admin_engine(server)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def drop_database(server: str, name: str) -> None:
    engine = _admin_engine(server)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def _loopback_only(server: str) -> None:
    host = urllib.parse.urlsplit(server).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a database server off this machine ({host}): everything runs on loopback")


# --- the checks --------------------------------------------------------------------------------------------

@dataclass
class People:
    password: str

    def email(self, who: str) -> str:
        return f"{who}@demo.chunfeng.cn"


def check_sessions(report: Report, a: str, b: str, people: People) -> tuple[Browser, Browser]:
    """Log in on A; the copied cookie is a session on B; a form read on A is accepted by B."""
    admin_a, admin_b = Browser("A", a), Browser("B", b)
    report.check(signed_in(admin_a.log_in(people.email("admin"), people.password)), "log-in on node A")
    report.check(not signed_in(admin_b.get("/account/profile")), "node B without the cookie asks to log in")
    admin_b.signed_in_as(admin_a)
    page = admin_b.get("/account/profile")
    report.check(signed_in(page) and people.email("admin") in page.text, "log-in on A is valid on B",
                 f"GET /account/profile on B: {page.status}")
    # a form drawn by A (its CSRF token) posted to B: the preference form of the profile page
    hidden = admin_a.get("/account/profile").hidden()
    page = admin_b.post("/account/profile", hidden)
    report.check(page.status != 400 and signed_in(page), "a form read on A is accepted by B (CSRF)",
                 f"POST on B: {page.status}")
    return admin_a, admin_b


def check_throttle(report: Report, a: str, b: str, people: People) -> None:
    """Failures split across the nodes add up in the database: the next try is refused on both."""
    nodes = [Browser("A", a), Browser("B", b)]
    email = people.email("officer")
    codes = [nodes[i % 2].log_in(email, "not-the-password").status for i in range(MAX_FAILURES)]
    after_b = nodes[1].log_in(email, people.password)
    after_a = nodes[0].log_in(email, people.password)
    report.check(codes == [200] * MAX_FAILURES and after_b.status == 429 and after_a.status == 429,
                 f"{MAX_FAILURES} failed log-ins split A/B/A/B/A: the next try answers 429 on B and on A",
                 f"failures {codes}, then B {after_b.status} (Retry-After {after_b.headers.get('Retry-After')}), "
                 f"A {after_a.status}")


def check_api_limit(report: Report, a: str, b: str) -> None:
    """The open data API's requests split across the nodes add up in the database: the next is refused on both."""
    nodes = [Browser("A", a), Browser("B", b)]
    codes = [nodes[i % 2].get("/api/v1/results").status for i in range(API_PER_MINUTE)]
    after_b, after_a = nodes[1].get("/api/v1/results"), nodes[0].get("/api/v1/catalogue")
    report.check(codes == [200] * API_PER_MINUTE and after_b.status == 429 and after_a.status == 429,
                 f"{API_PER_MINUTE} API requests split A/B: the next answers 429 on B and on A",
                 f"requests {codes}, then B {after_b.status} (Retry-After {after_b.headers.get('Retry-After')}), "
                 f"A {after_a.status}")


def new_project(browser: Browser, answers: dict) -> int:
    page = browser.submit("/projects/new", {"title": answers["title"], "specialty": answers["specialty"]})
    found = re.search(r"/projects/(\d+)/sections/", page.url)
    if page.status != 200 or not found:
        raise RuntimeError(f"creating a project on {browser.node}: {page.status} {page.url}")
    return int(found.group(1))


SECTIONS = {
    "summary": ("title", "specialty", "public_summary"),
    "need": ("need_problem", "need_population", "need_outcome", "current_practice"),
    "solution": ("solution", "innovation_points"),
}


def complete_and_submit(browser: Browser, project_id: int, answers: dict) -> Page:
    base = f"/projects/{project_id}"
    sections = {key: {name: answers[name] for name in names} for key, names in SECTIONS.items()}
    sections["device"] = {"device_type": answers["device_type"], "device_class": "II"}
    sections["progress"] = {"stage": "prototype"}
    sections["declaration"] = {"attests_no_patient_data": "y"}
    for key, fields in sections.items():
        page = browser.submit(f"{base}/sections/{key}", fields)
        if page.status != 200:
            raise RuntimeError(f"section {key} on {browser.node}: {page.status}")
    hidden = browser.get(base).hidden()
    page = browser.post(f"{base}/submit", hidden)
    if page.status != 200 or not page.url.endswith(base):
        raise RuntimeError(f"submitting project {project_id} on {browser.node}: {page.status} {page.url}")
    return page


def check_upload(report: Report, a: str, b: str, people: People) -> tuple[Browser, int]:
    """A clinician attaches a file on A; the same session downloads it from B."""
    clinician_a, clinician_b = Browser("A", a), Browser("B", b)
    clinician_a.log_in(people.email("doctor4"), people.password)
    clinician_b.signed_in_as(clinician_a)
    project_id = new_project(clinician_a, IDEA)
    section = f"/projects/{project_id}/sections/attachments"
    page = clinician_a.submit(section, {"attest": "y"}, action=f"/projects/{project_id}/attachments",
                              file=("evidence-report.pdf", PDF))
    found = re.search(rf"/projects/{project_id}/attachments/(\d+)\"", page.text)
    report.check(page.status == 200 and found is not None, "a clinician uploads an attachment on node A",
                 f"{page.status}")
    if found is None:
        return clinician_a, project_id
    download = clinician_b.get(f"/projects/{project_id}/attachments/{found.group(1)}")
    same = hashlib.sha256(download.body).hexdigest() == hashlib.sha256(PDF).hexdigest()
    report.check(download.status == 200 and same, "the upload on A downloads from B, byte for byte",
                 f"{download.status}, {len(download.body)} bytes, "
                 f"{download.headers.get('Content-Disposition', '')}")
    return clinician_a, project_id


def _round_to_decide(admin: Browser) -> tuple[int, int]:
    """The open round of the demo and the first project waiting in it."""
    for round_id in dict.fromkeys(re.findall(r"/reviews/rounds/(\d+)\"", admin.get("/reviews/rounds").text)):
        page = admin.get(f"/reviews/rounds/{round_id}")
        if f"/reviews/rounds/{round_id}/status/close_intake" in page.text:  # its intake can still be closed
            projects = re.findall(rf"/reviews/rounds/{round_id}/projects/(\d+)\"", page.text)
            if projects:
                return int(round_id), int(projects[0])
    raise RuntimeError("the demo has no open round with a project to decide")


def _matched(browser: Browser, project_id: int) -> bool:
    page = browser.get("/matching/projects?scope=matched")
    if page.status != 200:
        raise RuntimeError(f"matched list on {browser.node}: {page.status}")
    return f'/matching/projects/{project_id}"' in page.text


def check_matching(report: Report, deployment: Deployment, admin_a: Browser, people: People) -> None:
    """An administrator releases a project on A; a company's matched list on B has it; a refit on A is seen
    on B."""
    company_b = Browser("B", deployment.bases["B"])
    company_b.log_in(people.email("company3"), people.password)
    round_id, project_id = _round_to_decide(admin_a)
    before = _matched(company_b, project_id)
    rounds = f"/reviews/rounds/{round_id}"
    admin_a.submit(rounds, {}, action=f"{rounds}/status/close_intake")
    decided = admin_a.submit(f"{rounds}/projects/{project_id}", {
        "outcome": "selected", "override_reason": "专家会议讨论后一致同意入选（两节点测试）。",
        "comment_to_clinician": "祝贺入选。"})
    published = admin_a.submit(rounds, {}, action=f"{rounds}/publish")
    after = _matched(company_b, project_id)
    report.check(not before and after and decided.status == 200 and published.status == 200,
                 "a project released on A is in a company's matched list on B",
                 f"project {project_id}: listed before {before}, after {after}")

    version_before = _status_version(deployment.flask("B", "match-index-status"))
    refreshed = deployment.flask("A", "refresh-matches")
    found = re.search(r"index version (\d+)", refreshed)
    fitted = int(found.group(1)) if found else None
    status_b = deployment.flask("B", "match-index-status")
    seen = _status_version(status_b)
    changed = re.search(r"changed since: (\d+) documents", status_b)
    report.check(fitted is not None and fitted != version_before and seen == fitted and _matched(company_b, project_id),
                 "`flask refresh-matches` on A: B reports the new index version and still lists the project",
                 f"version {version_before} -> {fitted} on A; B: version {seen}, changed since "
                 f"{changed.group(1) if changed else '?'}")


def _status_version(output: str) -> int | None:
    found = re.search(r"^version: (\d+)", output, re.MULTILINE)
    return int(found.group(1)) if found else None


def check_near_duplicate(report: Report, b: str, people: People, clinician_a: Browser,
                         project_a: int, admin_b: Browser) -> None:
    """Submitted on A after the refit (its documents reach B's index through the change log), found by B."""
    page = complete_and_submit(clinician_a, project_a, IDEA)
    report.check(page.status == 200, "a clinician submits a project on node A", f"project {project_a}")
    clinician_b = Browser("B", b)
    clinician_b.log_in(people.email("doctor"), people.password)
    project_b = new_project(clinician_b, IDEA_ON_B)
    page = complete_and_submit(clinician_b, project_b, IDEA_ON_B)
    own_view = "similar-heading" in page.text
    staff_view = admin_b.get(f"/projects/{project_b}").text
    start = staff_view.find('id="similar-heading"')
    section = staff_view[start:staff_view.find("</section>", start)] if start >= 0 else ""
    score = re.search(r"(\d+)%", section)
    report.check(own_view and f'/projects/{project_a}"' in section,
                 "a similar project submitted on B is told of A's submission (near-duplicate)",
                 f"project {project_b} on B finds project {project_a} at {score.group(0) if score else '?'}")


def check_log_out(report: Report, admin_a: Browser, admin_b: Browser) -> None:
    hidden = admin_a.get("/account/profile").hidden()
    admin_a.post("/account/logout", hidden)
    page = admin_b.get("/account/profile")
    report.check(not signed_in(page), "a log-out on A ends the session on B", f"B now at {page.url}")


def run_checks(report: Report, deployment: Deployment, people: People) -> None:
    a, b = deployment.bases["A"], deployment.bases["B"]
    admins = report.guard("sessions across the nodes", lambda: check_sessions(report, a, b, people))
    report.guard("log-in throttling across the nodes", lambda: check_throttle(report, a, b, people))
    report.guard("the API's rate limit across the nodes", lambda: check_api_limit(report, a, b))
    uploaded = report.guard("upload on A, download from B", lambda: check_upload(report, a, b, people))
    if admins is None or uploaded is None:
        report.check(False, "the remaining checks", "they need the sessions and the project above")
        return
    (admin_a, admin_b), (clinician_a, project_a) = admins, uploaded
    report.guard("matching across the nodes", lambda: check_matching(report, deployment, admin_a, people))
    report.guard("near-duplicate across the nodes",
                 lambda: check_near_duplicate(report, b, people, clinician_a, project_a, admin_b))
    report.guard("log-out across the nodes", lambda: check_log_out(report, admin_a, admin_b))


# --- main --------------------------------------------------------------------------------------------------

def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default=os.environ.get("TWO_NODES_SERVER", DEFAULT_SERVER),
                        help=f"PostgreSQL server URL without a database name, a role that may create databases "
                             f"(default {DEFAULT_SERVER})")
    parser.add_argument("--keep", action="store_true", help="keep the database and the temporary folder")
    return parser.parse_args()


def main() -> int:
    args = _arguments()
    server = args.server.rstrip("/")
    _loopback_only(server)
    started = time.monotonic()
    deployment = Deployment(server, f"chunfeng_two_nodes_{secrets.token_hex(4)}",
                            Path(tempfile.mkdtemp(prefix="chunfeng-two-nodes-")))
    report = Report()
    create_database(server, deployment.database)
    try:
        print(f"==> database {deployment.database}: migrating and seeding the demo", flush=True)
        deployment.flask("host", "db", "upgrade")
        deployment.flask("host", "seed-demo")
        first = (deployment.folder / "instance-host" / "demo-logins.txt").read_text("utf-8").splitlines()[0]
        people = People(first.rsplit(":", 1)[1].strip())
        for node in ("A", "B"):
            print(f"==> node {node} on {deployment.start(node)}", flush=True)
        for node in ("A", "B"):
            deployment.wait_until_up(node)
        run_checks(report, deployment, people)
    except Exception as error:  # noqa: BLE001 - a broken step is a failure, reported like the checks
        report.check(False, "the two-node run finished", f"{type(error).__name__}: {error}")
    finally:
        deployment.stop_all()
        if report.failed:
            for node in deployment.nodes:
                print(f"--- last lines of node {node}'s log\n{deployment.log_tail(node)}", flush=True)
        if args.keep:
            print(f"==> kept database {deployment.database} and {deployment.folder}")
        else:
            drop_database(server, deployment.database)
            shutil.rmtree(deployment.folder, ignore_errors=True)
    print(f"==> {len(report.results) - report.failed} passed, {report.failed} failed "
          f"in {time.monotonic() - started:.0f} s")
    return 1 if report.failed or not report.results else 0


if __name__ == "__main__":
    sys.exit(main())
