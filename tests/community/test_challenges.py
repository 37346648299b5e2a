"""Clinician suggestions for a company challenge (with why), invitations, replies and consent to share contact."""

from sqlalchemy import select

from chunfeng.accounts.models import Consent, Role
from chunfeng.community import services
from chunfeng.community.models import Challenge, ChallengeResponse, ChallengeSuggestion, ClinicalNeed
from chunfeng.core.models import Notification
from chunfeng.db import db
from tests.community.conftest import page_text

CONSENT_LABEL = "同意就本需求向 深圳迈瑞康医疗器械有限公司 提供我的联系方式"


def _clinicians(make_user, post_need, run):
    """An ICU nurse who wrote about prone positioning, an ophthalmologist and a paediatrician."""
    nurse = make_user(Role.CLINICIAN, name="周静", organization="四川大学华西医院", department="重症医学科",
                      phone="13800001111", email="zhoujing@hospital.cn")
    eye = make_user(Role.CLINICIAN, name="王芳", organization="四川大学华西医院", department="眼科")
    kids = make_user(Role.CLINICIAN, name="刘洋", organization="重庆医科大学附属儿童医院", department="儿科")
    need_id = post_need(nurse)
    post_need(eye, title="基层眼底筛查缺少读片医生", problem="基层缺少眼科医生阅读眼底照片，视网膜病变漏诊多。",
              population="糖尿病患者", outcome="基层可完成筛查", specialty="眼科")
    post_need(kids, title="婴幼儿静脉穿刺困难", problem="婴幼儿血管细，静脉穿刺一次成功率低，患儿反复穿刺。",
              population="3 岁以下患儿", outcome="首次穿刺成功", specialty="儿科")
    run(services.add_comment, (ClinicalNeed, need_id), nurse, "俯卧位时心电导联经常脱落，夜间报警很多。")
    return nurse, eye, kids


def test_suggestions_rank_the_matching_clinician_first_and_say_why(app, make_user, post_need, post_challenge, run):
    nurse, eye, kids = _clinicians(make_user, post_need, run)
    challenge_id = post_challenge(make_user(Role.ENTERPRISE, organization="深圳迈瑞康医疗器械有限公司"))

    with app.test_request_context():
        ranked = services.suggest_clinicians(db.session.get(Challenge, challenge_id))
    assert ranked[0][0].id == nurse.id
    assert "specialty: 重症医学科" in ranked[0][2]
    shared = [reason for reason in ranked[0][2] if not reason.startswith("specialty: ")]
    assert any(term in " ".join(shared) for term in ("俯卧", "导联", "夜间", "护士"))
    # whole terms, each with where in the clinician's words it was found; never a lone character
    assert all(reason.endswith(("(临床需求)", "(社区讨论)", "(科室)", "(公开项目)")) for reason in shared)
    assert all(len(reason.split("(")[0]) > 1 for reason in shared)
    assert all(reasons for _user, _score, reasons in ranked)
    assert eye.id not in [user.id for user, _score, _reasons in ranked[:1]]


def test_company_sees_suggestions_without_names_or_contact_and_can_invite(
        app, make_user, client_for, post_need, post_challenge, run):
    nurse, _eye, _kids = _clinicians(make_user, post_need, run)
    company = make_user(Role.ENTERPRISE, organization="深圳迈瑞康医疗器械有限公司")
    challenge_id = post_challenge(company)
    browser = client_for(company)

    page = page_text(browser.get(f"/community/challenges/{challenge_id}"))
    assert "推荐的临床人员" in page and "四川大学华西医院 · 重症医学科" in page
    assert "专科相同：重症医学科" in page and "临床用户 " in page
    for private in ("周静", "13800001111", "zhoujing@hospital.cn", "王芳", "刘洋"):
        assert private not in page

    with app.app_context():
        suggestion_id = db.session.scalar(select(ChallengeSuggestion.id).where(
            ChallengeSuggestion.challenge_id == challenge_id, ChallengeSuggestion.clinician_id == nurse.id))
    assert browser.post(f"/community/challenges/{challenge_id}/suggestions/{suggestion_id}/invite").status_code == 302
    with app.app_context():
        invited = db.session.scalars(select(Notification).where(Notification.user_id == nurse.id,
                                                                Notification.message.like("%invites you%"))).all()
    assert len(invited) == 1 and invited[0].params["company"] == "深圳迈瑞康医疗器械有限公司"
    assert "已于" in page_text(browser.get(f"/community/challenges/{challenge_id}"))
    nurse_view = page_text(client_for(nurse).get("/dashboard"))
    assert "深圳迈瑞康医疗器械有限公司 邀请您就“招募 ICU 护士参与监护仪可用性评价”提供临床意见。" in nurse_view


def test_another_company_sees_neither_suggestions_nor_replies(make_user, client_for, post_need, post_challenge, run):
    _clinicians(make_user, post_need, run)
    challenge_id = post_challenge(make_user(Role.ENTERPRISE, organization="深圳迈瑞康医疗器械有限公司"))
    rival = client_for(make_user(Role.ENTERPRISE, organization="另一家医疗器械公司"))

    page = page_text(rival.get(f"/community/challenges/{challenge_id}"))
    assert "推荐的临床人员" not in page and "临床回复" not in page and "四川大学华西医院" not in page
    assert rival.post(f"/community/challenges/{challenge_id}/suggestions").status_code == 404
    assert rival.get(f"/community/challenges/{challenge_id}/edit").status_code == 404


def test_contact_reaches_the_company_only_with_consent_and_disappears_on_revoke(
        app, make_user, client_for, post_challenge):
    nurse = make_user(Role.CLINICIAN, name="周静", organization="四川大学华西医院", department="重症医学科",
                      phone="13800001111", email="zhoujing@hospital.cn")
    company = make_user(Role.ENTERPRISE, organization="深圳迈瑞康医疗器械有限公司")
    challenge_id = post_challenge(company)
    clinician, firm = client_for(nurse), client_for(company)
    url = f"/community/challenges/{challenge_id}"

    assert CONSENT_LABEL in page_text(clinician.get(url))
    clinician.post(f"{url}/respond", data={"message": "我们科可以参加评价。", "offer_help": "y"})
    page = page_text(firm.get(url))
    assert "我们科可以参加评价。" in page and "愿意参与" in page
    assert "13800001111" not in page and "zhoujing@hospital.cn" not in page and "周静" not in page

    clinician.post(f"{url}/respond", data={"message": "我们科可以参加评价。", "offer_help": "y", "share_contact": "y"})
    page = page_text(firm.get(url))
    assert "13800001111" in page and "zhoujing@hospital.cn" in page and "周静" in page
    with app.app_context():
        response = db.session.scalar(select(ChallengeResponse).where(ChallengeResponse.clinician_id == nurse.id))
        consent = db.session.get(Consent, response.consent_id)
        assert consent.kind == "contact_share" and consent.user_id == nurse.id and consent.revoked_at is None
        assert consent.detail["organization"] == "深圳迈瑞康医疗器械有限公司"
        assert "深圳迈瑞康医疗器械有限公司" in consent.text
        response_id, consent_id = response.id, consent.id

    assert firm.post(f"/community/responses/{response_id}/revoke").status_code == 404  # only the clinician
    assert clinician.post(f"/community/responses/{response_id}/revoke").status_code == 302
    page = page_text(firm.get(url))
    assert "13800001111" not in page and "zhoujing@hospital.cn" not in page and "周静" not in page
    assert "我们科可以参加评价。" in page
    with app.app_context():
        assert db.session.get(Consent, consent_id).revoked_at is not None
        assert db.session.get(ChallengeResponse, response_id).contact_shared is False


def test_only_clinicians_reply_and_only_while_the_challenge_is_open(make_user, client_for, post_challenge):
    company = make_user(Role.ENTERPRISE)
    challenge_id = post_challenge(company)
    url = f"/community/challenges/{challenge_id}"
    other_company = client_for(make_user(Role.ENTERPRISE))
    assert other_company.post(f"{url}/respond", data={"message": "x"}).status_code == 403

    client_for(company).post(f"{url}/status", data={"status": "closed"})
    clinician = client_for(make_user(Role.CLINICIAN))
    assert clinician.post(f"{url}/respond", data={"message": "想参加"}).status_code == 404
    assert "已关闭" in page_text(clinician.get(url))


def test_the_refresh_command_picks_up_clinicians_who_wrote_after_the_challenge(
        app, runner, make_user, post_need, post_challenge):
    challenge_id = post_challenge(make_user(Role.ENTERPRISE))
    with app.app_context():
        assert db.session.get(Challenge, challenge_id).suggestions == []
    nurse = make_user(Role.CLINICIAN, department="重症医学科")
    post_need(nurse)

    result = runner.invoke(args=["refresh-challenge-suggestions"])
    assert result.exit_code == 0 and "1 open challenges" in result.output
    with app.app_context():
        suggested = [s.clinician_id for s in db.session.get(Challenge, challenge_id).suggestions]
    assert suggested == [nurse.id]
