"""Hostile input never answers 5xx: every route of the URL map, as a visitor and as each role of the demo.

The routes are generated from the app's URL map, so a new route is probed without being listed here. Each is sent
ids past what any database stores, huge and non-numeric query values, 100,000-character strings, NUL bytes and
invalid UTF-8, by GET and (where it takes them) by POST with a form of such values. The demo is seeded once per
test worker in a database of its own, which no other test empties.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from chunfeng.demo.people import DEMO_PEOPLE
from tests.conftest import login, seeded_demo

HUGE_IDS = (2**31, 2**63, 10**30)
HUGE = str(10**30)
LONG = "长" * 100_000
# Query names the platform reads as numbers or filters somewhere; sending them everywhere costs nothing.
QUERY_NAMES = ("page", "org", "actor", "object_id", "officer", "round", "project", "status", "kind", "role",
               "specialty", "province", "q", "lang", "next")
FORM_NAMES = ("title", "name", "text", "body", "reason", "note", "comment", "q", "email", "password", "keep_id",
              "officer", "round_id", "expert_id", "lock_version", "score", "next", "page", "quantity")
NUMERIC_FIELDS = ("keep_id", "officer", "round_id", "expert_id", "lock_version", "score", "page", "quantity")
ROLES = ("anonymous", *sorted({role.value for role, *_rest in DEMO_PEOPLE}))


@pytest.fixture(scope="session")
def hostile_world(tmp_path_factory):
    """The demo in a database of its own: SQLite file, or a PostgreSQL database per worker."""
    with seeded_demo(tmp_path_factory, "hostile", PROPAGATE_EXCEPTIONS=False) as app:
        yield app


def _email_of(role: str) -> str:
    return next(email for person_role, email, *_rest in DEMO_PEOPLE if person_role.value == role)


def _urls(app, ids) -> list[tuple[str, set[str]]]:
    """Every rule of the URL map built with `ids` for each integer part, hostile text for the others."""
    built = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith("logout"):
            continue
        path = rule.rule
        for name, converter in rule._converters.items():
            if isinstance(converter, IntegerConverter):
                value = str(ids)
            elif isinstance(converter, AnyConverter):
                value = converter.regex.removeprefix("(?:").split("|")[0].replace("\\", "")
            else:
                value = quote("长" * 300) + "%00"
            path = re.sub(r"<[^<>]*\b" + name + ">", value, path, count=1)
        built.append((path, rule.methods - {"HEAD", "OPTIONS"}))
    return built


def _fail_on_5xx(client, method: str, url: str, failures: list, **kwargs) -> None:
    with client.open(url, method=method, **kwargs) as response:
        if response.status_code >= 500:
            failures.append(f"{method} {url[:160]} -> {response.status_code}")


def _hostile_query() -> str:
    return "&".join(f"{name}={HUGE}" for name in QUERY_NAMES[:-3]) + f"&q={quote(LONG[:1999])}&lang=%FF%FE&next=//x"


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_route_answers_5xx_to_hostile_input(hostile_world, role):
    client = hostile_world.test_client()
    if role != "anonymous":
        assert login(client, _email_of(role)).status_code == 302
    failures: list[str] = []
    plain = _urls(hostile_world, 1)
    for huge in HUGE_IDS:
        for (url, methods), (plain_url, _methods) in zip(_urls(hostile_world, huge), plain, strict=True):
            if url != plain_url:  # the route has an integer part
                for method in methods:
                    _fail_on_5xx(client, method, url, failures)
    hostile_form = {name: HUGE if name in NUMERIC_FIELDS else LONG[:5000] for name in FORM_NAMES}
    hostile_form["text"] = LONG
    for url, methods in plain:
        if "GET" in methods:
            _fail_on_5xx(client, "GET", f"{url}?{_hostile_query()}", failures)
            with client.get(f"{url}?q=%00") as nul:
                assert nul.status_code in (301, 302, 308, 400, 404), (url, nul.status_code)
        for method in methods - {"GET"}:
            _fail_on_5xx(client, method, url, failures, data=hostile_form)
            _fail_on_5xx(client, method, url, failures, data={"title": "a\x00b"})
    assert not failures, "\n".join(failures[:40])


def test_nul_bytes_are_refused_with_a_message_in_the_users_language(hostile_world):
    client = hostile_world.test_client()
    page = client.get("/community/search?q=%00")
    assert page.status_code == 400 and "不允许的字符" in page.get_data(as_text=True)
    page = client.get("/community/search?q=%00&lang=en")
    assert page.status_code == 400 and "not allowed" in page.get_data(as_text=True)


def test_a_search_of_100000_characters_is_refused_with_a_message(hostile_world):
    page = hostile_world.test_client().get(f"/community/search?q={quote(LONG)}")
    assert page.status_code == 400 and "太长" in page.get_data(as_text=True)


def test_ids_past_the_database_range_are_simply_not_found(hostile_world):
    client = hostile_world.test_client()
    for url in ("/projects/2147483648", "/results/9223372036854775808", "/community/needs/99999999999999999999"):
        assert client.get(url).status_code in (302, 404), url
