"""The workspace's to-do panel ("Asked of you"): what every domain asks of the person, at the top of the page,
with the rows of the domains that read their own (join requests, challenge invitations) in one statement, and
no panel at all when nothing is asked."""

from __future__ import annotations

import re
from datetime import timedelta

from chunfeng.accounts.models import JoinRequest, JoinStatus, Role
from chunfeng.community.models import Challenge, ChallengeSuggestion
from chunfeng.db import db, utcnow
from chunfeng.submissions.models import Project
from tests.conftest import login
from tests.main.test_workspace_statements import workspace_statements

OWN_READS = ("SELECT join_requests.", "SELECT community_challenge")


def _asked(page: str) -> list[str]:
    if 'id="panel-asked"' not in page:
        return []
    section = page[page.index('id="panel-asked"'):]
    section = re.sub(r'<span lang="[^"]+">([^<]*)</span>', r"\1", section[:section.index("</ul>")])
    return [f"{text.strip()} -> {link}" for link, text in re.findall(r'<a href="([^"]+)">([^<]*)</a>', section)]


def _own_reads(app, client) -> list[str]:
    return [sql for sql in workspace_statements(app, client, "/dashboard?lang=en") if sql.startswith(OWN_READS)]


def _ask_to_join(app, person, organization_id: int, hours_ago: int = 0) -> int:
    with app.app_context():
        join = JoinRequest(user_id=person.id, organization_id=organization_id, status=JoinStatus.PENDING,
                           created_at=utcnow() - timedelta(hours=hours_ago))
        db.session.add(join)
        db.session.commit()
        return join.id


def test_a_clinician_is_asked_by_every_domain_and_the_rows_of_two_are_read_in_one_statement(app, make_user):
    clinician = make_user(Role.CLINICIAN, name="李明医生", organization="中山大学附属第一医院")
    company = make_user(Role.ENTERPRISE, name="王经理", organization="深圳迈瑞康医疗器械有限公司")
    _ask_to_join(app, make_user(Role.CLINICIAN, name="王芳医生"), clinician.organization_id)
    with app.app_context():
        db.session.add(Project(owner_id=clinician.id, title="可调节直径的取栓支架"))
        challenge = Challenge(org_id=company.organization_id, author_id=company.id, title="术中出血监测",
                              description="说明")
        db.session.add(challenge)
        db.session.flush()
        db.session.add(ChallengeSuggestion(challenge_id=challenge.id, clinician_id=clinician.id, rank=1, score=0.5,
                                           invited_at=utcnow()))
        db.session.commit()
        challenge_id = challenge.id
    client = app.test_client()
    assert login(client, clinician.email).status_code == 302

    reads = _own_reads(app, client)
    assert len(reads) == 1 and "UNION ALL" in reads[0], reads
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert page.index('id="panel-asked"') < page.index('id="panel-my-projects"')
    assert _asked(page)[0] == ("王芳医生 asks to join 中山大学附属第一医院. Please confirm or decline. "
                               "-> /account/organization/requests")
    assert _asked(page)[1] == ("深圳迈瑞康医疗器械有限公司 invites you to share your clinical view on "
                               f"&#34;术中出血监测&#34;. -> /community/challenges/{challenge_id}")
    assert "“可调节直径的取栓支架” is still a draft. Submit it when it is complete." in _asked(page)[2]
    assert "待您处理" in client.get("/dashboard?lang=zh_Hans_CN").get_data(as_text=True)


def test_a_company_member_is_asked_to_decide_who_joins_and_the_panel_goes_once_decided(app, make_user):
    member = make_user(Role.ENTERPRISE, name="王经理", organization="深圳迈瑞康医疗器械有限公司")
    first = _ask_to_join(app, make_user(Role.ENTERPRISE, name="赵工程师"), member.organization_id, hours_ago=2)
    _ask_to_join(app, make_user(Role.ENTERPRISE, name="孙销售"), member.organization_id)
    client = app.test_client()
    assert login(client, member.email).status_code == 302

    assert len(_own_reads(app, client)) == 1
    assert _asked(client.get("/dashboard?lang=en").get_data(as_text=True)) == [
        f"{name} asks to join 深圳迈瑞康医疗器械有限公司. Please confirm or decline. -> /account/organization/requests"
        for name in ("赵工程师", "孙销售")]  # the oldest first

    requests_page = client.get("/account/organization/requests").get_data(as_text=True)
    for join_id in re.findall(r'action="/account/organization/requests/(\d+)"', requests_page):
        decided = client.post(f"/account/organization/requests/{join_id}",
                              data={"decision": "approve" if int(join_id) == first else "decline"})
        assert decided.status_code == 302
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert _asked(page) == [] and "Asked of you" not in page
    assert _own_reads(app, client) == []  # nobody waits: the session's own statement said so


def test_nothing_asked_shows_no_panel_and_reads_nothing_of_its_own(app, make_user):
    """Someone asks to join another organisation, whose member signed in first: not asked of this expert."""
    other = make_user(Role.ENTERPRISE, name="王经理", organization="深圳迈瑞康医疗器械有限公司")
    _ask_to_join(app, make_user(Role.ENTERPRISE, name="赵工程师"), other.organization_id)
    assert login(app.test_client(), other.email).status_code == 302
    expert = make_user(Role.EXPERT, name="陈教授", organization="四川大学华西医院")
    client = app.test_client()
    assert login(client, expert.email).status_code == 302
    assert _own_reads(app, client) == []
    page = client.get("/dashboard").get_data(as_text=True)
    assert "待您处理" not in page and 'id="panel-asked"' not in page
