"""The round page at scale: its figures are stored when reviews change, and it runs the same number of SQL
statements for 5 projects as for 30."""

import pytest
from sqlalchemy import event, select

from chunfeng.accounts.models import User
from chunfeng.db import db
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews import figures, services
from chunfeng.reviews.models import Assignment, PanelFigures, ReviewRound
from chunfeng.reviews.panel import project_panel
from chunfeng.submissions.models import Project
from tests.reviews.conftest import STROKE, client_for, complete_review, enter, invite, make_project, open_round


def fill(app, ids, round_id: int, start: int, count: int) -> None:
    """`count` more projects in the round, each with two submitted reviews and every third one decided."""
    with app.app_context():
        admin = db.session.get(User, ids["admin"])
        for n in range(start, start + count):
            project_id = make_project(ids["clinician"], {**STROKE, "title": f"取栓支架 {n}"})
            enter(round_id, project_id, ids["admin"])
            complete_review(invite(round_id, project_id, ids["neuro"], ids["admin"]), {"*": 3 + n % 3})
            complete_review(invite(round_id, project_id, ids["bme"], ids["admin"]), {"*": 2 + n % 4})
            if n % 3 == 0:
                round_ = db.session.get(ReviewRound, round_id)
                services.decide(round_, services.entry_for(round_, db.session.get(Project, project_id)),
                                services.DecisionInput(services.Outcome.NOT_SELECTED, [], "讨论后决定"), admin)
                db.session.commit()


def statements_for(app, browser, url: str) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_args, **_kwargs):
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert browser.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.slow
def test_the_round_page_runs_as_many_queries_for_30_projects_as_for_5(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
    fill(app, ids, round_id, 0, 5)
    admin = client_for(app, people["admin"])
    url = f"/reviews/rounds/{round_id}"
    admin.get(url)
    at_five = statements_for(app, admin, url)
    fill(app, ids, round_id, 5, 25)
    at_thirty = statements_for(app, admin, url)
    assert at_thirty == at_five, f"{at_five} statements for 5 projects, {at_thirty} for 30"
    assert at_five <= 25


def test_stored_figures_follow_submission_reopening_and_thresholds_and_match_the_live_panel(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        first = invite(round_id, project_id, ids["neuro"], ids["admin"])
        second = invite(round_id, project_id, ids["bme"], ids["admin"])
        complete_review(first, {"*": 5})
        complete_review(second, {"*": 2})
        stored = db.session.scalar(select(PanelFigures).where(PanelFigures.project_id == project_id))
        round_ = db.session.get(ReviewRound, round_id)
        live = project_panel(round_, services.entry_for(round_, db.session.get(Project, project_id))).aggregate
        assert (stored.n, stored.mean, stored.sd, stored.high - stored.low) == (
            2, live.total.mean, live.total.sd, live.total.spread) == (2, 62.5, pytest.approx(53.03, 0.01), 75.0)
        assert stored.disagreement == list(live.disagreement) and "total" in stored.disagreement
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "<td>62.5</td>" in page and "2 / 2" in page and "意见分歧" in page
    admin.post(f"/reviews/assignments/{second}/reopen")
    page = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)  # the row drawn again, not kept
    assert "<td>100.0</td>" in page and "<td>62.5</td>" not in page
    with app.app_context():
        stored = db.session.scalar(select(PanelFigures).where(PanelFigures.project_id == project_id))
        assert (stored.n, stored.mean) == (1, 100.0), "the reopened review no longer counts"
        complete_review(second, {"*": 4})
        round_ = db.session.get(ReviewRound, round_id)
        settings = services.RoundSettings(**{name: getattr(round_, name) for name in
                                             services.RoundSettings.__dataclass_fields__})
        settings.disagreement_sd, settings.disagreement_range = 50.0, 5
        services.update_round(round_, settings, db.session.get(User, ids["admin"]))
        db.session.commit()
        stored = db.session.scalar(select(PanelFigures).where(PanelFigures.project_id == project_id))
        assert (stored.n, stored.mean, stored.disagreement) == (2, 87.5, []), "the new thresholds apply"
    page = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "<td>87.5</td>" in page and "2 / 2" in page and "意见分歧" not in page


def test_reviews_from_before_stored_figures_are_still_shown_and_refreshed_by_the_command(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        complete_review(invite(round_id, project_id, ids["neuro"], ids["admin"]), {"*": 4})
        db.session.execute(PanelFigures.__table__.delete())
        for assignment in db.session.scalars(select(Assignment)):
            assignment.review.total = None
        db.session.commit()
    admin = client_for(app, people["admin"])
    page = admin.get(f"/reviews/rounds/{round_id}").get_data(as_text=True)
    assert "<td>75.0</td>" in page and "1 / 1" in page, "computed on the fly"
    with app.app_context():
        assert db.session.scalar(select(PanelFigures)) is None, "a GET writes nothing"
    output = app.test_cli_runner().invoke(args=["refresh-review-figures"]).output
    assert "Stored the figures of 1 project versions in 1 rounds; 1 review totals." in output
    with app.app_context():
        assert db.session.scalar(select(PanelFigures.mean)) == 75.0
        assert assigning.round_assignments(db.session.get(ReviewRound, round_id))[0].review.total == 75.0
        assert figures.calibration(db.session.get(ReviewRound, round_id)).calibrated
