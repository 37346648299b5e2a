"""Posting limits per hour, with a friendly message and nothing lost from the form."""

from datetime import timedelta

import time_machine

from chunfeng.accounts.models import Role
from chunfeng.db import utcnow
from tests.community.conftest import page_text

NEED = {"title": "夜间跌倒难以及时发现", "problem": "高龄患者夜间跌倒后数小时才被发现。", "specialty": "老年医学科",
        "visibility": "public", "no_patient_data": "y"}


def test_too_many_needs_in_an_hour_are_refused_politely_until_the_hour_passes(app, make_user, client_for):
    app.config["COMMUNITY_POSTS_PER_HOUR"] = 2
    clinician = client_for(make_user(Role.CLINICIAN))
    for n in range(2):
        assert clinician.post("/community/needs/new", data={**NEED, "title": f"需求 {n}"}).status_code == 302

    refused = clinician.post("/community/needs/new", data=NEED)
    assert refused.status_code == 429
    assert "每小时最多发布 2 条需求或咨询" in page_text(refused)
    assert 'value="夜间跌倒难以及时发现"' in refused.get_data(as_text=True)

    with time_machine.travel(utcnow() + timedelta(hours=1, minutes=1), tick=False):
        assert clinician.post("/community/needs/new", data=NEED).status_code == 302


def test_questions_count_towards_the_same_limit(app, make_user, client_for):
    app.config["COMMUNITY_POSTS_PER_HOUR"] = 1
    clinician = client_for(make_user(Role.CLINICIAN))
    assert clinician.post("/community/needs/new", data=NEED).status_code == 302
    refused = clinician.post("/community/consultations/new", data={"category": "other", "question": "能否预约面谈？"})
    assert refused.status_code == 429 and "能否预约面谈？" in refused.get_data(as_text=True)


def test_comments_have_their_own_limit(app, make_user, client_for, post_need):
    app.config["COMMUNITY_COMMENTS_PER_HOUR"] = 1
    need_id = post_need(make_user(Role.CLINICIAN))
    clinician = client_for(make_user(Role.CLINICIAN))
    assert clinician.post(f"/community/needs/{need_id}/comments", data={"text": "第一条"}).status_code == 302
    refused = clinician.post(f"/community/needs/{need_id}/comments", data={"text": "第二条评论"})
    assert refused.status_code == 429 and "每小时最多发表 1 条评论或回复" in page_text(refused)
    assert "第二条评论" in refused.get_data(as_text=True)
