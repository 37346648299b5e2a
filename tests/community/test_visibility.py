"""Who sees which need: public ones for everyone, members-only ones for approved accounts, hidden ones for nobody
but administrators and their author."""

from chunfeng.accounts.models import AccountStatus, Role
from chunfeng.community import services
from chunfeng.community.models import ClinicalNeed
from tests.community.conftest import page_text

HIDDEN_NOTE = "已被管理员隐藏：仅您本人和管理员可见。"


def test_visitors_read_public_needs_with_hospital_but_not_the_authors_name(client, make_user, post_need):
    clinician = make_user(Role.CLINICIAN, name="周静", organization="四川大学华西医院", department="重症医学科")
    need_id = post_need(clinician)

    page = page_text(client.get(f"/community/needs/{need_id}"))
    assert "俯卧位通气时气管插管固定易移位" in page and "胶布固定的气管插管容易移位" in page
    assert "四川大学华西医院" in page and "周静" not in page
    assert "俯卧位通气时气管插管固定易移位" in page_text(client.get("/community/"))


def test_members_only_need_is_not_found_for_visitors_and_unapproved_accounts(
        client, make_user, client_for, post_need):
    clinician = make_user(Role.CLINICIAN)
    need_id = post_need(clinician, title="无创通气面罩压伤鼻梁", visibility="companies")

    assert client.get(f"/community/needs/{need_id}").status_code == 404
    assert "无创通气面罩压伤鼻梁" not in page_text(client.get("/community/"))
    pending = client_for(make_user(Role.ENTERPRISE, status=AccountStatus.PENDING))
    assert pending.get(f"/community/needs/{need_id}").status_code == 404

    for role in (Role.ENTERPRISE, Role.INVESTOR, Role.CLINICIAN, Role.EXPERT, Role.OFFICER):
        member = client_for(make_user(role))
        response = member.get(f"/community/needs/{need_id}")
        assert response.status_code == 200, role
        assert "仅会员可见" in page_text(response)
        assert "无创通气面罩压伤鼻梁" in page_text(member.get("/community/"))


def test_hidden_need_is_gone_for_everyone_but_admins_and_its_author(
        client, make_user, client_for, post_need, run):
    author = make_user(Role.CLINICIAN)
    admin = make_user(Role.ADMIN)
    need_id = post_need(author)
    run(services.set_hidden, (ClinicalNeed, need_id), True, admin)

    company = client_for(make_user(Role.ENTERPRISE))
    for viewer in (client, company):
        assert viewer.get(f"/community/needs/{need_id}").status_code == 404
        assert "俯卧位通气" not in page_text(viewer.get("/community/"))
        assert "俯卧位通气" not in page_text(viewer.get("/community/search?q=俯卧位"))

    own = page_text(client_for(author).get(f"/community/needs/{need_id}"))
    assert HIDDEN_NOTE in own and "俯卧位通气时气管插管固定易移位" in own
    assert client_for(admin).get(f"/community/needs/{need_id}").status_code == 200


def test_challenges_are_for_approved_members_only(client, make_user, client_for, post_challenge):
    company = make_user(Role.ENTERPRISE, organization="深圳迈瑞康医疗器械有限公司")
    challenge_id = post_challenge(company)

    assert client.get(f"/community/challenges/{challenge_id}").status_code == 302  # visitors are asked to log in
    pending = client_for(make_user(Role.CLINICIAN, status=AccountStatus.PENDING))
    assert pending.get(f"/community/challenges/{challenge_id}").status_code == 403
    clinician = client_for(make_user(Role.CLINICIAN))
    assert "招募 ICU 护士参与监护仪可用性评价" in page_text(clinician.get("/community/challenges"))
    assert clinician.get(f"/community/challenges/{challenge_id}").status_code == 200
