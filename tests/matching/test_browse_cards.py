"""The matched projects page draws each card once for what it shows: a change to the project shows at once, each
organisation sees its own saved mark, each language its own words, and a worker keeps a bounded number of cards."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from chunfeng.core import fragments
from chunfeng.db import db
from chunfeng.submissions.models import Project
from tests.conftest import login

from .conftest import EYE_COMPANY, GLAUCOMA, STENT_COMPANY, THROMBECTOMY


@pytest.fixture
def released(clinician, add_project):
    return {"thrombectomy": add_project(clinician, **THROMBECTOMY), "glaucoma": add_project(clinician, **GLAUCOMA)}


def _all(client, lang="en") -> str:
    response = client.get("/matching/projects", query_string={"scope": "all", "lang": lang})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _card(page: str, title: str) -> str:
    start = page.index(title)
    return page[page.rindex("<article", 0, start):page.index("</article>", start)]


def test_a_project_changed_elsewhere_shows_its_new_title_at_once(app, client, released, add_company):
    login(client, add_company("上海神经介入器械有限公司", STENT_COMPANY).email)
    assert THROMBECTOMY["title"] in _all(client)
    with app.app_context(), db.engine.begin() as connection:  # as another worker would write it
        connection.execute(update(Project).where(Project.id == released["thrombectomy"])
                           .values(title="Retrieval stent, second design"))
    page = _all(client)
    assert "Retrieval stent, second design" in page and THROMBECTOMY["title"] not in page


def test_each_organisation_sees_its_own_saved_mark(app, client, released, add_company):
    stent_maker = add_company("上海神经介入器械有限公司", STENT_COMPANY)
    other = add_company("杭州眼科器械有限公司", EYE_COMPANY)
    login(client, stent_maker.email)
    client.post(f"/matching/projects/{released['thrombectomy']}/save", data={"saved": "1"})
    saved_card = _card(_all(client), THROMBECTOMY["title"])
    assert "Remove from saved" in saved_card and 'aria-pressed="true"' in saved_card
    client.post("/account/logout")
    login(client, other.email)
    card = _card(_all(client), THROMBECTOMY["title"])
    assert "Save project" in card and 'aria-pressed="false"' in card and "Remove from saved" not in card


def test_each_language_draws_its_own_cards(client, released, add_company):
    login(client, add_company("上海神经介入器械有限公司", STENT_COMPANY).email)
    assert "View summary" in _card(_all(client, "en"), THROMBECTOMY["title"])
    chinese = _card(_all(client, "zh_Hans_CN"), THROMBECTOMY["title"])
    assert "查看摘要" in chinese and "View summary" not in chinese


def test_a_worker_keeps_a_bounded_number_of_pieces(app):
    app.config["FRAGMENTS_KEPT"] = 2
    drawn = []
    with app.test_request_context("/"):
        for n in (1, 2, 3, 1):
            fragments.remembered("test", n, caller=lambda n=n: drawn.append(n) or f"<b>{n}</b>")
        assert len(app.extensions[fragments._EXTENSION]) == 2
    assert drawn == [1, 2, 3, 1]  # the first was dropped when the third came, and drawn again


def test_a_piece_keyed_by_an_undefined_value_is_refused_rather_than_shown_to_every_reader(app):
    """A template asking for a value its row does not have would give every row the same key."""
    template = app.jinja_env.from_string('{% call remembered("test", row.missing) %}{{ row.title }}{% endcall %}')
    with app.test_request_context("/"), pytest.raises(TypeError, match="undefined"):
        template.render(row={"title": "一"})
