"""Rubrics as versioned data: the reference rubric, copies, edits of drafts, frozen versions in use."""

from sqlalchemy import func, select

from chunfeng.accounts.models import Role, User
from chunfeng.core.models import AuditEntry
from chunfeng.db import db
from chunfeng.reviews import rubrics
from chunfeng.reviews.errors import ReviewError
from chunfeng.reviews.models import Assignment, ReviewRound, ReviewScore, Rubric, RubricStatus
from tests.reviews.conftest import ROUND, STROKE, complete_review, enter, invite, make_project, open_round


def test_seed_rubric_command_creates_the_reference_rubric_once(app, runner):
    first = runner.invoke(args=["seed-rubric"])
    second = runner.invoke(args=["seed-rubric"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rubric)) == 1
        rubric = db.session.scalar(select(Rubric))
        assert rubric.status == RubricStatus.ACTIVE and rubric.version == 1
        assert [c.key for c in rubric.criteria] == ["need", "benefit", "novelty", "feasibility", "ip", "translation",
                                                    "team"]
        assert [c.weight for c in rubric.criteria] == [20, 20, 15, 15, 10, 15, 5]
        assert all(c.anchor_1_zh and c.anchor_3_zh and c.anchor_5_zh and c.anchor_5_en for c in rubric.criteria)
        assert [g.key for g in rubric.gates] == ["ethics", "complete"]


def test_creating_the_first_round_on_an_empty_database_creates_the_rubric(app, client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/reviews/rounds/new").get_data(as_text=True)
    assert "春雨行动临床价值筛选评价参考标准 v1" in page
    with app.app_context():  # showing the form writes nothing: the rubric is made with the round
        assert db.session.scalar(select(func.count()).select_from(Rubric)) == 0
    rubric_id = int(page.split('name="rubric_id"')[1].split('value="')[1].split('"')[0])
    assert client.post("/reviews/rounds/new", data={**ROUND, "rubric_id": rubric_id}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Rubric)) == 1
        round_ = db.session.scalar(select(ReviewRound))
        assert round_.rubric.status == RubricStatus.ACTIVE and round_.rubric.version == 1


def test_copy_makes_a_new_draft_version_that_can_be_edited_and_activated(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        source = rubrics.ensure_default_rubric()
        copy = rubrics.copy_rubric(source, db.session.get(User, admin.id))
        assert (copy.version, copy.status, copy.parent_id) == (2, RubricStatus.DRAFT, source.id)
        rows = rubrics.form_rows(copy)
        criteria = [row for row in rows["criteria"] if row]
        criteria[0]["weight"], criteria[-1]["weight"] = 25, 0  # need 25, team 0 ... then drop team
        criteria[-1]["remove"] = True
        edit = rubrics.edit_from_rows("春雨行动临床价值筛选评价参考标准", "", "need weighs more", criteria,
                                      [row for row in rows["gates"] if row])
        rubrics.update_draft(copy, edit, db.session.get(User, admin.id))
        assert rubrics.problems(copy) == [], "20 + 5 moved to need: still 100"
        rubrics.activate(copy, db.session.get(User, admin.id))
        db.session.commit()
        assert [c.key for c in copy.criteria][-1] == "translation" and copy.criteria[0].weight == 25
        assert source.criteria[0].weight == 20, "the source version is untouched"


def test_a_draft_with_wrong_weights_cannot_be_activated(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        copy = rubrics.copy_rubric(rubrics.ensure_default_rubric(), db.session.get(User, admin.id))
        copy.criteria[0].weight = 30
        try:
            rubrics.activate(copy, db.session.get(User, admin.id))
        except ReviewError as error:
            assert "110" in str(error)
        else:
            raise AssertionError("activation must be refused")


def test_an_active_rubric_cannot_be_edited(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        rubric = rubrics.ensure_default_rubric()
        edit = rubrics.RubricEdit("x", "", "", [], [])
        try:
            rubrics.update_draft(rubric, edit, db.session.get(User, admin.id))
        except ReviewError:
            pass
        else:
            raise AssertionError("an active rubric is frozen")


def test_old_scores_keep_their_rubric_version_after_a_new_version(app, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        assignment_id = invite(round_id, project_id, ids["neuro"], ids["admin"])
        complete_review(assignment_id, {"*": 4})
        old = db.session.get(ReviewRound, round_id).rubric
        admin = db.session.get(User, ids["admin"])
        new = rubrics.copy_rubric(old, admin)
        new.criteria[0].weight, new.criteria[1].weight = 30, 10
        rubrics.activate(new, admin)
        rubrics.archive(old, admin)
        db.session.commit()
        review = db.session.get(Assignment, assignment_id).review
        assert review.rubric_id == old.id
        assert {s.criterion.rubric_id for s in db.session.scalars(select(ReviewScore))} == {old.id}
        assert db.session.get(ReviewRound, round_id).rubric_id == old.id


def test_admin_copies_and_edits_a_rubric_through_the_pages(app, client, login_as):
    login_as(Role.ADMIN)
    with app.app_context():
        rubric_id = rubrics.ensure_default_rubric().id
        db.session.commit()
    response = client.post(f"/reviews/rubrics/{rubric_id}/copy")
    assert response.status_code == 302
    copy_url = response.headers["Location"]
    assert "v2" in client.get(copy_url).get_data(as_text=True)
    copy_id = int(copy_url.rstrip("/").rsplit("/", 1)[-1])
    form = client.get(f"/reviews/rubrics/{copy_id}/edit").get_data(as_text=True)
    assert "临床需求迫切性" in form
    data = {"name_zh": "春雨行动临床价值筛选评价参考标准", "name_en": "", "note": "试行"}
    with app.app_context():
        copy = db.session.get(Rubric, copy_id)
        for i, c in enumerate(copy.criteria):
            for name in rubrics.CRITERION_FIELDS:
                data[f"criteria-{i}-{name}"] = getattr(c, name)
        for i, g in enumerate(copy.gates):
            for name in rubrics.GATE_FIELDS:
                data[f"gates-{i}-{name}"] = getattr(g, name)
    data["criteria-0-weight"] = 35  # now 115: saved as a draft, refused at activation
    assert client.post(f"/reviews/rubrics/{copy_id}/edit", data=data).status_code == 302
    page = client.get(f"/reviews/rubrics/{copy_id}").get_data(as_text=True)
    assert "115" in page
    client.post(f"/reviews/rubrics/{copy_id}/activate")
    with app.app_context():
        assert db.session.get(Rubric, copy_id).status == RubricStatus.DRAFT
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "rubric.copied")) is not None


def test_rubric_pages_are_for_administrators_only(client, login_as):
    login_as(Role.EXPERT)
    assert client.get("/reviews/rubrics").status_code == 403


def test_rubric_versions_move_only_along_their_lifecycle_and_each_step_is_audited(app, make_user):
    admin_id = make_user(Role.ADMIN).id
    with app.app_context():
        admin = db.session.get(User, admin_id)
        source = rubrics.ensure_default_rubric(admin)
        copy = rubrics.copy_rubric(source, admin)
        for refused in (lambda: rubrics.archive(copy, admin), lambda: rubrics.activate(source, admin)):
            try:
                refused()
            except ReviewError:
                pass
            else:
                raise AssertionError("only an active version is archived, only a draft activated")
        rubrics.activate(copy, admin)
        rubrics.archive(source, admin)
        db.session.commit()
        assert (source.status, copy.status) == (RubricStatus.ARCHIVED, RubricStatus.ACTIVE)
        steps = [(e.action, e.object_id, e.detail["to_status"]) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(("rubric.activate", "rubric.archive")))
            .order_by(AuditEntry.id))]
        assert steps == [("rubric.activate", source.id, "active"), ("rubric.activate", copy.id, "active"),
                         ("rubric.archive", source.id, "archived")]
