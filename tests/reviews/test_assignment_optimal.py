"""The optimal proposal: specialty first, closest expertise next, the constraints always; against the greedy
baseline on the same input; flags and readable reasons on the page."""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from chunfeng.accounts.models import Role, User
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews import solver
from chunfeng.reviews.affinity import same_specialty
from chunfeng.reviews.conflicts import conflict_reason
from chunfeng.reviews.models import Assignment, ExpertProfile, ReviewRound
from chunfeng.reviews.solver import Candidate, Problem, figures, greedy, solve
from chunfeng.submissions.models import DeviceClass, Stage
from tests.reviews.conftest import client_for, complete_review, enter, invite, make_project, open_round, set_profile

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "bench_assignment.py"
GENERIC = {"导致", "判断", "内科", "患者", "外科", "小时"}

FEEDING_TUBE = dict(
    title="防反流鼻饲营养管", specialty="神经内科", device_class=DeviceClass.II, stage=Stage.PROTOTYPE,
    public_summary="卒中后吞咽障碍患者长期鼻饲，胃内容物反流导致误吸性肺炎。本管在贲门处设防反流瓣。",
    need_problem="神经内科卒中后吞咽障碍患者鼻饲时反流误吸，导致吸入性肺炎，护士难以判断导管位置。",
    need_population="脑卒中后吞咽障碍、需长期管饲的患者", device_type="鼻饲营养管",
)
CARDIOLOGY_BIO = ("心血管内科教授，长期从事内科介入诊疗，熟悉各类经导管操作，研究二尖瓣反流、主动脉瓣反流，"
                  "擅长判断导致患者心衰的原因。")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_assignment", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _random_problem(rng: random.Random, all_inside: bool = False) -> Problem:
    projects, experts = range(1, rng.randint(4, 12)), range(100, 100 + rng.randint(3, 10))
    candidates = [Candidate(p, e, round(rng.random(), 3), all_inside or rng.random() < 0.6)
                  for p in projects for e in experts if rng.random() < 0.8]
    return Problem(need={p: rng.randint(1, 3) for p in projects}, have={p: 0 for p in projects},
                   load={e: rng.randint(0, 2) for e in experts},
                   max_load={e: rng.randint(1, 6) for e in experts}, candidates=candidates)


def _check_limits(problem: Problem, chosen: list[Candidate]) -> None:
    pairs = [(c.project_id, c.expert_id) for c in chosen]
    assert len(pairs) == len(set(pairs)), "an expert at most once per project"
    assert set(chosen) <= set(problem.candidates), "only allowed pairs"
    for p, n in problem.need.items():
        assert sum(1 for c in chosen if c.project_id == p) <= n
    for e in problem.max_load:
        taken = sum(1 for c in chosen if c.expert_id == e)
        assert taken <= problem.room(e), "never beyond the maximum load"


def test_the_solver_keeps_the_limits_and_beats_greedy_in_order_places_specialty_affinity():
    rng = random.Random(5)
    for _ in range(60):
        problem = _random_problem(rng)
        best, base = solve(problem), greedy(problem)
        _check_limits(problem, best)
        _check_limits(problem, base)
        ours, theirs = figures(problem, best), figures(problem, base)
        assert ours.assigned >= theirs.assigned, "every place that can be filled is filled"
        if ours.assigned == theirs.assigned:
            assert ours.inside >= theirs.inside, "outside experts only where no one inside is free"


def test_on_the_same_input_total_affinity_is_at_least_greedys(monkeypatch):
    monkeypatch.setattr(solver, "LOAD_PENALTY", 0.0)  # affinity alone, as greedy weighs it
    rng = random.Random(11)
    for _ in range(60):
        problem = _random_problem(rng, all_inside=True)
        ours, theirs = figures(problem, solve(problem)), figures(problem, greedy(problem))
        if ours.assigned == theirs.assigned:
            assert ours.total_affinity >= theirs.total_affinity - 1e-9


def test_the_load_is_shared_among_equally_close_experts():
    problem = Problem(need={1: 1, 2: 1, 3: 1, 4: 1}, have={}, load={10: 0, 11: 0}, max_load={10: 4, 11: 4},
                      candidates=[Candidate(p, e, 0.5, True) for p in (1, 2, 3, 4) for e in (10, 11)])
    chosen = solve(problem)
    assert sorted(sum(1 for c in chosen if c.expert_id == e) for e in (10, 11)) == [2, 2]


def test_first_places_come_before_later_ones():
    """One free expert, two projects: the one still without anyone gets them."""
    problem = Problem(need={1: 1, 2: 2}, have={1: 2, 2: 0}, load={}, max_load={10: 1},
                      candidates=[Candidate(1, 10, 0.9, True), Candidate(2, 10, 0.2, True)])
    assert [c.project_id for c in solve(problem)] == [2]


def test_specialty_names_compare_by_meaning_not_by_suffix():
    assert same_specialty("神经介入科", "神经介入") and same_specialty("眼科", "眼科影像")
    assert same_specialty("呼吸", "呼吸与危重症医学科")
    assert not same_specialty("内科", "心血管内科") and not same_specialty("神经内科", "神经介入科")
    assert not same_specialty("", "眼科")


def _feeding_tube_round(app, make_user, neuro_load: int = 5):
    """The issue's case: a neurology feeding-tube project, a cardiology professor whose biography shares
    反流, 内科, 导管 with it, and a neurologist whose profile says less in words."""
    admin = make_user(Role.ADMIN, name="管理员")
    clinician = make_user(Role.CLINICIAN, name="刘医生", organization="某市第一人民医院", department="神经内科")
    cardio = make_user(Role.EXPERT, name="钱教授", organization="某大学附属心血管病医院", department="心血管内科")
    neuro = make_user(Role.EXPERT, name="郑主任", organization="某省人民医院", department="神经内科")
    with app.app_context():
        set_profile(cardio.id, "心血管内科", "二尖瓣反流, 经导管介入, 心力衰竭", max_load=5)
        set_profile(neuro.id, "神经内科", "吞咽障碍, 鼻饲", max_load=neuro_load)
        db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == cardio.id)).bio = CARDIOLOGY_BIO
        db.session.commit()
        round_id = open_round(admin.id, per_project=1)
        project_id = make_project(clinician.id, FEEDING_TUBE)
        enter(round_id, project_id, admin.id)
    return admin, cardio, neuro, round_id, project_id


def test_an_expert_inside_the_specialty_wins_over_shared_everyday_words(app, make_user):
    admin, cardio, neuro, round_id, project_id = _feeding_tube_round(app, make_user)
    with app.app_context():
        plan = assigning.plan(db.session.get(ReviewRound, round_id))
        assert plan.expertise.of(project_id, cardio.id) > 0, "the words alone would tempt the matcher"
        result = assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, admin.id))
        db.session.commit()
        assert [a.expert_id for a in result.created] == [neuro.id] and result.outside == 0
        reasons = result.created[0].affinity_terms
        assert reasons[0] == {"term": "神经内科", "where": "specialty"}
        terms = [r["term"] for r in reasons]
        assert "吞咽障碍" in terms or "鼻饲" in terms
        assert all(len(t) > 1 and t not in GENERIC for t in terms), terms
        assert all(r["where"] in {"specialty", "keywords", "department", "bio", "reviewed"} for r in reasons)


def test_an_outside_expert_fills_a_place_only_when_no_one_inside_is_free_and_is_flagged(app, make_user):
    admin, cardio, neuro, round_id, project_id = _feeding_tube_round(app, make_user, neuro_load=0)
    with app.app_context():
        result = assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, admin.id))
        db.session.commit()
        assert [a.expert_id for a in result.created] == [cardio.id] and result.outside == 1
        assert {"outside": "神经内科"} in result.created[0].affinity_terms
        terms = [r["term"] for r in result.created[0].affinity_terms if "term" in r]
        assert all(len(t) > 1 and t not in GENERIC for t in terms), terms
    page = client_for(app, admin).get(f"/reviews/rounds/{round_id}/assignments").get_data(as_text=True)
    assert "非本项目专业（神经内科）" in page and 'class="table-warning"' in page


def test_a_declared_related_specialty_counts_as_inside(app, make_user):
    admin, cardio, neuro, round_id, project_id = _feeding_tube_round(app, make_user, neuro_load=0)
    with app.app_context():
        set_profile(cardio.id, "心血管内科, 神经内科", "二尖瓣反流, 经导管介入", max_load=5)
        result = assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, admin.id))
        db.session.commit()
        assert result.outside == 0
        assert result.created[0].affinity_terms[0] == {"term": "神经内科", "where": "specialty"}
    page = client_for(app, admin).get(f"/reviews/rounds/{round_id}/assignments").get_data(as_text=True)
    assert "所报专业" in page and "非本项目专业" not in page


def test_expertise_includes_the_projects_an_expert_reviewed_before(app, make_user):
    admin, cardio, neuro, round_id, project_id = _feeding_tube_round(app, make_user)
    newcomer = make_user(Role.EXPERT, name="冯医生", organization="某县医院", department="神经内科")
    other = make_user(Role.CLINICIAN, name="陈医生", organization="某市第二人民医院", department="神经内科")
    with app.app_context():
        earlier = open_round(admin.id, per_project=1, name="2025年秋季批次")
        reviewed = make_project(other.id, dict(FEEDING_TUBE, title="可视化鼻饲营养管定位装置"))
        enter(earlier, reviewed, admin.id)
        complete_review(invite(earlier, reviewed, newcomer.id, admin.id), {"*": 4})
        plan = assigning.plan(db.session.get(ReviewRound, round_id))
        reasons = plan.expertise.reasons(project_id, newcomer.id)
        assert plan.expertise.of(project_id, newcomer.id) > 0
        assert any(r.get("where") == "reviewed" for r in reasons), reasons


@pytest.fixture
def bench():
    return _bench()


def test_a_small_synthetic_round_inside_share_no_conflict_loads_and_affinity(app, bench):
    with app.app_context():
        round_ = db.session.get(ReviewRound, bench.synthetic_round(n_projects=40, n_experts=20, n_specialties=5,
                                                                   per_project=2, seed=3))
        results = bench.compare(round_)
        (ours, our_conflicts, _), (theirs, their_conflicts, _) = results["optimal"], results["greedy"]
        assert our_conflicts == their_conflicts == 0 and ours.over_load == theirs.over_load == 0
        assert ours.assigned == ours.places == 80 and ours.short_projects == 0
        assert ours.inside_share >= 0.95 and ours.inside >= theirs.inside
        assert ours.total_affinity >= theirs.total_affinity
        result = assigning.propose(round_, db.session.get(User, round_.created_by_id))
        db.session.commit()
        assert len(result.created) == 80
        assert all(conflict_reason(a.expert, a.project) is None for a in result.created)
        loads = assigning.round_loads(round_)
        profiles = assigning.profiles_by_expert(assigning.expert_pool())
        assert all(n <= profiles[e].max_load_per_round for e, n in loads.items())
        flagged = sum(1 for a in db.session.scalars(select(Assignment)) if {"outside": a.project.specialty}
                      in a.affinity_terms)
        assert flagged == result.outside == ours.assigned - ours.inside
