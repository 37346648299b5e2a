"""Following, "I see this too", comments and turning a need into a project."""

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from chunfeng.accounts.models import Role
from chunfeng.community.models import ClinicalNeed, NeedSeeToo, NeedStatus
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status
from tests.community.conftest import page_text


def _see_too_count(client, need_id) -> str:
    html = client.get(f"/community/needs/{need_id}").get_data(as_text=True)
    return html.split('id="see-too-count">', 1)[1].split("<", 1)[0]


def test_see_too_counts_each_clinician_once_and_can_be_taken_back(make_user, client_for, post_need):
    need_id = post_need(make_user(Role.CLINICIAN))
    first, second = client_for(make_user(Role.CLINICIAN)), client_for(make_user(Role.EXPERT))

    first.post(f"/community/needs/{need_id}/see-too")
    second.post(f"/community/needs/{need_id}/see-too")
    assert _see_too_count(first, need_id) == "2"
    first.post(f"/community/needs/{need_id}/see-too")  # a second press takes it back
    assert _see_too_count(first, need_id) == "1"
    assert "我也遇到 1" in page_text(first.get("/community/"))


def test_see_too_is_unique_per_person_in_the_database(app, make_user, post_need):
    clinician = make_user(Role.CLINICIAN)
    need_id = post_need(make_user(Role.CLINICIAN))
    with app.app_context():
        db.session.add(NeedSeeToo(need_id=need_id, user_id=clinician.id))
        db.session.commit()
        db.session.add(NeedSeeToo(need_id=need_id, user_id=clinician.id))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_companies_and_the_author_cannot_say_they_see_it_too(make_user, client_for, post_need):
    author = make_user(Role.CLINICIAN)
    need_id = post_need(author)
    assert client_for(make_user(Role.ENTERPRISE)).post(f"/community/needs/{need_id}/see-too").status_code == 403
    assert client_for(author).post(f"/community/needs/{need_id}/see-too").status_code == 404
    assert _see_too_count(client_for(author), need_id) == "0"


def test_followers_and_author_hear_of_new_comments(app, make_user, client_for, post_need):
    author = make_user(Role.CLINICIAN)
    need_id = post_need(author)
    company = make_user(Role.ENTERPRISE)
    follower = client_for(company)
    assert follower.post(f"/community/needs/{need_id}/follow").status_code == 302
    commenter = client_for(make_user(Role.CLINICIAN, name="林晓燕"))

    response = commenter.post(f"/community/needs/{need_id}/comments", data={"text": "我们科也常遇到这个问题。"})
    assert response.status_code == 302
    assert "我们科也常遇到这个问题。" in page_text(follower.get(f"/community/needs/{need_id}"))
    with app.app_context():
        told = set(db.session.scalars(select(Notification.user_id).where(Notification.message.like("New comment%"))))
    assert told == {author.id, company.id}


def test_empty_comment_is_refused_in_chinese(make_user, client_for, post_need):
    need_id = post_need(make_user(Role.CLINICIAN))
    response = client_for(make_user(Role.CLINICIAN)).post(f"/community/needs/{need_id}/comments", data={"text": ""})
    assert response.status_code == 400 and "该字段是必填字段" in page_text(response)


def test_posting_a_need_keeps_what_was_typed_when_refused(make_user, client_for):
    clinician = client_for(make_user(Role.CLINICIAN, department="儿科"))
    response = clinician.post("/community/needs/new", data={
        "title": "婴幼儿静脉穿刺困难", "problem": "", "specialty": "儿科", "visibility": "public"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="婴幼儿静脉穿刺困难"' in page
    assert "请确认此项。" in page  # the no-patient-data attestation is required


def test_need_becomes_a_private_draft_project_and_keeps_the_link(app, make_user, client_for, post_need):
    author = make_user(Role.CLINICIAN)
    need_id = post_need(author)
    clinician = client_for(author)

    response = clinician.post(f"/community/needs/{need_id}/convert")
    assert response.status_code == 302
    with app.app_context():
        need = db.session.get(ClinicalNeed, need_id)
        project = db.session.get(Project, need.converted_project_id)
        assert need.status == NeedStatus.CONVERTED
        assert project.owner_id == author.id and project.status == Status.DRAFT
        assert project.title == need.title and project.need_problem == need.problem
        assert project.need_population == need.population and project.specialty == "重症医学科"
        project_id = project.id
    assert response.headers["Location"].endswith(f"/projects/{project_id}")

    own = clinician.get(f"/community/needs/{need_id}").get_data(as_text=True)
    assert "已转为正式项目" in own and f"/projects/{project_id}" in own
    other = client_for(make_user(Role.CLINICIAN))
    others_view = other.get(f"/community/needs/{need_id}").get_data(as_text=True)
    assert "已转为正式项目" in others_view and f"/projects/{project_id}" not in others_view
    assert other.get(f"/projects/{project_id}").status_code in (403, 404)
    assert client_for(make_user(Role.ENTERPRISE)).get(f"/projects/{project_id}").status_code in (403, 404)
    assert clinician.post(f"/community/needs/{need_id}/convert").status_code == 404  # only once


def test_only_the_author_edits_a_need(make_user, client_for, post_need, load):
    author = make_user(Role.CLINICIAN)
    need_id = post_need(author)
    edited = {"title": "俯卧位通气时插管移位（补充）", "problem": "补充：夜班更常见。", "specialty": "重症医学科",
              "visibility": "companies", "no_patient_data": "y"}
    other = client_for(make_user(Role.CLINICIAN))
    assert other.post(f"/community/needs/{need_id}/edit", data=edited).status_code == 404
    assert client_for(author).post(f"/community/needs/{need_id}/edit", data=edited).status_code == 302
    need = load(ClinicalNeed, need_id)
    assert need.title == "俯卧位通气时插管移位（补充）" and need.visibility == "companies"
