"""Locust users for scripts/load_test.py: visitors, clinicians, companies, experts and administrators browsing the
pages they use most. Each signed-in user logs in once (with the CSRF token of the log-in form) as a demo account;
the demo password comes from CHUNFENG_DEMO_PASSWORD. Requests are grouped by page (`name=`), not by URL, so the
report gives one line per page whatever the ids.

Run through scripts/load_test.py, which seeds the data, starts gunicorn on a loopback port and reads the results.
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import HttpUser, between, events, task

PASSWORD = os.environ.get("CHUNFENG_DEMO_PASSWORD", "")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _ids(html: str, pattern: str) -> list[int]:
    return sorted({int(n) for n in re.findall(pattern, html)})


class Visitor(HttpUser):
    """Someone who is not signed in: the home page, published results and success stories."""

    weight = 2
    wait_time = between(0.5, 1.5)

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(2)
    def results(self):
        page = self.client.get("/results", name="public results")
        if rounds := _ids(page.text, r'href="/results/(\d+)"'):
            self.client.get(f"/results/{random.choice(rounds)}", name="public round results")

    @task(1)
    def success_stories(self):
        self.client.get("/results/success-stories", name="success stories")


class SignedIn(HttpUser):
    abstract = True
    email = ""
    wait_time = between(0.5, 1.5)

    def on_start(self):
        form = self.client.get("/account/login", name="log-in form")
        token = CSRF.search(form.text)
        with self.client.post("/account/login", name="log in", allow_redirects=False, catch_response=True,
                              data={"email": self.email, "password": PASSWORD,
                                    "csrf_token": token.group(1) if token else ""}) as response:
            if response.status_code != 302:
                response.failure(f"log-in as {self.email} answered {response.status_code}")

    @task(1)
    def workspace(self):
        self.client.get("/dashboard", name="workspace")


class Clinician(SignedIn):
    weight = 3
    email = "doctor@demo.chunfeng.cn"

    @task(3)
    def my_projects(self):
        page = self.client.get("/projects/", name="my projects")
        if projects := _ids(page.text, r'href="/projects/(\d+)"'):
            self.client.get(f"/projects/{random.choice(projects)}", name="my project")


class Company(SignedIn):
    """The matched-project list with and without filters, and project summaries."""

    weight = 4
    email = "company@demo.chunfeng.cn"
    FILTERS = ("", "?device_class=II", "?stage=prototype", "?q=导管", "?device_class=III&stage=clinical",
               "?page=2")

    @task(4)
    def matched_projects(self):
        query = random.choice(self.FILTERS)
        page = self.client.get(f"/matching/projects{query}", name="matched projects" + (" (filtered)" if query else ""))
        if projects := _ids(page.text, r'href="/matching/projects/(\d+)"'):
            self.client.get(f"/matching/projects/{random.choice(projects)}", name="project summary")


class Expert(SignedIn):
    weight = 2
    email = "expert@demo.chunfeng.cn"

    @task(3)
    def my_reviews(self):
        page = self.client.get("/reviews/mine", name="my reviews")
        if assignments := _ids(page.text, r'href="/reviews/assignments/(\d+)"'):
            self.client.get(f"/reviews/assignments/{random.choice(assignments)}", name="review page")


class Administrator(SignedIn):
    weight = 1
    email = "admin@demo.chunfeng.cn"

    @task(2)
    def dashboard(self):
        self.client.get("/admin", name="admin dashboard")

    @task(1)
    def accounts(self):
        self.client.get("/admin/accounts?status=pending", name="account approvals")

    @task(1)
    def audit(self):
        self.client.get("/admin/audit", name="audit log")

    @task(1)
    def rounds(self):
        page = self.client.get("/reviews/rounds", name="review rounds")
        if rounds := _ids(page.text, r'href="/reviews/rounds/(\d+)"'):
            self.client.get(f"/reviews/rounds/{random.choice(rounds)}", name="round panel")


# --- exact response times for scripts/load_test.py -----------------------------------------------------------
# Locust's CSV rounds percentiles and mixes the (deliberately slow, scrypt) log-in with the pages; the script
# wants exact per-page figures, so every request's time is kept and written out when Locust stops.

_TIMES: list[tuple[str, float, bool]] = []


@events.request.add_listener
def _keep_time(request_type, name, response_time, response_length, exception=None, **kwargs):  # noqa: ARG001
    _TIMES.append((name, response_time, exception is not None))


@events.quitting.add_listener
def _write_times(environment, **kwargs):  # noqa: ARG001
    if path := os.environ.get("CHUNFENG_LOAD_TIMES"):
        with open(path, "w", encoding="utf-8") as out:
            json.dump(_TIMES, out)
