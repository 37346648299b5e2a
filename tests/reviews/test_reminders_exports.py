"""Reminders (CLI, in-app, e-mail through SMTP), the expert's list of due reviews, exports, the audit trail."""

import csv
import io
from datetime import date, timedelta

import time_machine
from openpyxl import load_workbook
from sqlalchemy import func, select

from chunfeng.core.models import AuditEntry, Notification
from chunfeng.db import db
from chunfeng.exports import csv_bytes, neutralise_cell
from chunfeng.reviews.models import Assignment
from tests.reviews.conftest import STROKE, client_for, complete_review, enter, invite, make_project, open_round
from tests.smtp_server import body, subject


def invited_project(app, ids, smtp=None):
    """A project of an open round with one expert invited; with the `smtp` inbox, the invitation mail is checked
    and taken out of the inbox (what a test reads there afterwards is what came after the invitation)."""
    with app.app_context():
        round_id = open_round(ids["admin"])  # review deadline: 30 days from today
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        assignment_id = invite(round_id, project_id, ids["neuro"], ids["admin"])
    if smtp is not None:
        [invitation] = smtp.messages
        assert "可回收取栓支架" in body(invitation) and "评审邀请" in subject(invitation)
        smtp.messages.clear()
    return round_id, project_id, assignment_id


def reminders_for(app, user_id):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == user_id, Notification.message.like("Reminder:%")))


def test_reminders_are_sent_once_a_day_in_app_and_by_mail(app, runner, ids, smtp):
    round_id, _project, _assignment = invited_project(app, ids, smtp)
    early = runner.invoke(args=["send-review-reminders", "--days-before", "3"])
    assert early.exit_code == 0 and "Reminded 0 experts" in early.output, "nothing due within 3 days yet"
    with time_machine.travel(date.today() + timedelta(days=28), tick=False):
        first = runner.invoke(args=["send-review-reminders", "--days-before", "3"])
        second = runner.invoke(args=["send-review-reminders", "--days-before", "3"])
    assert "Reminded 1 experts about 1 reviews; 1 e-mails sent." in first.output
    assert "Reminded 0 experts" in second.output, "idempotent within a day"
    assert reminders_for(app, ids["neuro"]) == 1
    [message] = smtp.messages
    assert message["To"].startswith("expert") and "可回收取栓支架" in body(message)
    assert "评审任务" in subject(message), "in the expert's language (Chinese by default)"
    assert "http://chunfeng.test/reviews/mine" in body(message)
    with time_machine.travel(date.today() + timedelta(days=29), tick=False):
        runner.invoke(args=["send-review-reminders"])
    assert reminders_for(app, ids["neuro"]) == 2, "again the next day"


def test_no_mail_without_smtp_and_submitted_reviews_are_not_reminded(app, runner, ids, smtp):
    _round, _project, assignment_id = invited_project(app, ids, smtp)
    app.config.update(MAIL_SERVER="")
    with time_machine.travel(date.today() + timedelta(days=40), tick=False):
        overdue = runner.invoke(args=["send-review-reminders"])
    assert "Reminded 1 experts" in overdue.output and smtp.messages == []
    with app.app_context():
        complete_review(assignment_id, {"*": 4})
    with time_machine.travel(date.today() + timedelta(days=41), tick=False):
        assert "Reminded 0 experts" in runner.invoke(args=["send-review-reminders"]).output


def test_my_reviews_marks_overdue_reviews(app, people, ids):
    invited_project(app, ids)
    expert = client_for(app, people["neuro"])
    assert "已逾期" not in expert.get("/reviews/mine").get_data(as_text=True)
    with time_machine.travel(date.today() + timedelta(days=31)):
        page = expert.get("/reviews/mine").get_data(as_text=True)
        assert "已逾期" in page
        assert "已逾期" in expert.get("/dashboard").get_data(as_text=True), "the workspace panel too"


def test_neutralise_cell_defuses_formulas_only():
    assert neutralise_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    for risky in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert neutralise_cell(risky).startswith("'")
    assert neutralise_cell("可回收取栓支架") == "可回收取栓支架"
    assert neutralise_cell(-3) == -3 and neutralise_cell(81.5) == 81.5 and neutralise_cell(None) is None
    assert csv_bytes([["=1+1"]]).decode("utf-8-sig").strip() == "'=1+1"


def test_round_exports_carry_scores_aggregates_decisions_and_no_live_formula(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], {**STROKE, "title": "=HYPERLINK(\"http://evil\",\"点我\")"})
        enter(round_id, project_id, ids["admin"])
        complete_review(invite(round_id, project_id, ids["neuro"], ids["admin"]), {"*": 5}, panel="@SUM(1)")
        complete_review(invite(round_id, project_id, ids["bme"], ids["admin"]), {"*": 4})
    admin = client_for(app, people["admin"])
    projects = list(csv.reader(io.StringIO(admin.get(f"/reviews/rounds/{round_id}/export.csv")
                                           .get_data().decode("utf-8-sig"))))
    header, row = projects[0], projects[1]
    assert row[header.index("项目名称")].startswith("'=HYPERLINK")
    assert row[header.index("总分均值")] == "87.5" and row[header.index("总分中位数")] == "87.5"
    assert row[header.index("总分标准差")] == "17.7" and row[header.index("总分极差")] == "25.0"
    assert row[header.index("临床需求迫切性（均值）")] == "4.5"
    reviews = list(csv.reader(io.StringIO(admin.get(f"/reviews/rounds/{round_id}/export-reviews.csv")
                                          .get_data().decode("utf-8-sig"))))
    assert len(reviews) == 3 and "孙丽华" in {r[2] for r in reviews}
    assert "'@SUM(1)" in reviews[1] + reviews[2]
    response = admin.get(f"/reviews/rounds/{round_id}/export.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook["项目汇总"]
    title = sheet.cell(row=2, column=2)
    assert title.value.startswith("'=") and title.data_type == "s", "stored as text, never as a formula"
    assert [c.value for c in sheet[1]][:2] == ["项目编号", "项目名称"]
    assert workbook["评审明细"].max_row == 3
    assert client_for(app, people["neuro"]).get(f"/reviews/rounds/{round_id}/export.csv").status_code == 403


def test_the_audit_log_follows_assignments_reviews_decisions_and_publication(app, people, ids):
    round_id, project_id, assignment_id = invited_project(app, ids)
    with app.app_context():
        complete_review(assignment_id, {"*": 5})
        from chunfeng.accounts.models import User
        from chunfeng.reviews import services
        from chunfeng.reviews.models import Outcome, ReviewRound

        round_ = db.session.get(ReviewRound, round_id)
        admin = db.session.get(User, ids["admin"])
        services.decide(round_, round_.entries[0], services.DecisionInput(Outcome.SELECTED_PRIORITY,
                                                                          ["innovation"]), admin)
        services.change_round_status(round_, "close_intake", admin)
        services.publish(round_, admin)
        db.session.commit()
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"assignment.added", "assignment.sent", "assignment.accepted", "review.submitted", "decision.made",
                "round.published", "project.start_review", "project.release_for_matching"} <= actions
        accepted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "assignment.accepted"))
        assert accepted.actor_id == ids["neuro"] and accepted.detail == {"no_conflict_declared": True}
        assert db.session.get(Assignment, assignment_id).no_conflict_declared_at is not None
