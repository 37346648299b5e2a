"""Conflicts of interest, automatic and manual assignment, invitations and declines."""

from sqlalchemy import select

from chunfeng import policy
from chunfeng.accounts.models import Role, User
from chunfeng.core.models import AuditEntry, Notification
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews.conflicts import conflict_reason, declare_organisation
from chunfeng.reviews.models import Assignment, AssignmentStatus, DeclaredConflict, ReviewRound
from chunfeng.submissions.models import Project
from tests.reviews.conftest import EYE, STROKE, client_for, enter, invite, make_project, open_round, set_profile


def _project(app, ids, owner="clinician", fields=STROKE):
    with app.app_context():
        return make_project(ids[owner], fields)


def test_the_three_conflict_rules(app, ids, make_user):
    project_id = _project(app, ids)
    clinician_expert = make_user(Role.EXPERT, organization="别的医院")
    with app.app_context():
        project = db.session.get(Project, project_id)
        neuro, same = db.session.get(User, ids["neuro"]), db.session.get(User, ids["same"])
        assert conflict_reason(neuro, project) is None
        assert "同一个单位" in conflict_reason(same, project) or "同属" in conflict_reason(same, project)
        assert conflict_reason(db.session.get(User, ids["clinician"]), project) is not None, "own project"
        declare_organisation(neuro, "中山大学附属第一医院", "兼职教授")
        assert "兼职教授" in conflict_reason(neuro, project), "declared organisation"
        other = db.session.get(User, clinician_expert.id)
        assigning.declare_project(other, project, "曾参与该项目前期讨论")
        assert conflict_reason(other, project) is not None, "declared project"


def test_a_declared_organisation_matches_its_full_name(app, ids):
    project_id = _project(app, ids)
    with app.app_context():
        bme = db.session.get(User, ids["bme"])
        declare_organisation(bme, "中山大学附属第一医", "合作研发")  # a shortened name still matches
        assert conflict_reason(bme, db.session.get(Project, project_id)) is not None
        declare_organisation(db.session.get(User, ids["neuro"]), "中山", "太短")
        assert conflict_reason(db.session.get(User, ids["neuro"]), db.session.get(Project, project_id)) is None


def test_an_expert_named_in_the_team_is_conflicted(app, ids, make_user):
    project_id = _project(app, ids)
    chen = make_user(Role.EXPERT, name="陈工", organization="某工程大学")
    with app.app_context():
        assert "团队成员" in conflict_reason(db.session.get(User, chen.id), db.session.get(Project, project_id))


def test_manual_assignment_of_a_conflicted_expert_is_refused_with_a_message(app, client, people, ids):
    project_id = _project(app, ids)
    with app.app_context():
        round_id = open_round(ids["admin"])
        enter(round_id, project_id, ids["admin"])
    admin = client_for(app, people["admin"])
    response = admin.post(f"/reviews/rounds/{round_id}/projects/{project_id}/experts",
                          data={"expert": f"赵建国 · 中山大学附属第一医院 #{ids['same']}"}, follow_redirects=True)
    assert "赵建国 不能评审该项目" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Assignment)) is None
    ok = admin.post(f"/reviews/rounds/{round_id}/projects/{project_id}/experts",
                    data={"expert": f"孙丽华 #{ids['neuro']}"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Assignment.expert_id)) == ids["neuro"]


def test_auto_assignment_respects_conflicts_load_and_affinity(app, ids):
    with app.app_context():
        round_id = open_round(ids["admin"], per_project=2)
        set_profile(ids["neuro"], "神经内科, 脑血管病", "卒中, 取栓支架, 机械取栓", max_load=1)
        set_profile(ids["eye"], "眼科", "眼底, 视网膜, 糖尿病视网膜病变", max_load=5)
        set_profile(ids["bme"], "生物医学工程", "人工智能, 医学影像, 支架材料", max_load=5)
        set_profile(ids["same"], "心血管内科", "冠脉支架", max_load=5)
        stroke = make_project(ids["clinician"], STROKE)
        eye = make_project(ids["clinician2"], EYE)
        enter(round_id, stroke, ids["admin"])
        enter(round_id, eye, ids["admin"])
        result = assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, ids["admin"]))
        db.session.commit()
        chosen = {(a.project_id, a.expert_id): a for a in result.created}
        assert (stroke, ids["same"]) not in chosen, "same institution as the stroke project's clinician"
        assert (eye, ids["eye"]) not in chosen, "same institution as the eye project's clinician"
        assert (stroke, ids["neuro"]) in chosen, "the closest expertise is chosen"
        assert chosen[(stroke, ids["neuro"])].affinity > 0 and chosen[(stroke, ids["neuro"])].affinity_terms
        assert sum(1 for (_p, e) in chosen if e == ids["neuro"]) == 1, "never beyond the maximum load"
        per_project = {p: sum(1 for (q, _e) in chosen if q == p) for p in (stroke, eye)}
        assert per_project == {stroke: 2, eye: 2}
        assert all(a.status == AssignmentStatus.PROPOSED for a in result.created)


def test_auto_assignment_reports_projects_it_cannot_staff(app, ids):
    with app.app_context():
        round_id = open_round(ids["admin"], per_project=4)
        stroke = make_project(ids["clinician"], STROKE)
        enter(round_id, stroke, ids["admin"])
        result = assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, ids["admin"]))
        assert len(result.created) == 3 and result.short == {stroke: 1}, "赵建国 is excluded: 3 of 4 experts"


def _invited(app, ids) -> tuple[int, int, int]:
    """The clinician's stroke project in an open round, with the neurologist invited to review it."""
    project_id = _project(app, ids)
    with app.app_context():
        round_id = open_round(ids["admin"])
        enter(round_id, project_id, ids["admin"])
        return round_id, project_id, invite(round_id, project_id, ids["neuro"], ids["admin"])


def test_proposals_stay_hidden_from_experts_until_sent(app, people, ids):
    project_id = _project(app, ids)
    with app.app_context():
        round_id = open_round(ids["admin"])
        enter(round_id, project_id, ids["admin"])
        round_ = db.session.get(ReviewRound, round_id)
        assignment, _ = assigning.add_expert(round_, round_.entries[0], db.session.get(User, ids["neuro"]),
                                             db.session.get(User, ids["admin"]))
        db.session.commit()
        assignment_id = assignment.id
    expert = client_for(app, people["neuro"])
    assert "可回收取栓支架" not in expert.get("/reviews/mine").get_data(as_text=True)
    assert expert.get(f"/reviews/assignments/{assignment_id}").status_code == 404
    admin = client_for(app, people["admin"])
    assert admin.post(f"/reviews/rounds/{round_id}/assignments/send").status_code == 302
    assert "可回收取栓支架" in expert.get("/reviews/mine").get_data(as_text=True)
    assert "邀请您评审" in expert.get("/notifications").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.sent")) is not None


def test_decline_with_a_conflict_records_it_and_tells_the_administrators(app, people, ids):
    round_id, project_id, assignment_id = _invited(app, ids)
    expert = client_for(app, people["neuro"])
    refused = expert.post(f"/reviews/assignments/{assignment_id}/decline", data={"reason": "conflict", "note": ""})
    assert refused.status_code == 400 and "请简要说明原因" in refused.get_data(as_text=True)
    response = expert.post(f"/reviews/assignments/{assignment_id}/decline",
                           data={"reason": "conflict", "note": "与申报团队有合作课题"})
    assert response.status_code == 302
    with app.app_context():
        assignment = db.session.get(Assignment, assignment_id)
        assert assignment.status == AssignmentStatus.DECLINED and assignment.decline_reason == "conflict"
        declared = db.session.scalar(select(DeclaredConflict).where(DeclaredConflict.expert_id == ids["neuro"]))
        assert declared.project_id == project_id and declared.reason == "与申报团队有合作课题"
        assert db.session.scalar(select(Notification).where(Notification.user_id == ids["admin"])) is not None
        again = assigning.propose(db.session.get(ReviewRound, round_id), db.session.get(User, ids["admin"]))
        assert ids["neuro"] not in {a.expert_id for a in again.created}, "a decliner is not asked again"
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/rounds/{round_id}/assignments").get_data(as_text=True)
    assert "与申报团队有合作课题" in page and "存在利益冲突" in page


def test_expert_cannot_open_another_experts_assignment(app, people, ids):
    round_id, project_id, assignment_id = _invited(app, ids)
    other = client_for(app, people["bme"])
    assert other.get(f"/reviews/assignments/{assignment_id}").status_code == 404
    assert other.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"}).status_code == 404
    clinician = client_for(app, people["clinician"])
    assert clinician.get("/reviews/mine").status_code == 403


def test_a_conflict_found_after_acceptance_closes_the_form(app, ids):
    project_id = _project(app, ids)
    with app.app_context():
        round_id = open_round(ids["admin"])
        enter(round_id, project_id, ids["admin"])
        assignment_id = invite(round_id, project_id, ids["neuro"], ids["admin"])
        assignment = db.session.get(Assignment, assignment_id)
        neuro = db.session.get(User, ids["neuro"])
        assigning.accept(assignment, neuro)
        assert policy.can(neuro, "review.perform", assignment)
        declare_organisation(neuro, "中山大学附属第一医院", "新近受聘")
        assert not policy.can(neuro, "review.perform", assignment)
        assert not policy.can(neuro, "submission.view_confidential", assignment.project)


def test_an_assignment_moves_only_along_its_lifecycle(app, people, ids):
    round_id, project_id, assignment_id = _invited(app, ids)
    admin = client_for(app, people["admin"])
    back = f"/reviews/rounds/{round_id}/assignments"
    page = admin.post(f"/reviews/assignments/{assignment_id}/reopen", data={"next": back}, follow_redirects=True)
    assert "该评审任务已发生变化，请刷新页面。" in page.get_data(as_text=True), "nothing submitted to reopen"
    outside = admin.post(f"/reviews/assignments/{assignment_id}/cancel", data={"next": "//evil.example/x"})
    assert outside.headers["Location"] == back, "only a path on this site is followed"
    with app.app_context():
        assert db.session.get(Assignment, assignment_id).status == AssignmentStatus.CANCELLED
    assert admin.post(f"/reviews/assignments/{assignment_id}/cancel").status_code == 302
    with app.app_context():
        cancelled = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "assignment.cancelled")).all()
        assert len(cancelled) == 1, "a cancelled invitation cannot be cancelled again"
