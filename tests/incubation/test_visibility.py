"""Who sees an incubation and which entries of its service record."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from chunfeng.accounts.models import Role, User
from chunfeng.core.models import Notification
from chunfeng.db import db, utcnow
from chunfeng.incubation import documents, involvement, service_record
from chunfeng.incubation.errors import IncubationError
from chunfeng.incubation.models import Incubation
from chunfeng.matching.models import Connection, ShareGrant
from tests.conftest import login
from tests.incubation.conftest import MONDAY, at

TEXTS = {
    "internal": "内部：企业注册团队经验不足，需重点跟进",
    "doctor": "致医生：请补充临床使用场景说明",
    "company": "致企业：注册检验送样前请确认型号规格",
    "both": "致双方：审评前置沟通会定于下周三",
}


def connect(app, project_id: int, company: User, status: str = "accepted", granted: bool | None = None) -> None:
    """The company's connection request; an accepted one comes with the clinician's share grant, as on accepting
    (unless `granted` says otherwise)."""
    with app.app_context():
        connection = Connection(project_id=project_id, organization_id=company.organization_id,
                                requested_by_id=company.id, reason="合作开发", status=status)
        db.session.add(connection)
        db.session.flush()
        if (status == "accepted") if granted is None else granted:
            db.session.add(ShareGrant(project_id=project_id, organization_id=company.organization_id,
                                      connection_id=connection.id))
        db.session.commit()


@pytest.fixture
def record_with_every_audience(app, start, make_user):
    started = start()
    partner = make_user(Role.ENTERPRISE, name="刘经理", organization="深圳迈瑞康医疗器械有限公司")
    connect(app, started.project_id, partner)
    with at(MONDAY + timedelta(days=3)), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        officer = db.session.get(User, started.officer.id)
        for audience, text in TEXTS.items():
            service_record.add_entry(incubation, officer, kind="consultation", audience=audience, text=text,
                               occurred_on=MONDAY)
        db.session.commit()
    return started, partner


def _page(client, user, project_id):
    login(client, user.email)
    response = client.get(f"/incubation/project/{project_id}")
    client.post("/account/logout")
    return response.status_code, response.get_data(as_text=True)


def _shown(body: str) -> set[str]:
    return {audience for audience, text in TEXTS.items() if text in body}


def test_each_party_reads_only_the_entries_meant_for_it(client, record_with_every_audience):
    started, partner = record_with_every_audience
    officer_page = _page(client, started.officer, started.project_id)[1]
    assert _shown(officer_page) == set(TEXTS)
    assert f'href="/projects/{started.project_id}"' in officer_page, "the officer opens the full project file"
    assert _shown(_page(client, started.admin, started.project_id)[1]) == set(TEXTS)
    assert _shown(_page(client, started.clinician, started.project_id)[1]) == {"doctor", "both"}
    status, body = _page(client, partner, started.project_id)
    assert status == 200 and _shown(body) == {"company", "both"}
    assert "李明医生" not in body, "the company page does not name the doctor"
    assert f'href="/projects/{started.project_id}"' not in body


def test_outsiders_get_404_and_visitors_are_sent_to_log_in(app, client, record_with_every_audience, make_user):
    started, _partner = record_with_every_audience
    stranger_company = make_user(Role.ENTERPRISE, organization="上海微创介入医疗科技有限公司")
    requested_only = make_user(Role.ENTERPRISE, organization="成都视康医学影像科技有限公司")
    connect(app, started.project_id, requested_only, status="requested")
    for outsider in (stranger_company, requested_only, make_user(Role.CLINICIAN), make_user(Role.OFFICER),
                     make_user(Role.EXPERT)):
        assert _page(client, outsider, started.project_id)[0] == 404, outsider.role
    response = client.get(f"/incubation/project/{started.project_id}")
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


def test_questions_reach_the_officer_and_stay_with_the_side_that_asked(app, client, record_with_every_audience):
    started, partner = record_with_every_audience
    login(client, started.clinician.email)
    assert client.post(f"/incubation/project/{started.project_id}/questions",
                       data={"question": "能否使用境外临床试验数据？"}).status_code == 302
    client.post("/account/logout")
    login(client, partner.email)
    assert client.post(f"/incubation/project/{started.project_id}/questions",
                       data={"question": "注册检验可以在省所做吗？"}).status_code == 302
    refused = client.post(f"/incubation/project/{started.project_id}/questions", data={"question": ""})
    assert refused.status_code == 400
    client.post("/account/logout")
    clinician_page = _page(client, started.clinician, started.project_id)[1]
    company_page = _page(client, partner, started.project_id)[1]
    officer_page = _page(client, started.officer, started.project_id)[1]
    assert "境外临床试验数据" in clinician_page and "省所" not in clinician_page
    assert "省所" in company_page and "境外临床试验数据" not in company_page
    assert "境外临床试验数据" in officer_page and "省所" in officer_page
    with app.app_context():
        notes = db.session.scalars(select(Notification).where(Notification.user_id == started.officer.id)).all()
        assert sum(n.message == "New question on %(title)s." for n in notes) == 2


def test_the_officer_answers_and_the_asker_is_told(app, client, record_with_every_audience):
    started, _partner = record_with_every_audience
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        question = service_record.ask_question(incubation, db.session.get(User, started.clinician.id),
                                               "需要做动物实验吗？")
        db.session.commit()
        question_id = question.id
    login(client, started.officer.email)
    response = client.post(f"/incubation/entry/{question_id}/answer", data={f"a{question_id}-answer": ""})
    assert response.status_code == 400 and "需要做动物实验吗" in response.get_data(as_text=True)
    response = client.post(f"/incubation/entry/{question_id}/answer",
                           data={f"a{question_id}-answer": "按指导原则，本产品可不做动物实验。"})
    assert response.status_code == 302
    client.post("/account/logout")
    assert "本产品可不做动物实验" in _page(client, started.clinician, started.project_id)[1]
    with app.app_context():
        assert db.session.scalar(select(Notification).where(
            Notification.user_id == started.clinician.id,
            Notification.message == "Your question on %(title)s has been answered."))


def test_an_entry_for_one_company_is_not_shown_to_another_connected_company(app, record_with_every_audience,
                                                                            make_user):
    started, partner = record_with_every_audience
    investor = make_user(Role.INVESTOR, organization="粤港澳大湾区医疗健康产业基金")
    connect(app, started.project_id, investor)
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        officer = db.session.get(User, started.officer.id)
        service_record.add_entry(incubation, officer, kind="guidance", audience="company", text="仅致迈瑞康",
                           occurred_on=MONDAY, organization_id=partner.organization_id)
        db.session.commit()
        for_partner = {e.text for e in involvement.visible_entries(incubation, db.session.get(User, partner.id))}
        for_investor = {e.text for e in involvement.visible_entries(incubation, db.session.get(User, investor.id))}
        assert "仅致迈瑞康" in for_partner and "仅致迈瑞康" not in for_investor
        assert TEXTS["company"] in for_investor
        stranger = make_user(Role.ENTERPRISE, organization="无关公司")
        with pytest.raises(IncubationError):
            service_record.add_entry(incubation, officer, kind="guidance", audience="company", text="x",
                               occurred_on=MONDAY, organization_id=stranger.organization_id)


def test_the_assigned_officer_may_read_the_confidential_project_details(app, start, make_user):
    from chunfeng import policy
    from chunfeng.submissions.models import Project

    started = start()
    other_officer = make_user(Role.OFFICER)
    with app.app_context():
        project = db.session.get(Project, started.project_id)
        assert policy.can(db.session.get(User, started.officer.id), "submission.view_confidential", project)
        assert not policy.can(db.session.get(User, other_officer.id), "submission.view_confidential", project)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _company_sees(client, partner, project_id: int, document_id: int) -> dict[str, int]:
    login(client, partner.email)
    seen = {"page": client.get(f"/incubation/project/{project_id}").status_code}
    download = client.get(f"/incubation/document/{document_id}")
    seen["document"] = download.status_code
    download.close()
    client.post("/account/logout")
    return seen


def test_an_accepted_connection_without_the_clinicians_grant_opens_nothing(app, client, start, make_user):
    started = start()
    accepted_only = make_user(Role.ENTERPRISE, organization="成都视康医学影像科技有限公司")
    connect(app, started.project_id, accepted_only, granted=False)
    assert _page(client, accepted_only, started.project_id)[0] == 404
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        assert involvement.viewer_role(db.session.get(User, accepted_only.id), incubation) is None
        assert involvement.granted_organization_ids(incubation.project) == set()


def test_revoking_the_grant_closes_every_incubation_view_to_the_company(app, client, record_with_every_audience):
    started, partner = record_with_every_audience
    with app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        document = documents.add_document(incubation.milestones[0], FileStorage(io.BytesIO(PDF), filename="报告.pdf"),
                                          db.session.get(User, started.officer.id))
        db.session.commit()
        document_id = document.id
    assert _company_sees(client, partner, started.project_id, document_id) == {"page": 200, "document": 200}
    with app.app_context():
        grant = db.session.scalar(select(ShareGrant).where(ShareGrant.organization_id == partner.organization_id))
        grant.revoked_at = utcnow()
        db.session.commit()
    assert _company_sees(client, partner, started.project_id, document_id) == {"page": 404, "document": 404}
    login(client, partner.email)
    assert client.post(f"/incubation/project/{started.project_id}/questions",
                       data={"question": "还能提问吗？"}).status_code == 404
    client.post("/account/logout")
    with at(MONDAY + timedelta(days=3)), app.app_context():
        incubation = db.session.get(Incubation, started.incubation_id)
        company, officer = db.session.get(User, partner.id), db.session.get(User, started.officer.id)
        assert involvement.visible_entries(incubation, company) == []
        with pytest.raises(IncubationError):
            service_record.ask_question(incubation, company, "还能提问吗？")
        with pytest.raises(IncubationError):
            service_record.add_entry(incubation, officer, kind="guidance", audience="company", text="仅致迈瑞康",
                                     occurred_on=MONDAY, organization_id=partner.organization_id)
        told = select(Notification).where(Notification.user_id == partner.id)
        before = len(db.session.scalars(told).all())
        service_record.add_entry(incubation, officer, kind="guidance", audience="both", text="撤回之后的记录",
                                 occurred_on=MONDAY)
        db.session.commit()
        assert len(db.session.scalars(told).all()) == before, "a company without the grant is not told"
    assert "撤回之后的记录" in _page(client, started.clinician, started.project_id)[1]
