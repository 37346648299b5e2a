"""The stored match index: versions every worker loads, changes applied without fitting, reasons a user trusts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chunfeng.db import db
from chunfeng.matching import store
from chunfeng.matching.models import MatchDocument, MatchIndexVersion, MatchResult
from chunfeng.matching.refresh import refresh_matches
from chunfeng.submissions.models import Project
from chunfeng.textengine import index as index_module
from tests.conftest import login

from .conftest import EYE_COMPANY, GLAUCOMA, ORTHO_COMPANY, STENT_COMPANY, THROMBECTOMY, profile_id_of

# The stent maker also names a term that this project has only in its confidential clinical need.
STENT_WITH_RECANALISATION = {**STENT_COMPANY, "rd_capability": "提高首次再通率的支架编织工艺；动物实验平台。"}
GENERIC = ("导致", "判断", "小时", "长期", "患者")

# (project, company, reasons a company may be shown before consent, reasons it must never be shown)
REASON_TABLE = [
    ("thrombectomy", "stent", {"取栓支架"}, {"再通", "导致", *GENERIC}),
    ("glaucoma", "eye", {"青光眼", "眼底照相"}, {"眼科医生", "读片", "漏诊", *GENERIC}),
    ("glaucoma", "stent", set(), {"再通", *GENERIC}),
]


@pytest.fixture
def corpus(clinician, add_project, add_company):
    stent = add_company("上海神经介入器械有限公司", STENT_WITH_RECANALISATION)
    eye = add_company("成都眼科影像有限公司", EYE_COMPANY)
    ortho = add_company("北京骨科植入物有限公司", ORTHO_COMPANY)
    return {"stent": stent, "eye": eye, "ortho": ortho,
            "thrombectomy": add_project(clinician, **THROMBECTOMY), "glaucoma": add_project(clinician, **GLAUCOMA)}


def _match(app, project_id: int, org_id: int) -> MatchResult | None:
    with app.app_context():
        row = db.session.scalar(select(MatchResult).where(
            MatchResult.project_id == project_id, MatchResult.organization_id == org_id))
        if row is not None:
            db.session.expunge(row)
        return row


@pytest.mark.parametrize(("project", "company", "wanted", "unwanted"), REASON_TABLE)
def test_reasons_are_whole_terms_from_what_the_viewer_may_see(app, corpus, project, company, wanted, unwanted):
    match = _match(app, corpus[project], corpus[company].organization_id)
    public = [term for term, _field in match.labelled()] if match else []
    assert all(any(w in t for t in public) for w in wanted), public
    for term in public:
        assert len(term) > 1, public
        assert not any(bad == term or bad in term for bad in unwanted), public
    assert all(field for _term, field in (match.labelled() if match else [])), "each reason says where it was found"


def test_a_term_only_in_the_confidential_need_is_a_reason_for_the_clinician_only(app, client, corpus, clinician):
    match = _match(app, corpus["thrombectomy"], corpus["stent"].organization_id)
    assert not any("再通" in term for term in match.terms)
    assert ("再通", "rd_capability") in match.labelled(full=True), match.labelled(full=True)
    login(client, corpus["stent"].email)
    page = client.get("/matching/projects").get_data(as_text=True)
    assert "取栓支架" in page and "再通" not in page
    assert "· 产品线" in page or "· 经营范围" in page, "a reason says in which profile field it was found"
    client.post("/account/logout")
    login(client, clinician.email)
    page = client.get(f"/matching/suggestions/{corpus['thrombectomy']}").get_data(as_text=True)
    assert "再通" in page and "研发能力" in page


def test_administrators_see_a_profiles_matches_with_their_reasons(app, client, corpus, make_user):
    admin = make_user("admin")
    profile_id = profile_id_of(app, corpus["stent"])
    login(client, admin.email)
    page = client.get(f"/matching/admin/profiles/{profile_id}").get_data(as_text=True)
    assert THROMBECTOMY["title"] in page and "取栓支架" in page and ("· 产品线" in page or "· 经营范围" in page)


def test_the_index_is_stored_with_a_version_and_documents_per_field(app, corpus):
    with app.app_context():
        version = db.session.scalar(select(func.max(MatchIndexVersion.version)))
        fields = set(db.session.scalars(select(MatchDocument.field).where(
            MatchDocument.side == "profiles", MatchDocument.owner_id == corpus["stent"].organization_id,
            MatchDocument.text != "")))
        sections = set(db.session.scalars(select(MatchDocument.field).where(
            MatchDocument.side == "projects", MatchDocument.owner_id == corpus["thrombectomy"])))
    assert version >= 1
    assert {"business_scope", "product_lines", "rd_capability"} <= fields
    assert sections == {"summary", "need"}


def test_a_change_in_a_request_is_applied_with_the_stored_vocabulary_without_fitting(
        app, client, corpus, clinician, monkeypatch):
    def no_fit(*args, **kwargs):
        raise AssertionError("a request fitted the index")

    with app.app_context():
        before = db.session.scalar(select(func.max(MatchIndexVersion.version)))
    monkeypatch.setattr(index_module.MatchIndex, "build", no_fit)
    monkeypatch.setattr(index_module.Vocabulary, "fit", no_fit)
    with app.test_request_context():
        project = db.session.get(Project, corpus["glaucoma"])
        project.title, project.public_summary = "3D打印钛合金人工椎体", "脊柱肿瘤切除后用3D打印钛合金人工椎体重建"
        db.session.commit()
        assert db.session.scalar(select(func.max(MatchIndexVersion.version))) == before
        best = db.session.scalar(select(MatchResult.organization_id).where(
            MatchResult.project_id == corpus["glaucoma"], MatchResult.rank_for_project == 1))
    assert best == corpus["ortho"].organization_id


def test_workers_load_a_new_version_once_and_apply_changes_made_since(app, corpus):
    with app.app_context():
        first = store.current()
        assert store.current() is first, "the same version is not loaded again"
        refresh_matches(refit=True)
        db.session.commit()
        store.forget()  # another worker: nothing loaded yet
        second = store.current()
        assert second is not first and store.current() is second
        project = db.session.get(Project, corpus["thrombectomy"])
        project.public_summary += "配合球囊导引导管近端血流阻断。"
        db.session.commit()
        store.forget()
        reloaded = store.current()
        found = reloaded.match("球囊导引导管近端血流阻断", "projects", k=1, n_reasons=0)
        assert found and found[0].target_id == corpus["thrombectomy"], "changes made since the fit are applied"


def test_status_command_and_refit_only_when_stale(app, runner, corpus):
    result = runner.invoke(args=["match-index-status"])
    assert result.exit_code == 0, result.output
    assert "version:" in result.output and "new-term share:" in result.output and "changed since:" in result.output
    result = runner.invoke(args=["refresh-matches", "--if-stale"])
    assert result.exit_code == 0 and "nothing to do" in result.output
    result = runner.invoke(args=["refresh-matches"])
    assert result.exit_code == 0 and "index version" in result.output


def test_no_index_yet_means_no_fit_in_a_request(app, clinician, add_project, add_company, monkeypatch):
    app.config["MATCH_AUTO_REFRESH"] = False
    add_company("上海神经介入器械有限公司", STENT_COMPANY)
    add_project(clinician, **THROMBECTOMY)
    app.config["MATCH_AUTO_REFRESH"] = True
    with app.test_request_context():
        counts = refresh_matches()
        assert counts.rows == 0 and not counts.refitted
        with pytest.raises(store.FitInRequest):
            store.refit()
