"""One open connection and one active grant per project and organisation, enforced by the database: parallel
requests, double clicks and old duplicates cannot leave a company reading details after the clinician withdrew."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.matching import connections
from chunfeng.matching.models import Connection, ConnectionStatus, ShareGrant
from tests.concurrency import count_rows, in_parallel, on_postgres, signed_in

from .conftest import STENT_COMPANY, THROMBECTOMY

REASON = "我们有成熟的III类取栓支架注册经验和生产线，希望探讨联合开发。"
CONFIDENTIAL = (THROMBECTOMY["solution"], "liming@hospital.cn")



@pytest.fixture
def pair(app, clinician, add_project, add_company):
    project_id = add_project(clinician, **THROMBECTOMY)
    return {"project": project_id, "clinician": clinician,
            "company": add_company("上海神经介入器械有限公司", STENT_COMPANY)}




def _open_connections(app, project_id: int) -> int:
    return count_rows(app, Connection, Connection.project_id == project_id,
                  Connection.status.in_((ConnectionStatus.REQUESTED, ConnectionStatus.ACCEPTED)))


def _active_grants(app, project_id: int) -> int:
    return count_rows(app, ShareGrant, ShareGrant.project_id == project_id, ShareGrant.revoked_at.is_(None))


def test_the_database_holds_one_open_connection_and_one_active_grant_per_pair(app, pair):
    company = pair["company"]
    with app.app_context():
        def connection(status):
            return Connection(project_id=pair["project"], organization_id=company.organization_id, reason=REASON,
                              status=status)

        db.session.add_all([connection(ConnectionStatus.WITHDRAWN), connection(ConnectionStatus.DECLINED),
                            connection(ConnectionStatus.REQUESTED)])
        db.session.commit()  # closed ones do not count
        db.session.add(connection(ConnectionStatus.ACCEPTED))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()

        def grant(revoked_at=None):
            return ShareGrant(project_id=pair["project"], organization_id=company.organization_id,
                              revoked_at=revoked_at)

        db.session.add_all([grant(revoked_at=db.func.current_timestamp()), grant()])
        db.session.commit()
        db.session.add(grant())
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_request_that_loses_the_race_gets_a_clear_message_not_an_error(app, pair, monkeypatch):
    """The second request checked before the first was stored: the database refuses it, the company is told."""
    client = signed_in(app, pair["company"])
    url = f"/matching/projects/{pair['project']}/connect"
    assert client.post(url, data={"reason": REASON}).status_code == 302
    monkeypatch.setattr(connections, "open_connection", lambda *_args: None)
    response = client.post(url, data={"reason": REASON}, follow_redirects=True)
    assert response.status_code == 200 and "已与该项目建立对接" in response.get_data(as_text=True)
    assert _open_connections(app, pair["project"]) == 1


def test_accepting_twice_gives_one_grant_and_withdrawing_it_ends_access(app, pair):
    company = signed_in(app, pair["company"])
    response = company.post(f"/matching/projects/{pair['project']}/connect", data={"reason": REASON})
    connection_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    clinician = signed_in(app, pair["clinician"])
    decide = f"/matching/connections/{connection_id}/decide"
    assert clinician.post(decide, data={"decision": "accept", "consent": "y"}).status_code == 302
    again = clinician.post(f"/matching/connections/{connection_id}/share", data={"consent": "y"},
                           follow_redirects=True)
    assert "该企业已有查阅权限" in again.get_data(as_text=True)
    with app.app_context():  # as a second answer sent at the same moment saw it: still unanswered
        db.session.execute(update(Connection).values(status=ConnectionStatus.REQUESTED))
        db.session.commit()
    page = clinician.post(decide, data={"decision": "accept", "consent": "y"}, follow_redirects=True)
    assert page.status_code == 200 and "该企业已有查阅权限" in page.get_data(as_text=True)
    assert _active_grants(app, pair["project"]) == 1

    with app.app_context():
        grant_id = db.session.scalar(select(ShareGrant.id))
    assert clinician.post(f"/matching/grants/{grant_id}/revoke").status_code == 302
    page = company.get(f"/matching/projects/{pair['project']}").get_data(as_text=True)
    assert not any(secret in page for secret in CONFIDENTIAL)


@pytest.fixture
def without_grant_constraint(app):
    """Old data from before the constraint: the index is dropped for the test and restored afterwards."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text("DROP INDEX uq_share_grants_active_pair"))
    yield
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(ShareGrant.__table__.delete())
        next(i for i in ShareGrant.__table__.indexes if i.name == "uq_share_grants_active_pair").create(conn)


def test_withdrawing_access_revokes_every_grant_of_the_pair(app, pair, without_grant_constraint):
    company = signed_in(app, pair["company"])
    response = company.post(f"/matching/projects/{pair['project']}/connect", data={"reason": REASON})
    connection_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    clinician = signed_in(app, pair["clinician"])
    clinician.post(f"/matching/connections/{connection_id}/decide", data={"decision": "accept", "consent": "y"})
    with app.app_context():  # a duplicate grant, as the race left them before the constraint
        first = db.session.scalar(select(ShareGrant))
        db.session.add(ShareGrant(project_id=first.project_id, organization_id=first.organization_id,
                                  connection_id=first.connection_id))
        db.session.commit()
        first_id = first.id
    assert _active_grants(app, pair["project"]) == 2
    assert clinician.post(f"/matching/grants/{first_id}/revoke").status_code == 302
    assert _active_grants(app, pair["project"]) == 0
    page = company.get(f"/matching/projects/{pair['project']}").get_data(as_text=True)
    assert not any(secret in page for secret in CONFIDENTIAL)


@pytest.mark.postgres
@on_postgres
def test_ten_parallel_requests_from_one_company_open_one_connection(app, pair):
    clients = [signed_in(app, pair["company"]) for _ in range(10)]
    url = f"/matching/projects/{pair['project']}/connect"
    codes = in_parallel([lambda c=c: c.post(url, data={"reason": REASON}) for c in clients])
    assert codes == [302] * 10, "a clash answers with a message, never a 500"
    assert _open_connections(app, pair["project"]) == 1
    with app.app_context():
        connection_id = db.session.scalar(select(Connection.id))
    clinician = signed_in(app, pair["clinician"])
    decide = f"/matching/connections/{connection_id}/decide"
    codes = in_parallel([lambda: clinician.post(decide, data={"decision": "accept", "consent": "y"})] * 2)
    assert sorted(codes) == [302, 302]
    assert _active_grants(app, pair["project"]) == 1


@pytest.mark.postgres
@on_postgres
def test_ten_companies_connecting_at_once_are_all_stored_once(app, clinician, add_project, add_company):
    project_id = add_project(clinician, **THROMBECTOMY)
    companies = [add_company(f"器械企业{n:02d}", STENT_COMPANY) for n in range(10)]
    clients = [signed_in(app, company) for company in companies]
    url = f"/matching/projects/{project_id}/connect"
    codes = in_parallel([lambda c=c: c.post(url, data={"reason": REASON}) for c in clients])
    assert codes == [302] * 10
    with app.app_context():
        orgs = db.session.scalars(select(Connection.organization_id).where(Connection.project_id == project_id)).all()
        assert sorted(orgs) == sorted(c.organization_id for c in companies), "0 lost, 0 duplicated"
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == clinician.id)) == 10
