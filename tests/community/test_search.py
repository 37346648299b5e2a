"""One search across needs, challenges and the FAQ, in Chinese and English, within what the person may see."""

from chunfeng.accounts.models import Role
from chunfeng.community import services
from chunfeng.community.models import Consultation
from tests.community.conftest import page_text


def _content(make_user, post_need, post_challenge, run):
    clinician = make_user(Role.CLINICIAN)
    post_need(clinician, title="婴幼儿静脉穿刺困难", problem="血管细，反复穿刺。", specialty="儿科")
    post_need(clinician, title="Catheter securement during Prone Positioning", problem="Tubes slip when turning.",
              specialty="重症医学科")
    post_need(clinician, title="仅会员可见的静脉穿刺需求", problem="成人水肿患者静脉穿刺难。", specialty="重症医学科",
              visibility="companies")
    post_challenge(make_user(Role.ENTERPRISE), title="静脉显像仪可用性评价", specialty="儿科")
    officer = make_user(Role.OFFICER)
    consultation_id = run(services.ask, make_user(Role.CLINICIAN), "classification", "静脉显像仪按几类管理？",
                          publish_consent=True)
    run(services.answer, (Consultation, consultation_id), officer, "一般按第二类管理。")
    run(services.publish_faq, (Consultation, consultation_id), officer, "静脉显像仪按几类管理？", "一般按第二类管理。")


def test_chinese_substrings_match_and_visibility_is_respected(client, make_user, client_for, post_need,
                                                              post_challenge, run):
    _content(make_user, post_need, post_challenge, run)

    visitor = page_text(client.get("/community/search?q=静脉"))
    assert "婴幼儿静脉穿刺困难" in visitor and "静脉显像仪按几类管理？" in visitor
    assert "仅会员可见的静脉穿刺需求" not in visitor and "静脉显像仪可用性评价" not in visitor

    member = page_text(client_for(make_user(Role.ENTERPRISE)).get("/community/search?q=静脉"))
    assert "仅会员可见的静脉穿刺需求" in member and "静脉显像仪可用性评价" in member
    assert "共 4 条结果" in member


def test_english_is_case_insensitive_and_every_word_must_match(client, make_user, post_need, post_challenge, run):
    _content(make_user, post_need, post_challenge, run)
    assert "Catheter securement" in page_text(client.get("/community/search?q=CATHETER"))
    assert "Catheter securement" in page_text(client.get("/community/search?q=prone+catheter"))
    assert "Catheter securement" not in page_text(client.get("/community/search?q=catheter+静脉"))
    assert "共 0 条结果" in page_text(client.get("/community/search?q=%25"))  # a bare % matches nothing special


def test_type_and_specialty_filters(client, make_user, client_for, post_need, post_challenge, run):
    _content(make_user, post_need, post_challenge, run)
    member = client_for(make_user(Role.CLINICIAN))
    needs_only = page_text(member.get("/community/search?q=静脉&type=need"))
    assert "婴幼儿静脉穿刺困难" in needs_only and "静脉显像仪按几类管理？" not in needs_only
    paediatrics = page_text(member.get("/community/search?q=静脉&specialty=儿科"))
    assert "婴幼儿静脉穿刺困难" in paediatrics and "静脉显像仪可用性评价" in paediatrics
    assert "仅会员可见的静脉穿刺需求" not in paediatrics
    listing = page_text(member.get("/community/?specialty=儿科"))
    assert "婴幼儿静脉穿刺困难" in listing and "Catheter securement" not in listing
