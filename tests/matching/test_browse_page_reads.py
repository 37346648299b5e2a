"""The matched projects page reads what it shows in few statements: its rows with the number of projects found in
one, the filter menus kept for a minute (at once again after a change made in this process), the profile's status
alone; its filter menus written as the WTForms widget writes them."""

from __future__ import annotations

import re

import pytest
from flask import request
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from chunfeng.db import db
from chunfeng.forms import choices
from chunfeng.matching import browsing
from chunfeng.matching.forms import BrowseForm
from chunfeng.submissions.models import Project, Stage
from chunfeng.submissions.status import Status
from tests.conftest import login
from tests.main.test_workspace_statements import workspace_statements

from .conftest import GLAUCOMA, STENT_COMPANY, THROMBECTOMY

CAROTID = dict(title="Self-expanding carotid STENT", public_summary="A carotid stent for stroke prevention",
               specialty="神经介入", stage=Stage.ANIMAL)


@pytest.fixture
def company(client, clinician, add_project, add_company):
    """The stent maker, signed in, with three released projects (two of them matched to it) and one under review."""
    user = add_company("上海神经介入器械有限公司", STENT_COMPANY)
    ids = {"thrombectomy": add_project(clinician, **THROMBECTOMY), "glaucoma": add_project(clinician, **GLAUCOMA),
           "carotid": add_project(clinician, **CAROTID),
           "hidden": add_project(clinician, status=Status.UNDER_REVIEW, title="未发布", specialty="骨科")}
    assert login(client, user.email).status_code == 302
    return ids


def _page(client, **params) -> str:
    response = client.get("/matching/projects", query_string={**params, "lang": "en"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _options(page: str, name: str) -> list[str]:
    menu_html = re.search(rf'<select[^>]* name="{name}">(.*?)</select>', page).group(1)
    return re.findall(r'value="([^"]*)"', menu_html)


def test_the_page_reads_its_rows_with_their_total_in_one_statement(app, client, company):
    statements = workspace_statements(app, client, "/matching/projects?scope=all")
    # the signed-in person, the organisation's profile status, the page's rows with the number found
    assert len(statements) == 3, "\n".join(sql[:160] for sql in statements)
    assert not any("DISTINCT" in sql for sql in statements)  # the menus were read by the first visit
    assert [sql for sql in statements if "count(*) OVER ()" in sql]
    page = _page(client, scope="all")
    assert "Projects found: 3" in page and all(p["title"] in page for p in (THROMBECTOMY, GLAUCOMA, CAROTID))
    assert "未发布" not in page
    # one form carries the token and the way back; each card's button names it with its own project
    assert page.count('name="next" value="/matching/projects?scope=all&amp;lang=en"') == 1
    assert page.count('form="save-project" formaction="/matching/projects/') == 3


def test_a_page_past_the_last_shows_the_last_page(client, company, monkeypatch):
    monkeypatch.setattr(browsing, "PER_PAGE", 2)
    page = _page(client, scope="all", page=9)
    assert "Projects found: 3" in page
    assert sum(p["title"] in page for p in (THROMBECTOMY, GLAUCOMA, CAROTID)) == 1
    assert re.search(r'<a class="page-link" href="[^"]*page=2[^"]*" aria-current="page">2</a>', page)
    empty = _page(client, scope="all", q="nothing like it", page=3)
    assert "Projects found: 0" in empty and "No project matches these filters." in empty


def test_a_specialty_released_here_shows_in_the_menu_at_once(app, client, company, clinician, add_project):
    assert _options(_page(client), "specialty") == ["", "眼科", "神经介入"]
    add_project(clinician, title="骨科植入物", public_summary="3D打印椎体", specialty="骨科")  # committed here
    assert _options(_page(client), "specialty") == ["", "眼科", "神经介入", "骨科"]


def test_the_menus_are_counted_again_within_a_minute_of_a_change_made_elsewhere(app, client, company, monkeypatch):
    """Another worker's change is not seen by this process's session: the menus show it once a minute has passed,
    and are not read again on every visit before that."""
    assert "骨科" not in _options(_page(client), "specialty")
    with app.app_context(), db.engine.begin() as connection:  # as another process would write it
        connection.execute(update(Project).where(Project.id == company["hidden"])
                           .values(status=Status.MATCHING, published_at=db.func.current_timestamp()))
    assert "骨科" not in _options(_page(client), "specialty")
    later = browsing.MENUS._clock() + 61
    monkeypatch.setattr(browsing.MENUS, "_clock", lambda: later)
    assert _options(_page(client), "specialty") == ["", "眼科", "神经介入", "骨科"]


@pytest.mark.parametrize(("args", "chosen"), [
    ({}, False),
    ({"specialty": "眼科", "device_class": "II", "stage": "idea", "region": "x"}, True),
    ({"specialty": '<b>&"', "device_class": "bogus", "stage": "animal", "region": "nowhere"}, True),
])
def test_the_menus_read_as_the_widget_writes_them(app, args, chosen):
    """Ids, names, labels (escaped, in the reader's language), values and the selected option exactly as users and
    the browser tests saw them when WTForms wrote the menus."""
    with app.test_request_context("/matching/projects", query_string={**args, "lang": "en"}):
        menu = app.jinja_env.get_template("matching/_macros.html").module.menu
        form = BrowseForm(request.args)
        form.specialty.choices = choices([("", _l("Any")), ("眼科", "眼科"), ('<b>&"', '<b>&"'), ("no label", "")])
        form.region.choices = choices([("", _l("Any")), ("x", "X 省")])
        for field in (form.specialty, form.device_class, form.stage, form.region):
            assert menu(field, "form-select") == field(class_="form-select")
        assert ('<option selected value="' in menu(form.specialty, "form-select")) is chosen
        assert '<option value="">Any</option>' in menu(form.stage, "form-select")
