"""Near duplicates in other words: a project submitted again in other words is found once its sections have an
embedding, that is, by the next `flask refresh-matches` (a request never embeds), which checks the projects
changed since the last fit again."""

from __future__ import annotations

import numpy as np
import pytest

from chunfeng.db import db
from chunfeng.matching import store
from chunfeng.submissions.models import Project
from chunfeng.submissions.services import refresh_similar, similar_projects
from chunfeng.textengine.index import MatchIndex
from tests.textengine.test_index import FakeEmbedder

from .conftest import THROMBECTOMY

# The same idea as THROMBECTOMY in a clinician's lay words (few terms in common).
REWORDED = dict(
    title="能现场调松紧的拉栓网",
    specialty="神经介入",
    public_summary="中风病人血栓堵在脑子大血管里,医生用网兜把血栓拉出来,但网兜大小是固定的。"
    "想做一个可以现场调松紧、拍片看得清清楚楚的拉栓网。",
    need_problem="网兜大小不合适,一次拉不干净。",
    solution="机密:网兜的编法。",
)


class StrokeEmbedder(FakeEmbedder):
    """Reads every text on taking out a clot (取栓, 拉栓, 网兜) as one meaning; other texts by their characters."""

    name = "fake-stroke-1"

    def _vec(self, text: str) -> np.ndarray:
        if any(word in text for word in ("取栓", "拉栓", "网兜")):
            v = np.zeros(self.dim, np.float32)
            v[0] = 1.0
            return v
        return super()._vec(text)


@pytest.fixture
def model(app, monkeypatch) -> StrokeEmbedder:
    fake = StrokeEmbedder()
    app.config["MATCH_SEMANTIC"] = True
    monkeypatch.setattr(store, "default_embedder", lambda: fake)
    monkeypatch.setattr(store, "_recent", {})
    return fake


def _similar_ids(app, project_id: int) -> list[int]:
    with app.app_context():
        return [other.id for other, _score, _reasons in similar_projects(db.session.get(Project, project_id))]


def test_a_project_in_other_words_is_a_near_duplicate_after_the_next_refresh(app, runner, clinician, add_project,
                                                                             model):
    first = add_project(clinician, **THROMBECTOMY)
    assert runner.invoke(args=["refresh-matches"]).exit_code == 0  # the first fit embeds the first project
    with app.test_request_context():  # submitted through a page: its sections wait for their embedding
        second = add_project(clinician, **REWORDED)
        refresh_similar(db.session.get(Project, second))
        db.session.commit()
    assert _similar_ids(app, second) == [], "by its words alone it is not a near duplicate"

    result = runner.invoke(args=["refresh-matches"])
    assert result.exit_code == 0, result.output
    assert "Near duplicates checked again for 1 project changed" in result.output
    assert _similar_ids(app, second) == [first]


def test_without_a_model_the_same_project_stays_apart(app, runner, clinician, add_project, monkeypatch):
    app.config["MATCH_SEMANTIC"] = False
    add_project(clinician, **THROMBECTOMY)
    runner.invoke(args=["refresh-matches"])
    second = add_project(clinician, **REWORDED)
    result = runner.invoke(args=["refresh-matches"])
    assert result.exit_code == 0, result.output
    assert _similar_ids(app, second) == []
    with app.app_context():
        assert isinstance(store.current(), MatchIndex) and not store.current().has_semantic
