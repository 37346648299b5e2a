"""A clinician invites a suggested company to connect: consent given with the invitation, the company answers,
accepting opens the details as an accepted request does; one open connection per project and organisation."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from chunfeng.accounts.models import Consent, User
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.matching import connections
from chunfeng.matching.models import Connection, ConnectionStatus, ShareGrant
from tests.concurrency import in_parallel, on_postgres, signed_in
from tests.smtp_server import body, subject

from .conftest import EYE_COMPANY, STENT_COMPANY, THROMBECTOMY

MESSAGE = "您好，贵公司的取栓支架平台与我的项目高度契合，希望探讨联合开发与注册检验。"
STENT = "上海神经介入器械有限公司"
SECRETS = (THROMBECTOMY["solution"], "李明", "13800138000", "liming@hospital.cn")



@pytest.fixture
def setup(app, clinician, add_project, add_company):
    project_id = add_project(clinician, **THROMBECTOMY)
    stent = add_company(STENT, STENT_COMPANY)
    with app.app_context():
        db.session.execute(update(User).where(User.id == stent.id).values(
            name="王经理", title="商务总监", phone="021-55550000"))
        db.session.commit()
    return {"project": project_id, "clinician": clinician, "stent": stent,
            "eye": add_company("成都眼科影像有限公司", EYE_COMPANY)}



def _invite_url(setup, company="stent") -> str:
    return f"/matching/suggestions/{setup['project']}/invite/{setup[company].organization_id}"


def _invite(app, setup, company="stent") -> int:
    response = signed_in(app, setup["clinician"]).post(_invite_url(setup, company),
                                                     data={"message": MESSAGE, "consent": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _connections(app, project_id: int) -> list[Connection]:
    with app.app_context():
        rows = db.session.scalars(select(Connection).where(Connection.project_id == project_id)).all()
        for row in rows:
            db.session.expunge(row)
        return list(rows)


def _active_grants(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ShareGrant).where(ShareGrant.revoked_at.is_(None)))


def test_the_clinician_invites_from_the_suggestions_and_consent_is_asked_first(app, setup):
    clinician = signed_in(app, setup["clinician"])
    page = clinician.get(f"/matching/suggestions/{setup['project']}").get_data(as_text=True)
    assert STENT in page and "邀请对接" in page and _invite_url(setup) in page
    assert "本人同意 上海神经介入器械有限公司 查看本人项目" in page, "the consent names the company"

    refused = clinician.post(_invite_url(setup), data={"message": MESSAGE})
    assert refused.status_code == 400 and "发出邀请前，请勾选同意授权" in refused.get_data(as_text=True)
    short = clinician.post(_invite_url(setup), data={"message": "合作吧", "consent": "y"})
    assert short.status_code == 400 and "请用10至2000个字说明对接意向" in short.get_data(as_text=True)
    assert "合作吧" in short.get_data(as_text=True), "what was typed is kept"
    assert _connections(app, setup["project"]) == []

    connection_id = _invite(app, setup)
    [connection] = _connections(app, setup["project"])
    assert connection.id == connection_id and connection.invited and connection.status == ConnectionStatus.REQUESTED
    page = clinician.get(f"/matching/suggestions/{setup['project']}").get_data(as_text=True)
    assert "等待企业答复" in page and f"/matching/connections/{connection_id}" in page


def test_the_company_answers_and_accepting_opens_the_details_with_the_clinicians_consent(app, setup, smtp):
    connection_id = _invite(app, setup)
    [mail] = smtp.to(setup["stent"].email)
    assert THROMBECTOMY["title"] in subject(mail) and "邀请" in subject(mail)
    assert MESSAGE in body(mail) and f"/matching/connections/{connection_id}" in body(mail)
    assert not any(secret in body(mail) for secret in SECRETS), "the company learns no name before it accepts"

    company = signed_in(app, setup["stent"])
    listing = company.get("/matching/connections").get_data(as_text=True)
    assert "等待您答复的邀请" in listing and f'href="/matching/projects/{setup["project"]}"' in listing
    page = company.get(f"/matching/connections/{connection_id}").get_data(as_text=True)
    assert "答复此邀请" in page and MESSAGE in page
    assert not any(secret in page for secret in SECRETS)
    details = company.get(f"/matching/projects/{setup['project']}").get_data(as_text=True)
    assert THROMBECTOMY["solution"] not in details and "等待企业答复" in details

    smtp.messages.clear()
    assert company.post(f"/matching/connections/{connection_id}/decide",
                        data={"decision": "accept", "note": "很高兴合作"}).status_code == 302
    with app.app_context():
        connection = db.session.get(Connection, connection_id)
        assert connection.status == ConnectionStatus.ACCEPTED and connection.answered_by_id == setup["stent"].id
        grant = db.session.scalar(select(ShareGrant))
        consent = db.session.get(Consent, grant.consent_id)
        assert grant.connection_id == connection_id and consent.user_id == setup["clinician"].id
        assert consent.kind == "share_grant" and STENT in consent.text
    details = company.get(f"/matching/projects/{setup['project']}").get_data(as_text=True)
    assert all(secret in details for secret in SECRETS)
    [answer] = smtp.to("liming@hospital.cn")
    assert "已接受您关于" in body(answer) and "很高兴合作" in body(answer)

    page = signed_in(app, setup["clinician"]).get(f"/matching/connections/{connection_id}").get_data(as_text=True)
    assert "企业联系人" in page and "王经理" in page and "商务总监" in page and "021-55550000" in page


def test_a_declined_invitation_shares_nothing_and_tells_the_clinician(app, setup, smtp):
    connection_id = _invite(app, setup)
    company = signed_in(app, setup["stent"])
    assert company.post(f"/matching/connections/{connection_id}/decide",
                        data={"decision": "decline", "note": "方向不符"}).status_code == 302
    assert _active_grants(app) == 0
    [answer] = smtp.to("liming@hospital.cn")
    assert "婉拒了您关于" in body(answer) and "方向不符" in body(answer)
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.user_id == setup["clinician"].id))
        assert "declined your invitation" in note.message
    details = company.get(f"/matching/projects/{setup['project']}").get_data(as_text=True)
    assert not any(secret in details for secret in SECRETS)


def test_who_may_invite_answer_and_withdraw(app, setup, make_user, add_company):
    stranger = signed_in(app, make_user("clinician"))
    assert stranger.get(f"/matching/suggestions/{setup['project']}").status_code == 404
    assert stranger.post(_invite_url(setup), data={"message": MESSAGE, "consent": "y"}).status_code == 404
    company = signed_in(app, setup["stent"])
    assert company.post(_invite_url(setup), data={"message": MESSAGE, "consent": "y"}).status_code == 403
    pending = add_company("待审核器械公司", STENT_COMPANY, approved=False)
    clinician = signed_in(app, setup["clinician"])
    assert clinician.post(f"/matching/suggestions/{setup['project']}/invite/{pending.organization_id}",
                          data={"message": MESSAGE, "consent": "y"}).status_code == 404
    assert _connections(app, setup["project"]) == []

    connection_id = _invite(app, setup)
    decide = f"/matching/connections/{connection_id}/decide"
    assert clinician.post(decide, data={"decision": "accept", "consent": "y"}).status_code == 404, \
        "the clinician does not answer their own invitation"
    other = signed_in(app, setup["eye"])
    assert other.get(f"/matching/connections/{connection_id}").status_code == 404
    assert other.post(decide, data={"decision": "accept"}).status_code == 404
    assert company.post(f"/matching/connections/{connection_id}/withdraw").status_code == 404, \
        "the company answers; only the clinician withdraws an invitation"

    assert clinician.post(f"/matching/connections/{connection_id}/withdraw").status_code == 302
    late = company.post(decide, data={"decision": "accept"}, follow_redirects=True)
    assert late.status_code == 200 and "该邀请已被答复或已撤回" in late.get_data(as_text=True)
    assert _active_grants(app) == 0
    with app.app_context():
        assert db.session.get(Connection, connection_id).status == ConnectionStatus.WITHDRAWN


def test_one_open_connection_per_project_and_company(app, setup, monkeypatch):
    company = signed_in(app, setup["stent"])
    reason = "我们有成熟的III类取栓支架注册经验和生产线，希望探讨联合开发。"
    assert company.post(f"/matching/projects/{setup['project']}/connect", data={"reason": reason}).status_code == 302
    clinician = signed_in(app, setup["clinician"])
    refused = clinician.post(_invite_url(setup), data={"message": MESSAGE, "consent": "y"})
    assert refused.status_code == 409
    assert "上海神经介入器械有限公司 已就该项目提出对接请求，请答复该请求" in refused.get_data(as_text=True)
    assert len(_connections(app, setup["project"])) == 1

    _invite(app, setup, "eye")
    again = clinician.post(_invite_url(setup, "eye"), data={"message": MESSAGE, "consent": "y"})
    assert again.status_code == 409 and "您已邀请 成都眼科影像有限公司" in again.get_data(as_text=True)
    eye = signed_in(app, setup["eye"])
    asked = eye.post(f"/matching/projects/{setup['project']}/connect", data={"reason": reason},
                     follow_redirects=True)
    assert "已与该项目建立对接" in asked.get_data(as_text=True), "a request while invited is refused too"

    # an invitation that checked before a simultaneous one was stored: the database refuses it with a message
    monkeypatch.setattr(connections, "open_connection", lambda *_args: None)
    lost = clinician.post(_invite_url(setup, "eye"), data={"message": MESSAGE, "consent": "y"})
    assert lost.status_code == 409 and "成都眼科影像有限公司" in lost.get_data(as_text=True)
    assert len(_connections(app, setup["project"])) == 2


@pytest.mark.postgres
@on_postgres
def test_two_invitations_at_the_same_moment_end_in_one_row(app, setup):
    clients = [signed_in(app, setup["clinician"]) for _ in range(2)]
    url = _invite_url(setup)
    codes = in_parallel([lambda c=c: c.post(url, data={"message": MESSAGE, "consent": "y"}) for c in clients])
    assert sorted(codes) == [302, 409], "one is stored, the other is told, never a 500"
    assert len(_connections(app, setup["project"])) == 1


def test_workspaces_count_invitations_apart_from_requests(app, setup, make_user):
    _invite(app, setup)
    company = signed_in(app, setup["stent"]).get("/dashboard").get_data(as_text=True)
    assert "1 位医生邀请贵单位进行对接" in company and "/matching/connections" in company
    clinician = signed_in(app, setup["clinician"]).get("/dashboard").get_data(as_text=True)
    assert "待您答复：" not in clinician, "the clinician's own invitation asks nothing of them"
    admin = signed_in(app, make_user("admin")).get("/dashboard").get_data(as_text=True)
    assert "0个等待医生答复" in admin and "1个医生邀请等待企业答复" in admin
