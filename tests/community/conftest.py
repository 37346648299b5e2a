"""People, needs, challenges and consultations for the community tests, made through the community's services."""

from __future__ import annotations

import re
from html import unescape

import pytest

from chunfeng.accounts.models import User
from chunfeng.community import services
from chunfeng.db import db
from tests.conftest import login

ICU_NEED = dict(
    title="俯卧位通气时气管插管固定易移位",
    problem="重症患者俯卧位通气和翻身时，胶布固定的气管插管容易移位甚至非计划拔管，面部受压处出现压力性损伤。",
    population="ICU 机械通气患者", outcome="翻身时插管深度不变", specialty="重症医学科", visibility="public",
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(fast_password_hashes):
    """These tests make many accounts and test no password rule."""


def page_text(response) -> str:
    """The visible text of a page (tags removed, entities decoded, spaces collapsed)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def client_for(app):
    """A test client logged in as the user (one client per person, so sessions never mix)."""
    def make(user):
        client = app.test_client()
        assert login(client, user.email).status_code == 302
        return client
    return make


def _loaded(arg):
    if isinstance(arg, User):
        return db.session.get(User, arg.id)
    if isinstance(arg, tuple) and len(arg) == 2 and hasattr(arg[0], "__tablename__"):
        return db.session.get(*arg)  # (Model, id)
    return arg


@pytest.fixture
def run(app):
    """Run a community service in a request context, commit, and return the result's id (or the result).

    People are re-loaded in the context; pass other objects as (Model, id)."""
    def call(fn, *args, **kwargs):
        with app.test_request_context():
            result = fn(*[_loaded(a) for a in args], **{k: _loaded(v) for k, v in kwargs.items()})
            db.session.commit()
            return getattr(result, "id", result)
    return call


@pytest.fixture
def post_need(run):
    def make(author: User, **fields) -> int:
        return run(services.create_need, author, **(ICU_NEED | fields))
    return make


@pytest.fixture
def post_challenge(run):
    def make(author: User, **fields) -> int:
        values = dict(title="招募 ICU 护士参与监护仪可用性评价",
                      description="邀请重症医学科护士参与床旁监护仪可用性评价：俯卧位时的导联和管路管理、夜间报警。",
                      kind="usability", specialty="重症医学科", deadline=None) | fields
        return run(services.create_challenge, author, **values)
    return make


@pytest.fixture
def load(app):
    """Read one object's attributes after the requests that changed it (detached snapshot)."""
    def get(model, object_id: int):
        with app.app_context():
            obj = db.session.get(model, object_id)
            if obj is not None:
                db.session.expunge(obj)
            return obj
    return get
