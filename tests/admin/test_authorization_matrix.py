"""Every route x every role, generated from the app's URL map: a route without an expected answer here fails.

For each endpoint, EXPECTED says what each kind of visitor gets. GET routes are requested by every role and must
answer exactly that. Routes that only accept POST (or PUT/DELETE) are sent only by the roles that must be refused,
and the database must be unchanged afterwards; authorised roles are never POSTed here (their behaviour belongs
to each domain's own tests).

When a domain adds a route: add its line to EXPECTED, and, if its URL has a new argument name, a builder to
SAMPLES that returns a value pointing at an object of that kind which the visitor does not own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from chunfeng.accounts.models import AccountStatus, Organization, Role, User
from chunfeng.db import db
from tests.conftest import login

ROLES = ("anonymous", "clinician", "expert", "enterprise", "investor", "officer", "admin", "pending")
SIGNED_IN = ROLES[1:]
OK, LOGIN, REDIRECT, FORBIDDEN, HIDDEN = 200, "login", "redirect", 403, 404


def answers(default, **per_role) -> dict[str, object]:
    """What each role gets: anonymous visitors are sent to log in unless told otherwise."""
    table = {role: default for role in ROLES}
    table["anonymous"] = LOGIN
    table.update(per_role)
    return table


EVERYONE = {role: OK for role in ROLES}
ANY_SIGNED_IN = answers(OK)
ADMIN_ONLY = answers(FORBIDDEN, admin=OK)
GUESTS_ONLY = answers(REDIRECT, anonymous=OK)  # log-in and registration forms send signed-in people on

EXPECTED: dict[str, dict[str, object]] = {
    # main
    "main.index": EVERYONE,
    "main.privacy": EVERYONE,
    "main.dashboard": ANY_SIGNED_IN,
    "main.notifications": ANY_SIGNED_IN,
    # accounts
    "accounts.register": GUESTS_ONLY,
    "accounts.login": GUESTS_ONLY,
    "accounts.logout": ANY_SIGNED_IN,
    "accounts.profile": ANY_SIGNED_IN,
    "accounts.change_password": ANY_SIGNED_IN,
    # admin
    "admin.dashboard": ADMIN_ONLY,
    "admin.accounts": ADMIN_ONLY,
    "admin.account": ADMIN_ONLY,
    "admin.decide": ADMIN_ONLY,
    "admin.organizations": ADMIN_ONLY,
    "admin.organization": ADMIN_ONLY,
    "admin.merge_organization": ADMIN_ONLY,
    "admin.audit": ADMIN_ONLY,
    "admin.audit_csv": ADMIN_ONLY,
    "admin.settings": ADMIN_ONLY,
    "admin.my_privacy": ANY_SIGNED_IN,
    "admin.export_my_data": ANY_SIGNED_IN,
    "admin.close_account": ANY_SIGNED_IN,
}


@dataclass
class Samples:
    """Objects the URLs point at, none of them belonging to the visitor."""

    applicant: User  # a pending expert
    organization: Organization
    owner: User  # a clinician who owns `project_id`
    project_id: int


# argument name in the URL rule -> value for that argument
SAMPLES: dict[str, Callable[[Samples], object]] = {
    "user_id": lambda s: s.applicant.id,
    "org_id": lambda s: s.organization.id,
    "decision": lambda s: "approve",
    "project_id": lambda s: s.project_id,
}


@pytest.fixture
def samples(app, make_user, make_project) -> Samples:
    applicant = make_user(Role.EXPERT, status=AccountStatus.PENDING, organization="矩阵测试医院")
    owner = make_user(Role.CLINICIAN, organization="矩阵测试医院")
    with app.app_context():
        org = db.session.scalar(select(Organization).where(Organization.name == "矩阵测试医院"))
        db.session.expunge(org)
    return Samples(applicant, org, owner, make_project(owner, "submitted"))


def _routes(app) -> list[tuple[str, str, set[str]]]:
    """(endpoint, rule, methods) for every route but static files."""
    return sorted((rule.endpoint, rule.rule, set(rule.methods) - {"HEAD", "OPTIONS"})
                  for rule in app.url_map.iter_rules() if rule.endpoint != "static")


def test_every_route_has_an_expected_answer_for_every_role(app):
    missing = sorted({endpoint for endpoint, _rule, _methods in _routes(app) if endpoint not in EXPECTED})
    assert not missing, ("routes without a line in EXPECTED (tests/admin/test_authorization_matrix.py): "
                         + ", ".join(missing))
    unknown = sorted(set(EXPECTED) - {endpoint for endpoint, _rule, _methods in _routes(app)})
    assert not unknown, f"EXPECTED names routes that no longer exist: {', '.join(unknown)}"
    for endpoint, table in EXPECTED.items():
        assert set(table) == set(ROLES), f"{endpoint}: expectations must cover {ROLES}"


def test_every_url_argument_has_a_sample_builder(app):
    missing = sorted({f"{arg} (in {rule.endpoint})" for rule in app.url_map.iter_rules()
                      if rule.endpoint != "static" for arg in rule.arguments if arg not in SAMPLES})
    assert not missing, "URL arguments without a builder in SAMPLES: " + ", ".join(missing)


def _log_in(app, client, make_user, role: str) -> None:
    if role == "anonymous":
        return
    user = make_user(Role.EXPERT, status=AccountStatus.PENDING) if role == "pending" else make_user(Role(role))
    assert login(client, user.email).status_code == 302


def _fingerprint(app) -> tuple:
    """Row counts of every table plus who has which status: a refused POST must change none of it."""
    with app.app_context():
        counts = tuple(db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables)
        people = tuple(db.session.execute(select(User.id, User.status, User.name).order_by(User.id)))
        orgs = tuple(db.session.execute(select(Organization.id, Organization.name).order_by(Organization.id)))
        return counts, people, orgs


def _matches(response, expected) -> bool:
    location = response.headers.get("Location", "")
    if expected == LOGIN:
        return response.status_code == 302 and "/account/login" in location
    if expected == REDIRECT:
        return response.status_code == 302 and "/account/login" not in location
    return response.status_code == expected


def _url(app, endpoint: str, arguments, samples: Samples) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{arg: SAMPLES[arg](samples) for arg in arguments})


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_expected_answer_everywhere(app, make_user, samples, role):
    client = app.test_client()
    _log_in(app, client, make_user, role)
    wrong = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static" or rule.endpoint not in EXPECTED or not set(rule.arguments) <= set(SAMPLES):
            continue  # reported by the two tests above
        expected = EXPECTED[rule.endpoint][role]
        url = _url(app, rule.endpoint, rule.arguments, samples)
        if "GET" in rule.methods:
            response = client.get(url)
        elif expected in (LOGIN, FORBIDDEN, HIDDEN):
            before = _fingerprint(app)
            response = client.post(url, data={"keep_id": samples.organization.id})
            if _fingerprint(app) != before:
                wrong.append(f"POST {url} as {role} was refused but changed data")
        else:
            continue  # authorised POST: not exercised by the matrix
        if not _matches(response, expected):
            wrong.append(f"{'GET' if 'GET' in rule.methods else 'POST'} {url} as {role}: "
                         f"expected {expected}, got {response.status_code} {response.headers.get('Location', '')}")
    assert not wrong, "\n".join(wrong)
