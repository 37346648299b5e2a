"""Public success stories (approved and consented only, summary only) and the administrator's figures."""

from datetime import date, timedelta

from sqlalchemy import select

from chunfeng.accounts.models import Consent, Role, User
from chunfeng.db import db
from chunfeng.incubation import figures as incubation_figures
from chunfeng.incubation import milestones
from chunfeng.incubation.models import Incubation
from chunfeng.submissions.models import Pathway
from tests.conftest import login
from tests.incubation.conftest import CONFIDENTIAL, MONDAY, at, begin, milestone_of


def _walk(app, started, days: dict[str, tuple[date, date]], approve: bool = False):
    """Start and finish milestones on the given dates; optionally the approval milestone too."""
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        officer = db.session.get(User, started.officer.id)
        for key, (begun, done) in days.items():
            step = milestone_of(incubation, key)
            with at(done):
                begin(step, officer, on=begun)
                milestones.change_milestone(step, "complete", officer, on=done)
        if approve:
            end = max(done for _begun, done in days.values())
            with at(end):
                for step in incubation.milestones[:-1]:
                    if not step.closed:
                        if step.key == "clinical_evaluation":
                            milestones.change_milestone(step, "skip", officer, on=end)
                        else:
                            begin(step, officer, on=end)
                            milestones.change_milestone(step, "complete", officer, on=end)
                approval = milestone_of(incubation, "approval")
                begin(approval, officer, on=end)
                milestones.change_milestone(approval, "complete", officer, on=end)
        db.session.commit()


def _consent(client, started, value: bool):
    login(client, started.clinician.email)
    response = client.post(f"/incubation/project/{started.project_id}/success-story",
                           data={"consent": "y"} if value else {})
    client.post("/account/logout")
    return response


def test_only_approved_projects_whose_clinician_consented_are_shown(app, client, start, make_user):
    officer, admin = make_user(Role.OFFICER), make_user(Role.ADMIN)
    consented_approved = start(officer=officer, admin=admin)
    approved_only = start(officer=officer, admin=admin)
    consented_running = start(officer=officer, admin=admin)
    finish = {"product_technical_requirements": (MONDAY, MONDAY + timedelta(days=20))}
    _walk(app, consented_approved, finish, approve=True)
    _walk(app, approved_only, finish, approve=True)
    for started in (consented_approved, consented_running):
        assert _consent(client, started, True).status_code == 302
    with app.app_context():
        for started in (consented_approved, approved_only, consented_running):
            db.session.get(Incubation, started.incubation_id).project.title = f"项目{started.project_id}"
        db.session.commit()
    page = client.get("/results/success-stories")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"项目{consented_approved.project_id}" in body
    assert f"项目{approved_only.project_id}" not in body and f"项目{consented_running.project_id}" not in body
    assert CONFIDENTIAL not in body and "李明医生" not in body and "取栓支架直径固定" not in body
    assert "术中可调节直径的取栓支架" in body, "the public summary is shown"


def test_consent_is_a_revocable_record_and_withdrawing_it_unpublishes(app, client, start):
    started = start()
    _walk(app, started, {"product_technical_requirements": (MONDAY, MONDAY + timedelta(days=20))}, approve=True)
    _consent(client, started, True)
    assert "可调节直径的颅内取栓支架" in client.get("/results/success-stories").get_data(as_text=True)
    _consent(client, started, False)
    assert "可调节直径的颅内取栓支架" not in client.get("/results/success-stories").get_data(as_text=True)
    with app.app_context():
        rows = db.session.scalars(select(Consent).where(Consent.kind == "success_story")).all()
        assert len(rows) == 1 and rows[0].user_id == started.clinician.id and rows[0].revoked_at is not None
        assert rows[0].detail == {"project_id": started.project_id}
    login(client, started.officer.email)
    assert client.post(f"/incubation/project/{started.project_id}/success-story",
                       data={"consent": "y"}).status_code == 403


def test_figures_per_stage_medians_overdue_and_approvals(app, client, start, make_user):
    officer, admin = make_user(Role.OFFICER), make_user(Role.ADMIN)
    first, second, _third = (start(Pathway.PRE_REVIEW, officer=officer, admin=admin) for _ in range(3))
    # Technical requirements took 5 and 15 working days; the third project is still at its first step.
    _walk(app, first, {"product_technical_requirements": (date(2026, 3, 2), date(2026, 3, 9))}, approve=True)
    _walk(app, second, {"product_technical_requirements": (date(2026, 3, 2), date(2026, 3, 23))})
    with at(date(2026, 3, 25)), app.app_context():
        begin(milestone_of(db.session.get(Incubation, second.incubation_id), "registration_testing"),
              db.session.get(User, officer.id), date(2026, 3, 25))
        db.session.commit()
    day = date(2026, 5, 4)  # the third project's first step was due on 2026-04-13
    with at(day), app.app_context():
        figures = incubation_figures.figures()
        assert figures.active == 2 and figures.approved == 1
        assert figures.per_stage["product_technical_requirements"] == 1
        assert figures.per_stage["registration_testing"] == 1
        assert figures.median_days["product_technical_requirements"] == 10  # median of 5 and 15
        assert figures.completed["product_technical_requirements"] == 2
        assert figures.overdue_projects == 1 and figures.overdue_milestones == 1
        assert sum(count for _label, count in figures.approvals) == 1
    with at(day):
        login(client, admin.email)
        page = client.get("/incubation/admin/figures")
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "培育统计" in body
        assert '<div class="display-6" id="fig-approved">1</div>' in body


def test_approvals_are_counted_per_review_round(app, start, make_user, monkeypatch):
    class Round:
        name = "2026年春季批次"

    class Decision:
        round = Round()
        recommended_pathway: list = []

    officer, admin = make_user(Role.OFFICER), make_user(Role.ADMIN)
    spring, unknown = start(officer=officer, admin=admin), start(officer=officer, admin=admin)
    for started in (spring, unknown):
        _walk(app, started, {"product_technical_requirements": (MONDAY, MONDAY + timedelta(days=20))},
              approve=True)
    monkeypatch.setattr(incubation_figures, "latest_decision",
                        lambda project: Decision() if project.id == spring.project_id else None)
    with app.test_request_context("/?lang=en"):
        assert dict(incubation_figures.figures().approvals) == {"2026年春季批次": 1, "Approved in 2026": 1}
