"""The dashboard's charts count thousands of rows: each worker counts them at most once a minute, at once after a
change made through it, and the page says when they were counted."""

from __future__ import annotations

import json
import re

from sqlalchemy import update

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.submissions.models import Project


def _specialties(page: str) -> set[str]:
    """The labels of the specialty chart."""
    configs = [json.loads(raw.replace("&#34;", '"')) for raw in re.findall(r"data-chart='([^']*)'", page)]
    labels = [set(c["labels"]) for c in configs]
    return next(found for found in labels if found & {"心血管内科", "神经内科", "眼科", "骨科"})


def _written_by_another_worker(app) -> None:
    """A change committed by another process: nothing of this worker's session sees it being made."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(update(Project).where(Project.specialty == "眼科").values(specialty="骨科"))


def test_figures_stay_as_counted_for_a_minute_and_say_when(app, client, login_as, make_user, make_project):
    doctor = make_user(Role.CLINICIAN)
    make_project(doctor, "submitted", specialty="眼科")
    make_project(doctor, "accepted", specialty="神经内科")
    login_as(Role.ADMIN)
    page = client.get("/admin").get_data(as_text=True)
    assert _specialties(page) == {"眼科", "神经内科"}
    assert re.search(r"统计于 \d\d:\d\d；图表和专家表每分钟重新统计一次。", page)

    _written_by_another_worker(app)
    assert _specialties(client.get("/admin").get_data(as_text=True)) == {"眼科", "神经内科"}

    app.config["RECENT_SECONDS"] = 0  # a minute later
    assert _specialties(client.get("/admin").get_data(as_text=True)) == {"骨科", "神经内科"}


def test_a_change_made_through_this_worker_shows_at_once(app, client, login_as, make_user, make_project):
    doctor = make_user(Role.CLINICIAN)
    make_project(doctor, "submitted", specialty="眼科")
    login_as(Role.ADMIN)
    assert _specialties(client.get("/admin").get_data(as_text=True)) == {"眼科"}

    make_project(doctor, "submitted", specialty="心血管内科")
    assert _specialties(client.get("/admin").get_data(as_text=True)) == {"眼科", "心血管内科"}


def test_each_period_is_counted_apart(client, login_as, make_user, make_project):
    doctor = make_user(Role.CLINICIAN)
    make_project(doctor, "submitted", specialty="眼科")
    login_as(Role.ADMIN)
    assert _specialties(client.get("/admin").get_data(as_text=True)) == {"眼科"}
    page = client.get("/admin?from=2001-01-01&to=2001-12-31").get_data(as_text=True)
    assert "2001-01-01" in page and "data-chart" not in page  # nothing was submitted in 2001


def test_an_application_shows_on_the_administrators_workspace_at_once_and_another_workers_within_a_minute(
        app, client, login_as, make_user):
    from chunfeng.accounts.models import AccountStatus, User

    make_user(Role.CLINICIAN)
    login_as(Role.ADMIN)
    assert "个账号待审核" not in client.get("/dashboard").get_data(as_text=True)
    make_user(Role.EXPERT, status=AccountStatus.PENDING)  # applied through this worker
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 个账号待审核" in page and "统计于" in page

    with app.app_context(), db.engine.begin() as connection:  # and one through another worker
        changed = connection.execute(update(User).where(User.role == Role.CLINICIAN)
                                     .values(status=AccountStatus.PENDING))
        assert changed.rowcount == 1
    assert "1 个账号待审核" in client.get("/dashboard").get_data(as_text=True)
    app.config["RECENT_SECONDS"] = 0  # a minute later
    assert "2 个账号待审核" in client.get("/dashboard").get_data(as_text=True)
