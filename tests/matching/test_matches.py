"""Stored matches: ranking, explanations, structured signals, refresh on change, and pages that never refit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chunfeng.db import db
from chunfeng.matching import browsing as browsing_module
from chunfeng.matching.models import MatchResult, ProfileKind
from chunfeng.matching.refresh import refresh_matches
from chunfeng.submissions.models import Project, Stage
from chunfeng.submissions.status import Event, Status, apply
from chunfeng.textengine import engine
from chunfeng.textengine import index as index_module
from tests.conftest import login

from .conftest import (
    EYE_COMPANY,
    GLAUCOMA,
    ORTHO_COMPANY,
    STENT_COMPANY,
    THROMBECTOMY,
    matches_of_project,
    org_ids_ranked_for,
    profile_id_of,
)


@pytest.fixture
def corpus(clinician, add_project, add_company):
    """Three companies and two released projects; matches are refreshed as they are committed."""
    stent = add_company("上海神经介入器械有限公司", STENT_COMPANY)
    eye = add_company("成都眼科影像有限公司", EYE_COMPANY)
    ortho = add_company("北京骨科植入物有限公司", ORTHO_COMPANY)
    return {
        "stent": stent, "eye": eye, "ortho": ortho,
        "thrombectomy": add_project(clinician, **THROMBECTOMY), "glaucoma": add_project(clinician, **GLAUCOMA),
    }


def test_each_project_matches_the_company_that_makes_such_devices_first(app, corpus):
    assert org_ids_ranked_for(app, corpus["thrombectomy"])[0] == corpus["stent"].organization_id
    assert org_ids_ranked_for(app, corpus["glaucoma"])[0] == corpus["eye"].organization_id


def test_each_match_says_why_with_shared_terms_and_structured_signals(app, corpus):
    best = matches_of_project(app, corpus["thrombectomy"])[0]
    assert any("取栓" in term for term in best.terms), best.terms
    assert "class:III" in best.signals  # the stent maker has class III registrations
    assert "cooperation:codev" in best.signals
    glaucoma_best = matches_of_project(app, corpus["glaucoma"])[0]
    assert any("眼底" in term or "青光眼" in term for term in glaucoma_best.terms), glaucoma_best.terms
    assert "class:III" not in glaucoma_best.signals  # the eye company registered class II only


def test_top_k_is_kept_in_both_directions(app, corpus, clinician, add_project):
    app.config["MATCH_TOP_K"] = 1
    add_project(clinician, title="取栓导管", public_summary="颅内取栓抽吸导管", specialty="神经介入")
    with app.app_context():
        refresh_matches()
        db.session.commit()
        rows = db.session.scalars(select(MatchResult)).all()
        per_project = {(r.project_id) for r in rows if r.rank_for_project == 1}
        assert all(r.rank_for_project in (None, 1) and r.rank_for_org in (None, 1) for r in rows)
        assert len([r for r in rows if r.rank_for_org == 1]) == 3  # one best project per company
        assert len(per_project) == 3  # one best company per project


def test_investor_is_filtered_by_stage_and_same_province_counts(app, clinician, add_project, add_company):
    fund = add_company("大湾区医疗基金", dict(kind=ProfileKind.INVESTOR, region="广东省", stages=["prototype"],
                                        focus_areas="神经介入取栓支架、眼科人工智能、手术机器人", ticket_min=500))
    idea = add_project(clinician, **GLAUCOMA)  # stage: idea
    prototype = add_project(clinician, **THROMBECTOMY)  # stage: prototype; the clinician's hospital is in 广东省
    assert fund.organization_id not in org_ids_ranked_for(app, idea)
    match = matches_of_project(app, prototype)[0]
    assert match.organization_id == fund.organization_id
    assert {"stage:prototype", "region:广东省"} <= set(match.signals)


def test_pending_profiles_and_unreleased_projects_are_not_matched(app, clinician, add_project, add_company):
    add_company("待审核企业", STENT_COMPANY, approved=False)
    draft = add_project(clinician, status=Status.UNDER_REVIEW, **THROMBECTOMY)
    released = add_project(clinician, **THROMBECTOMY)
    assert matches_of_project(app, released) == []
    assert matches_of_project(app, draft) == []


def test_editing_a_released_project_refreshes_its_matches(app, corpus):
    with app.app_context():
        project = db.session.get(Project, corpus["glaucoma"])
        project.title, project.public_summary = "3D打印钛合金人工椎体", "脊柱肿瘤切除后用3D打印钛合金人工椎体重建"
        project.need_problem = "人工椎体与终板贴合差"
        db.session.commit()
    assert org_ids_ranked_for(app, corpus["glaucoma"])[0] == corpus["ortho"].organization_id


def test_releasing_a_project_for_matching_stores_its_matches(app, corpus, clinician, add_project):
    project_id = add_project(clinician, status=Status.SELECTED, **THROMBECTOMY)
    with app.app_context():
        project = db.session.get(Project, project_id)
        project.published_at = None  # selected but results not yet published: not matchable
        db.session.commit()
    assert matches_of_project(app, project_id) == []
    with app.app_context():
        project = db.session.get(Project, project_id)
        apply(project, Event.RELEASE_FOR_MATCHING, None)
        db.session.commit()
    assert org_ids_ranked_for(app, project_id)[0] == corpus["stent"].organization_id


def test_editing_a_profile_through_the_page_refreshes_matches(app, client, corpus):
    login(client, corpus["ortho"].email)
    response = client.post("/matching/profile", data={
        "business_scope": "青光眼AI筛查：根据眼底照相判断视盘青光眼样改变，自动提示图像质量不合格", "region": "北京市",
        "registration_experience": ["III"]})
    assert response.status_code == 302
    best = matches_of_project(app, corpus["glaucoma"])[0]
    assert best.organization_id == corpus["ortho"].organization_id
    assert any("青光眼" in term for term in best.terms)


def test_drafts_do_not_trigger_a_refresh(app, clinician, add_company, add_project, monkeypatch):
    add_company("上海神经介入器械有限公司", STENT_COMPANY)

    def no_fit(*args, **kwargs):
        raise AssertionError("the index was fitted")

    monkeypatch.setattr(engine.TextIndex, "pair", no_fit)
    monkeypatch.setattr(index_module.MatchIndex, "build", no_fit)
    monkeypatch.setattr(index_module.Vocabulary, "fit", no_fit)
    add_project(clinician, status=Status.DRAFT, **THROMBECTOMY)  # commits without fitting


def test_pages_read_stored_matches_and_never_refit(app, client, corpus, clinician, monkeypatch):
    def no_fit(*args, **kwargs):
        raise AssertionError("a page fitted the index")

    monkeypatch.setattr(engine.TextIndex, "pair", no_fit)
    monkeypatch.setattr(engine.TextIndex, "__init__", no_fit)
    monkeypatch.setattr(engine, "fit_vectorizer", no_fit)
    monkeypatch.setattr(index_module.MatchIndex, "build", no_fit)
    monkeypatch.setattr(index_module.Vocabulary, "fit", no_fit)
    login(client, corpus["stent"].email)
    page = client.get("/matching/projects")
    assert page.status_code == 200 and THROMBECTOMY["title"] in page.get_data(as_text=True)
    assert client.get(f"/matching/projects/{corpus['thrombectomy']}").status_code == 200
    client.post("/account/logout")
    login(client, clinician.email)
    page = client.get(f"/matching/suggestions/{corpus['thrombectomy']}").get_data(as_text=True)
    assert "上海神经介入器械有限公司" in page and "取栓" in page


def test_cli_command_recomputes_everything(app, runner, corpus):
    with app.app_context():
        db.session.execute(db.delete(MatchResult))
        db.session.commit()
    result = runner.invoke(args=["refresh-matches"])
    assert result.exit_code == 0, result.output
    assert "2 projects" in result.output and "3 profiles" in result.output
    assert org_ids_ranked_for(app, corpus["thrombectomy"])[0] == corpus["stent"].organization_id


def test_returning_an_approved_profile_removes_its_matches(app, client, corpus, make_user):
    admin = make_user("admin")
    profile_id = profile_id_of(app, corpus["stent"])
    login(client, admin.email)
    response = client.post(f"/matching/admin/profiles/{profile_id}",
                           data={"decision": "return", "note": "请补充注册证"})
    assert response.status_code == 302
    assert corpus["stent"].organization_id not in org_ids_ranked_for(app, corpus["thrombectomy"])


# --- browsing -----------------------------------------------------------------------------------------

def _titles(client, **params) -> str:
    response = client.get("/matching/projects", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def browsing(client, corpus, clinician, add_project):
    """The stent company, logged in, with the two corpus projects and an English-language one released."""
    add_project(clinician, title="Self-expanding carotid STENT", public_summary="A carotid stent for stroke prevention",
                specialty="神经介入", stage=Stage.ANIMAL)
    login(client, corpus["stent"].email)
    return corpus


def test_matched_projects_show_summary_score_and_why(client, browsing):
    page = _titles(client)
    assert THROMBECTOMY["title"] in page and "匹配度" in page and "取栓" in page
    assert "有III类注册经验" in page
    assert THROMBECTOMY["solution"] not in page and THROMBECTOMY["need_problem"] not in page


def test_search_works_in_chinese_and_english(client, browsing):
    page = _titles(client, scope="all", q="取栓")
    assert THROMBECTOMY["title"] in page and GLAUCOMA["title"] not in page
    page = _titles(client, scope="all", q="stent")
    assert "Self-expanding carotid STENT" in page and THROMBECTOMY["title"] not in page
    assert "Projects found: 0" in _titles(client, scope="all", q="%", lang="en")  # wildcards are literal


def test_filters_by_specialty_class_stage_and_province(client, browsing):
    page = _titles(client, scope="all", specialty="眼科")
    assert GLAUCOMA["title"] in page and THROMBECTOMY["title"] not in page
    page = _titles(client, scope="all", stage="animal")
    assert "Self-expanding carotid STENT" in page and GLAUCOMA["title"] not in page
    page = _titles(client, scope="all", device_class="III", region="广东省")
    assert THROMBECTOMY["title"] in page and "Self-expanding" not in page
    assert "Projects found: 0" in _titles(client, scope="all", region="西藏自治区", lang="en")


def test_saving_a_project_lists_it_under_saved(client, browsing):
    assert THROMBECTOMY["title"] not in _titles(client, scope="saved")
    client.post(f"/matching/projects/{browsing['thrombectomy']}/save", data={"saved": "1"})
    page = _titles(client, scope="saved")
    assert THROMBECTOMY["title"] in page and GLAUCOMA["title"] not in page
    client.post(f"/matching/projects/{browsing['thrombectomy']}/save", data={"saved": "0"})
    assert THROMBECTOMY["title"] not in _titles(client, scope="saved")


def test_pagination(client, browsing, monkeypatch):
    monkeypatch.setattr(browsing_module, "PER_PAGE", 2)
    first, second = _titles(client, scope="all"), _titles(client, scope="all", page=2)
    shown = [THROMBECTOMY["title"], GLAUCOMA["title"], "Self-expanding carotid STENT"]
    assert sum(t in first for t in shown) == 2 and sum(t in second for t in shown) == 1


def test_projects_not_released_answer_404_to_companies(client, browsing, clinician, add_project):
    hidden = add_project(clinician, status=Status.UNDER_REVIEW, **THROMBECTOMY)
    assert client.get(f"/matching/projects/{hidden}").status_code == 404
    assert client.post(f"/matching/projects/{hidden}/save", data={"saved": "1"}).status_code == 404


def test_a_company_with_a_pending_profile_is_told_to_wait(client, add_company, corpus):
    waiting = add_company("新注册企业", STENT_COMPANY, approved=False)
    login(client, waiting.email)
    page = client.get("/matching/projects").get_data(as_text=True)
    assert "等待管理员审核" in page and THROMBECTOMY["title"] not in page
    assert client.get(f"/matching/projects/{corpus['thrombectomy']}").status_code == 403


def test_clinicians_and_experts_cannot_browse(client, login_as):
    login_as("clinician")
    assert client.get("/matching/projects").status_code == 403
    client.post("/account/logout")
    login_as("expert")
    assert client.get("/matching/projects").status_code == 403


def test_the_clinician_sees_suggestions_only_for_own_project(client, corpus, make_user):
    other = make_user("clinician")
    login(client, other.email)
    assert client.get(f"/matching/suggestions/{corpus['thrombectomy']}").status_code == 404


def test_a_partial_refresh_explains_only_the_pairs_whose_texts_changed(app, corpus):
    with app.app_context():
        counts = refresh_matches(project_ids=[corpus["thrombectomy"]])
        db.session.commit()
        pairs_of_project = db.session.scalar(select(db.func.count()).select_from(MatchResult).where(
            MatchResult.project_id == corpus["thrombectomy"]))
        assert counts.rows > pairs_of_project > 0
        assert counts.explained == pairs_of_project
        assert refresh_matches().explained == counts.rows
        db.session.commit()
