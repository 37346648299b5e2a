"""The matching demo: approved profiles for the demo companies and real device makers, matches, a connection."""

from __future__ import annotations

from sqlalchemy import func, select

from chunfeng.accounts.models import Role
from chunfeng.db import db
from chunfeng.demo import matching as demo
from chunfeng.demo.people import DemoPeople
from chunfeng.matching.models import Connection, ConnectionStatus, OrgProfile, ProfileStatus

from .conftest import THROMBECTOMY, org_ids_ranked_for


def _people(*users) -> DemoPeople:
    """The demo's people, attached to the current session."""
    people = DemoPeople(password="unused")
    for user in users:
        people.by_email[user.email] = db.session.merge(user)
    return people


def test_demo_profiles_matches_and_a_connection(app, make_user, clinician, add_project):
    admin = make_user(Role.ADMIN)
    stent = make_user(Role.ENTERPRISE, organization="上海微创介入医疗科技有限公司")
    eye = make_user(Role.ENTERPRISE, organization="成都视康医学影像科技有限公司")
    monitors = make_user(Role.ENTERPRISE, organization="深圳迈瑞康医疗器械有限公司")
    project_id = add_project(clinician, **THROMBECTOMY)
    with app.app_context():
        people = _people(admin, stent, eye, monitors, clinician)
        demo.seed(people, extra_companies=30)
        db.session.commit()
        approved = db.session.scalar(select(func.count()).select_from(OrgProfile).where(
            OrgProfile.status == ProfileStatus.APPROVED))
        assert approved >= 2 + 40 + 30  # two demo companies present here, the real makers, the synthetic ones
        connection = db.session.scalar(select(Connection).where(Connection.status == ConnectionStatus.ACCEPTED))
        assert connection.project_id == project_id and len(connection.events) == 4
        assert [e.happened_on for e in connection.events] == sorted(e.happened_on for e in connection.events)
        assert [m.side for m in connection.messages] == ["company", "clinician"], "the two sides write"
        invitation = db.session.scalar(select(Connection).where(Connection.invited.is_(True)))
        assert invitation.status == ConnectionStatus.REQUESTED and invitation.project_id == project_id
        assert invitation.organization_id != connection.organization_id, "a company not yet connected is invited"
    ranked = org_ids_ranked_for(app, project_id)
    assert stent.organization_id in ranked, "the neuro-interventional maker is suggested for a thrombectomy device"
    assert eye.organization_id not in ranked[: ranked.index(stent.organization_id)]


def test_demo_without_released_projects_skips_the_connection(app, make_user):
    admin = make_user(Role.ADMIN)
    with app.app_context():
        demo.seed(_people(admin))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Connection)) == 0
        assert db.session.scalar(select(func.count()).select_from(OrgProfile)) >= 40
