"""Questions to officers and experts, answers, and publication in the FAQ without the asker's identity."""

from sqlalchemy import select

from chunfeng.accounts.models import Consent, Role
from chunfeng.community import services
from chunfeng.community.models import Consultation, ConsultStatus
from chunfeng.core.models import Notification
from chunfeng.db import db
from tests.community.conftest import page_text

QUESTION = "我们设计的眼底照片人工智能软件只给出转诊建议，按几类医疗器械管理？"
ANSWER = "用于辅助决策的人工智能医用软件，算法成熟度低时一般按第三类医疗器械管理。"


def _asked(make_user, run, consent=False, **asker_fields):
    asker = make_user(Role.ENTERPRISE, **asker_fields)
    consultation_id = run(services.ask, asker, "classification", QUESTION, publish_consent=consent)
    return asker, consultation_id


def test_question_longer_than_1000_characters_is_refused_and_kept(make_user, client_for):
    company = client_for(make_user(Role.ENTERPRISE))
    text = "注" * 1001
    response = company.post("/community/consultations/new", data={"category": "registration_testing",
                                                                  "question": text})
    assert response.status_code == 400
    assert "请将问题控制在 1000 字以内。" in page_text(response)
    assert text in response.get_data(as_text=True)
    ok = company.post("/community/consultations/new", data={"category": "registration_testing",
                                                            "question": "注" * 1000})
    assert ok.status_code == 302


def test_officer_answers_and_the_asker_is_notified(app, make_user, client_for, run):
    asker, consultation_id = _asked(make_user, run)
    officer = client_for(make_user(Role.OFFICER))
    assert QUESTION[:20] in page_text(officer.get("/community/consultations"))

    officer.post(f"/community/consultations/{consultation_id}/answer", data={"answer": ANSWER})
    with app.app_context():
        consultation = db.session.get(Consultation, consultation_id)
        assert consultation.status == ConsultStatus.ANSWERED and consultation.answer == ANSWER
        assert db.session.scalar(select(Notification.link).where(Notification.user_id == asker.id)) \
            == f"/community/consultations/{consultation_id}"
    assert ANSWER in page_text(client_for(asker).get(f"/community/consultations/{consultation_id}"))


def test_experts_answer_but_companies_and_other_askers_cannot(make_user, client_for, run):
    _asker, consultation_id = _asked(make_user, run)
    url = f"/community/consultations/{consultation_id}"
    assert client_for(make_user(Role.EXPERT)).post(f"{url}/answer", data={"answer": ANSWER}).status_code == 302
    other = client_for(make_user(Role.ENTERPRISE))
    assert other.post(f"{url}/answer", data={"answer": "x"}).status_code == 403
    assert other.get(url).status_code == 404


def test_faq_is_published_only_with_consent_and_without_identity(app, make_user, client_for, client, run):
    asker, consultation_id = _asked(make_user, run, name="郑经理", organization="成都视康医学影像科技有限公司",
                                    email="zheng@shikang.cn")
    officer = client_for(make_user(Role.OFFICER))
    url = f"/community/consultations/{consultation_id}"
    officer.post(f"{url}/answer", data={"answer": ANSWER})
    faq = {"faq_question": "提示转诊的眼底图像人工智能软件按几类管理？", "faq_answer": ANSWER}

    refused = officer.post(f"{url}/publish", data=faq)
    assert refused.status_code == 400 and "提问人未同意发布。" in page_text(refused)

    client_for(asker).post(f"{url}/consent", data={"allow": "1"})
    leaky = officer.post(f"{url}/publish", data={**faq, "faq_question": "成都视康医学影像科技有限公司问：按几类管理？"})
    assert leaky.status_code == 400 and "仍含有可识别提问人的信息" in page_text(leaky)
    assert "成都视康医学影像科技有限公司问" in leaky.get_data(as_text=True)  # the typed text is kept

    assert officer.post(f"{url}/publish", data=faq).status_code == 302
    page = page_text(client.get("/community/faq"))
    assert "提示转诊的眼底图像人工智能软件按几类管理？" in page and ANSWER in page
    for identity in ("郑经理", "成都视康", "zheng@shikang.cn"):
        assert identity not in page
    with app.app_context():
        consent = db.session.scalar(
            select(Consent).where(Consent.user_id == asker.id, Consent.kind == "faq_publication"))
        assert consent.detail == {"consultation_id": consultation_id} and consent.revoked_at is None


def test_withdrawing_consent_takes_the_entry_down(make_user, client_for, client, run):
    asker, consultation_id = _asked(make_user, run, consent=True)
    officer = make_user(Role.OFFICER)
    run(services.answer, (Consultation, consultation_id), officer, ANSWER)
    run(services.publish_faq, (Consultation, consultation_id), officer, "人工智能眼底软件按几类管理？", ANSWER)
    assert "人工智能眼底软件按几类管理？" in page_text(client.get("/community/faq"))

    client_for(asker).post(f"/community/consultations/{consultation_id}/consent", data={"allow": "0"})
    assert "人工智能眼底软件按几类管理？" not in page_text(client.get("/community/faq"))


def test_faq_search_and_topic_filter(make_user, client, run):
    officer = make_user(Role.OFFICER)
    for category, question, answer in (
            ("classification", "AI software class?", "Usually Class III when it supports decisions."),
            ("registration_testing", "注册检验需要送几台样品？", "以能完成全部检验项目为准。")):
        asker = make_user(Role.CLINICIAN)
        consultation_id = run(services.ask, asker, category, question, publish_consent=True)
        run(services.answer, (Consultation, consultation_id), officer, answer)
        run(services.publish_faq, (Consultation, consultation_id), officer, question, answer)

    assert "注册检验需要送几台样品？" in page_text(client.get("/community/faq?q=样品"))
    assert "AI software class?" not in page_text(client.get("/community/faq?q=样品"))
    assert "AI software class?" in page_text(client.get("/community/faq?q=ai+SOFTWARE"))
    by_topic = page_text(client.get("/community/faq?category=classification"))
    assert "AI software class?" in by_topic and "注册检验需要送几台样品？" not in by_topic
