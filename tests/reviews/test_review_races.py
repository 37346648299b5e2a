"""Saving reviews at the same moment: one row per review and per score, nothing lost (PostgreSQL, real threads)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews.models import Assignment, AssignmentStatus, Review, ReviewScore
from tests.concurrency import in_parallel, on_postgres
from tests.reviews.conftest import STROKE, client_for, enter, invite, make_project, open_round
from tests.reviews.test_review_flow import FULL


def _accepted(app, ids, panels: list[list[int]]) -> list[int]:
    """One project per panel of expert ids, each expert invited and accepted; the assignment ids."""
    with app.app_context():
        round_id = open_round(ids["admin"], per_project=len(panels[0]))
        found = []
        for n, panel in enumerate(panels):
            project_id = make_project(ids["clinician"], {**STROKE, "title": f"{STROKE['title']} {n}"})
            enter(round_id, project_id, ids["admin"])
            for expert_id in panel:
                assignment_id = invite(round_id, project_id, expert_id, ids["admin"])
                assignment = db.session.get(Assignment, assignment_id)
                assigning.accept(assignment, assignment.expert)
                db.session.commit()
                found.append(assignment_id)
    return found


@pytest.mark.postgres
@on_postgres
def test_two_first_saves_of_one_review_at_once_store_one_review_and_one_score_each(app, people, ids):
    (assignment_id,) = _accepted(app, ids, [[ids["neuro"]]])
    tabs = [client_for(app, people["neuro"]) for _ in range(4)]
    url = f"/reviews/assignments/{assignment_id}/review"
    codes = in_parallel([lambda c=c: c.post(url, data=FULL) for c in tabs])
    assert all(code == 302 for code in codes), codes
    with app.app_context():
        review_id = db.session.scalar(select(Review.id).where(Review.assignment_id == assignment_id))
        scores = db.session.scalar(select(func.count()).select_from(ReviewScore).where(
            ReviewScore.review_id == review_id))
        assert scores == 7


@pytest.mark.postgres
@on_postgres
def test_fifty_experts_submitting_at_once_lose_nothing_and_duplicate_nothing(app, make_user, ids):
    experts = [make_user(Role.EXPERT, name=f"专家{n}", organization=f"医院{n}") for n in range(50)]
    assignments = _accepted(app, ids, [[e.id for e in experts[n:n + 5]] for n in range(0, 50, 5)])
    by_expert = {e.id: e for e in experts}
    with app.app_context():
        owners = {a: db.session.get(Assignment, a).expert_id for a in assignments}
    clients = {a: client_for(app, by_expert[owners[a]]) for a in assignments}
    calls = [lambda a=a: clients[a].post(f"/reviews/assignments/{a}/review", data={**FULL, "action": "submit"})
             for a in assignments]
    codes = in_parallel(calls)
    assert all(code == 302 for code in codes), codes
    with app.app_context():
        submitted = db.session.scalar(select(func.count()).select_from(Assignment).where(
            Assignment.id.in_(assignments), Assignment.status == AssignmentStatus.SUBMITTED))
        reviews = db.session.scalar(select(func.count()).select_from(Review).where(
            Review.assignment_id.in_(assignments), Review.submitted_at.is_not(None)))
        scores = db.session.scalar(select(func.count()).select_from(ReviewScore))
    assert submitted == reviews == 50 and scores == 50 * 7
