"""Bidding before assignment: experts mark the round's blind summaries 想评/可以/不能; the automatic assignment
never proposes a "cannot" pair and prefers an "eager" one."""

from sqlalchemy import select

from chunfeng.accounts.models import User
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews.models import Assignment, ReviewBid, ReviewRound
from chunfeng.reviews.solver import Candidate, Problem, solve
from tests.reviews.conftest import STROKE, client_for, enter, make_project, open_round, set_profile


def round_with_stroke(app, ids):
    with app.app_context():
        round_id = open_round(ids["admin"], per_project=1)
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        set_profile(ids["neuro"], "神经介入", "取栓支架, 急性缺血性卒中, 血管再闭塞, 双层网格")
        set_profile(ids["bme"], "神经介入", "材料")
    return round_id, project_id


def proposed(app, ids, round_id):
    with app.app_context():
        assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, ids["admin"]))
        db.session.commit()
        return [(a.expert_id, a.affinity_terms) for a in db.session.scalars(select(Assignment))]


def test_experts_bid_on_blind_summaries_and_a_conflicted_expert_sees_no_project(app, people, ids):
    round_id, project_id = round_with_stroke(app, ids)
    neuro = client_for(app, people["neuro"])
    assert "标记项目" in neuro.get("/reviews/mine").get_data(as_text=True)
    page = neuro.get(f"/reviews/rounds/{round_id}/bids").get_data(as_text=True)
    assert "可回收取栓支架" in page and "用于急性缺血性卒中机械取栓的可回收支架" in page
    assert "李明" not in page and "中山大学附属第一医院" not in page, "blind"
    assert "想评" in page and "不能" in page
    same = client_for(app, people["same"]).get(f"/reviews/rounds/{round_id}/bids").get_data(as_text=True)
    assert "可回收取栓支架" not in same, "same hospital as the applicant: a conflict"
    assert neuro.post(f"/reviews/rounds/{round_id}/bids", data={f"bid-{project_id}": "cannot"}).status_code == 302
    assert neuro.post(f"/reviews/rounds/{round_id}/bids", data={f"bid-{project_id}": "cannot"}).status_code == 302
    with app.app_context():
        [bid] = db.session.scalars(select(ReviewBid)).all()
        assert (bid.expert_id, bid.bid) == (ids["neuro"], "cannot"), "saving twice keeps one row"
    refused = neuro.post(f"/reviews/rounds/{round_id}/bids", data={f"bid-{project_id}": "maybe"},
                         follow_redirects=True).get_data(as_text=True)
    assert "请为每个项目选择所列的答复之一" in refused


def test_cannot_is_never_proposed_and_eager_is_preferred(app, people, ids):
    round_id, project_id = round_with_stroke(app, ids)
    with app.app_context():
        first = proposed(app, ids, round_id)
        assert [expert for expert, _terms in first] == [ids["neuro"]], "the closest expertise without bids"
        db.session.query(Assignment).delete()
        db.session.commit()
    client_for(app, people["bme"]).post(f"/reviews/rounds/{round_id}/bids", data={f"bid-{project_id}": "eager"})
    [(expert, terms)] = proposed(app, ids, round_id)
    assert expert == ids["bme"] and {"bid": "eager"} in terms, "想评 outweighs a closer expertise"
    admin = client_for(app, people["admin"])
    assert "投标：想评" in admin.get(f"/reviews/rounds/{round_id}/assignments").get_data(as_text=True)
    with app.app_context():
        db.session.query(Assignment).delete()
        db.session.commit()
    client_for(app, people["bme"]).post(f"/reviews/rounds/{round_id}/bids", data={f"bid-{project_id}": "cannot"})
    client_for(app, people["neuro"]).post(f"/reviews/rounds/{round_id}/bids", data={f"bid-{project_id}": "cannot"})
    chosen = [e for e, _t in proposed(app, ids, round_id)]
    assert ids["bme"] not in chosen and ids["neuro"] not in chosen, "不能 is never proposed"


def test_the_solver_prefers_an_eager_pair_inside_the_specialty_only():
    problem = Problem(need={1: 1}, have={}, load={}, max_load={10: 5, 20: 5, 30: 5}, candidates=[
        Candidate(1, 10, 0.6, True), Candidate(1, 20, 0.3, True, eager=True), Candidate(1, 30, 0.9, False, True)])
    assert [c.expert_id for c in solve(problem)] == [20]
    problem.candidates[1] = Candidate(1, 20, 0.3, True)
    assert [c.expert_id for c in solve(problem)] == [10]
