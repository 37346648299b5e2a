"""Locust users for the saturation phase of scripts/load_test.py: closed-loop clients (no waiting between
requests) that fetch one page again and again, signed in as a demo person when the page needs one, so that the
requests per second a page is served at can be set beside a bare Flask page's under the same gunicorn set-up.

The page and the person come from the environment: CHUNFENG_SATURATION_PATH (a path), CHUNFENG_SATURATION_EMAIL
(empty: not signed in) and CHUNFENG_DEMO_PASSWORD. The baseline's app is scripts/bare_app.py.
"""

from __future__ import annotations

import os
import re

from locust import FastHttpUser, constant, task

PATH = os.environ.get("CHUNFENG_SATURATION_PATH", "/")
EMAIL = os.environ.get("CHUNFENG_SATURATION_EMAIL", "")
PASSWORD = os.environ.get("CHUNFENG_DEMO_PASSWORD", "")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class OnePage(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        if not EMAIL:
            return
        form = self.client.get("/account/login", name="log-in form")
        token = CSRF.search(form.text)
        self.client.post("/account/login", name="log in", allow_redirects=False,
                         data={"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1) if token else ""})

    @task
    def page(self):
        self.client.get(PATH, name="page")
