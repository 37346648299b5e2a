"""Nothing from idea intake's confidential sections ever appears in the community, for anyone."""

import pytest

from chunfeng.accounts.models import Role
from chunfeng.community import services
from chunfeng.community.models import ClinicalNeed
from chunfeng.db import db, utcnow
from chunfeng.submissions.models import CONFIDENTIAL_FIELDS, Project
from tests.community.conftest import page_text

SECRET = "绝密方案ZX9"
TEXT_FIELDS = [f for f in CONFIDENTIAL_FIELDS if f not in ("ip_status", "pathway_hopes")]


@pytest.fixture
def world(app, make_user, post_need, post_challenge, run):
    """A clinician with a published project full of confidential text, who is also active in the community."""
    clinician = make_user(Role.CLINICIAN, department="重症医学科")
    with app.app_context():
        project = Project(owner_id=clinician.id, title="俯卧位气管插管固定器", public_summary="俯卧位通气插管固定",
                          specialty="重症医学科", published_at=utcnow(),
                          **{field: f"{SECRET}-{field}" for field in TEXT_FIELDS})
        db.session.add(project)
        db.session.commit()
    need_id = post_need(clinician)
    run(services.add_comment, (ClinicalNeed, need_id), clinician, "俯卧位时导联脱落。")
    converted = post_need(clinician, title="插管深度监测", problem="插管深度变化难以发现。")
    run(services.convert_need, (ClinicalNeed, converted), clinician)
    with app.app_context():  # the clinician then writes the confidential solution into the converted project
        project = db.session.get(Project, db.session.get(ClinicalNeed, converted).converted_project_id)
        project.solution = f"{SECRET}-converted-solution"
        db.session.commit()
    company = make_user(Role.ENTERPRISE)
    challenge_id = post_challenge(company)
    return {"clinician": clinician, "company": company, "need_ids": (need_id, converted), "challenge_id": challenge_id}


def _ours(path: str, html: str) -> str:
    """The part of the page the community drew (the workspace also shows other domains' panels)."""
    if path != "/dashboard":
        return html
    return html.split('id="community-panel-title"', 1)[1].split("</section>", 1)[0]


def test_no_community_page_shows_confidential_intake_text(world, client, make_user, client_for):
    need_id, converted = world["need_ids"]
    pages = ["/community/", "/community/?sort=demand", f"/community/needs/{need_id}", f"/community/needs/{converted}",
             "/community/faq", "/community/search?q=俯卧位", "/community/search?q=插管", "/community/search?q=方案"]
    member_pages = ["/community/challenges", f"/community/challenges/{world['challenge_id']}",
                    "/community/consultations", "/community/slots", "/dashboard"]
    viewers = [client, client_for(world["company"]), client_for(world["clinician"]),
               client_for(make_user(Role.ADMIN)), client_for(make_user(Role.EXPERT))]
    for viewer in viewers:
        for path in pages + (member_pages if viewer is not client else []):
            response = viewer.get(path)
            assert response.status_code == 200, path
            assert SECRET not in _ours(path, response.get_data(as_text=True)), path
        assert "共 0 条结果" in page_text(viewer.get(f"/community/search?q={SECRET}"))


def test_suggestions_read_no_confidential_text(app, world):
    with app.test_request_context():
        documents = dict(services.clinician_documents())
    assert "俯卧位气管插管固定器" in documents[world["clinician"].id]  # the published title and summary may be read
    assert all(SECRET not in text for text in documents.values())
