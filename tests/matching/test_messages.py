"""Messages between the two sides of a connection, e-mails for requests, answers and messages, and whose contact
each side sees before and after acceptance."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from chunfeng.accounts.models import User
from chunfeng.core.clock import to_local
from chunfeng.core.models import Notification
from chunfeng.db import db
from chunfeng.matching.models import ConnectionMessage, ShareGrant
from tests.concurrency import signed_in
from tests.smtp_server import body, subject

from .conftest import EYE_COMPANY, STENT_COMPANY, THROMBECTOMY

REASON = "我们有成熟的III类取栓支架注册经验和生产线，希望探讨联合开发。"
STENT = "上海神经介入器械有限公司"
CLINICIAN_CONTACT = ("13800138000", "liming@hospital.cn")
COMPANY_CONTACT = ("王经理", "商务总监", "021-55550000")


@pytest.fixture
def setup(app, clinician, add_project, add_company):
    project_id = add_project(clinician, **THROMBECTOMY)
    stent = add_company(STENT, STENT_COMPANY)
    with app.app_context():
        db.session.execute(update(User).where(User.id == stent.id).values(
            name="王经理", title="商务总监", phone="021-55550000"))
        db.session.commit()
    return {"project": project_id, "clinician": signed_in(app, clinician), "company": signed_in(app, stent),
            "clinician_user": clinician, "company_user": stent,
            "eye": add_company("成都眼科影像有限公司", EYE_COMPANY)}



def _request(setup) -> int:
    response = setup["company"].post(f"/matching/projects/{setup['project']}/connect", data={"reason": REASON})
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def _accept(setup, connection_id: int) -> None:
    assert setup["clinician"].post(f"/matching/connections/{connection_id}/decide",
                                   data={"decision": "accept", "consent": "y"}).status_code == 302


def _write(client, connection_id: int, text: str):
    return client.post(f"/matching/connections/{connection_id}/messages", data={"body": text})


def _page(client, connection_id: int) -> str:
    response = client.get(f"/matching/connections/{connection_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_request_and_its_answer_are_mailed(app, setup, smtp):
    connection_id = _request(setup)
    [request_mail] = smtp.to("liming@hospital.cn")
    assert STENT in subject(request_mail) and THROMBECTOMY["title"] in subject(request_mail)
    assert REASON in body(request_mail) and f"http://chunfeng.test/matching/connections/{connection_id}" in body(
        request_mail)
    _accept(setup, connection_id)
    [answer] = smtp.to(setup["company_user"].email)
    assert "对接请求已有答复" in subject(answer) and "李明 已接受您关于" in body(answer)


def test_a_declined_company_is_mailed_without_the_clinicians_name(app, setup, smtp):
    connection_id = _request(setup)
    setup["clinician"].post(f"/matching/connections/{connection_id}/decide", data={"decision": "decline"})
    [answer] = smtp.to(setup["company_user"].email)
    assert "项目医生婉拒了您关于" in body(answer) and "李明" not in body(answer)


def test_both_sides_write_messages_each_told_in_the_app_and_by_mail(app, setup, smtp):
    connection_id = _request(setup)
    _accept(setup, connection_id)
    smtp.messages.clear()
    assert _write(setup["clinician"], connection_id, "下周二下午方便线上沟通吗？").status_code == 302
    [mail] = smtp.to(setup["company_user"].email)
    assert "新消息" in subject(mail) and "下周二下午方便线上沟通吗？" in body(mail)
    assert _write(setup["company"], connection_id, "可以，我们准备样机演示。").status_code == 302
    [reply] = smtp.to("liming@hospital.cn")
    assert f"{STENT} 就“{THROMBECTOMY['title']}”给您发来新消息" in body(reply) and "样机演示" in body(reply)

    with app.app_context():
        sent = db.session.scalars(select(ConnectionMessage).order_by(ConnectionMessage.id)).all()
        assert [m.side for m in sent] == ["clinician", "company"]
        beijing = [to_local(m.created_at).strftime("%Y-%m-%d %H:%M") for m in sent]
        utc = [m.created_at.strftime("%Y-%m-%d %H:%M") for m in sent]
        told = db.session.scalar(select(Notification).where(Notification.user_id == setup["company_user"].id,
                                                            Notification.message.contains("New message")))
        assert told is not None and told.link == f"/matching/connections/{connection_id}"
    for client in (setup["clinician"], setup["company"]):
        page = _page(client, connection_id)
        assert "下周二下午方便线上沟通吗？" in page and "可以，我们准备样机演示。" in page
        assert "李明" in page and "王经理" in page and "临床医生" in page
        assert all(moment in page for moment in beijing), "times in Beijing time"
        assert not any(moment in page for moment in utc)


def test_contacts_are_shown_only_after_acceptance(app, setup):
    connection_id = _request(setup)
    before_company = _page(setup["company"], connection_id)
    before_clinician = _page(setup["clinician"], connection_id)
    assert not any(detail in before_company for detail in CLINICIAN_CONTACT + ("李明",))
    assert not any(detail in before_clinician for detail in COMPANY_CONTACT)
    assert "对接被接受后，双方才能看到彼此的联系方式" in before_company

    _accept(setup, connection_id)
    after_company = _page(setup["company"], connection_id)
    assert all(detail in after_company for detail in CLINICIAN_CONTACT + ("李明",))
    after_clinician = _page(setup["clinician"], connection_id)
    assert all(detail in after_clinician for detail in COMPANY_CONTACT + (setup["company_user"].email,))


def test_messages_before_an_answer_do_not_name_the_clinician(app, setup):
    connection_id = _request(setup)
    assert _write(setup["clinician"], connection_id, "请问贵公司是否有动物实验平台？").status_code == 302
    page = _page(setup["company"], connection_id)
    assert "请问贵公司是否有动物实验平台？" in page and "李明" not in page


def test_messages_are_refused_once_the_connection_is_closed_declined_or_access_withdrawn(app, setup):
    connection_id = _request(setup)
    _accept(setup, connection_id)
    assert _write(setup["company"], connection_id, "这是撤回前的消息").status_code == 302
    with app.app_context():
        grant_id = db.session.scalar(select(ShareGrant.id))
    assert setup["clinician"].post(f"/matching/grants/{grant_id}/revoke").status_code == 302

    refused = _write(setup["company"], connection_id, "还能看到吗？")
    assert refused.status_code == 409 and "医生已撤回企业的查阅授权" in refused.get_data(as_text=True)
    assert _write(setup["clinician"], connection_id, "不再继续").status_code == 409
    page = _page(setup["company"], connection_id)
    assert "这是撤回前的消息" not in page and "该对接的消息不再显示" in page, "a revoked company reads no thread"
    assert "这是撤回前的消息" in _page(setup["clinician"], connection_id)

    setup["clinician"].post(f"/matching/connections/{connection_id}/close", data={"note": ""})
    closed = _write(setup["clinician"], connection_id, "结束后再写")
    assert closed.status_code == 409 and "该对接已结束，不能再发送消息" in closed.get_data(as_text=True)

    eye = signed_in(app, setup["eye"])
    declined = _request({**setup, "company": eye})
    setup["clinician"].post(f"/matching/connections/{declined}/decide", data={"decision": "decline"})
    refused = _write(eye, declined, "为什么拒绝？")
    assert refused.status_code == 409 and "该对接已结束" in refused.get_data(as_text=True)
    with app.app_context():
        texts = db.session.scalars(select(ConnectionMessage.body)).all()
        assert texts == ["这是撤回前的消息"]


def test_only_the_two_sides_read_and_write(app, setup, make_user):
    connection_id = _request(setup)
    _accept(setup, connection_id)
    assert _write(setup["company"], connection_id, "仅双方可见的消息").status_code == 302
    other = signed_in(app, setup["eye"])
    assert other.get(f"/matching/connections/{connection_id}").status_code == 404
    assert _write(other, connection_id, "我也想说").status_code == 404
    stranger = signed_in(app, make_user("clinician"))
    assert _write(stranger, connection_id, "我也想说").status_code == 404
    admin = signed_in(app, make_user("admin"))
    assert "仅双方可见的消息" not in _page(admin, connection_id)
    assert _write(admin, connection_id, "管理员留言").status_code == 403
    empty = _write(setup["company"], connection_id, "   ")
    assert empty.status_code == 400 and "请填写消息内容" in empty.get_data(as_text=True)
    assert _write(setup["company"], connection_id, "长" * 4001).status_code == 400


def test_a_message_mail_is_not_sent_to_who_switched_it_off(app, setup, smtp):
    connection_id = _request(setup)
    _accept(setup, connection_id)
    with app.app_context():
        db.session.execute(update(User).where(User.id == setup["company_user"].id).values(
            mail_preferences={"connection_message": False}))
        db.session.commit()
    smtp.messages.clear()
    assert _write(setup["clinician"], connection_id, "您好").status_code == 302
    assert smtp.to(setup["company_user"].email) == []
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(
            Notification.user_id == setup["company_user"].id, Notification.message.contains("New message")))


def test_connection_lists_link_each_project_to_the_page_the_reader_may_see(app, setup, make_user):
    connection_id = _request(setup)
    listing = setup["company"].get("/matching/connections").get_data(as_text=True)
    assert f'<a href="/matching/projects/{setup["project"]}">{THROMBECTOMY["title"]}</a>' in listing
    requests = setup["clinician"].get("/matching/requests").get_data(as_text=True)
    assert f'<a href="/projects/{setup["project"]}">{THROMBECTOMY["title"]}</a>' in requests
    page = _page(setup["company"], connection_id)
    assert f'href="/matching/projects/{setup["project"]}"' in page
