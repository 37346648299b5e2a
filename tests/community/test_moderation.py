"""Reports, the administrators' queue, hiding and showing again."""

from sqlalchemy import select

from chunfeng.accounts.models import Role
from chunfeng.community import services
from chunfeng.community.models import ClinicalNeed, Comment, Report, ReportStatus
from chunfeng.core.models import Notification
from chunfeng.db import db
from tests.community.conftest import page_text

HIDDEN_NOTE = "已被管理员隐藏：仅您本人和管理员可见。"


def test_report_reaches_the_queue_and_hiding_removes_the_need_for_everyone_else(
        app, make_user, client_for, client, post_need):
    author = make_user(Role.CLINICIAN)
    need_id = post_need(author, title="推广某品牌耗材的广告帖")
    admin_user = make_user(Role.ADMIN)
    reporter = client_for(make_user(Role.ENTERPRISE, name="举报人"))
    admin = client_for(admin_user)

    assert "举报" in page_text(reporter.get(f"/community/needs/{need_id}"))
    response = reporter.post(f"/community/report/need/{need_id}", data={"reason_kind": "spam", "reason": "纯广告"})
    assert response.status_code == 302
    queue = page_text(admin.get("/community/admin/reports"))
    assert "推广某品牌耗材的广告帖" in queue and "广告或垃圾信息" in queue and "纯广告" in queue
    with app.app_context():
        assert db.session.scalar(select(Notification.id).where(Notification.user_id == admin_user.id)) is not None

    admin.post(f"/community/admin/need/{need_id}/visibility", data={"hidden": "1"})
    for viewer in (client, reporter):
        assert viewer.get(f"/community/needs/{need_id}").status_code == 404
        assert "推广某品牌耗材的广告帖" not in page_text(viewer.get("/community/"))
    assert HIDDEN_NOTE in page_text(client_for(author).get(f"/community/needs/{need_id}"))
    assert "推广某品牌耗材的广告帖" in page_text(admin.get("/community/admin/reports?status=hidden"))
    with app.app_context():
        assert db.session.scalar(select(Report.status)) == ReportStatus.ACTIONED
        assert db.session.scalar(select(Notification.id).where(Notification.user_id == author.id,
                                                               Notification.message.like("A moderator hid%")))

    admin.post(f"/community/admin/need/{need_id}/visibility", data={"hidden": "0"})
    assert client.get(f"/community/needs/{need_id}").status_code == 200


def test_dismissed_report_leaves_the_content_alone(app, make_user, client_for, client, post_need, run):
    need_id = post_need(make_user(Role.CLINICIAN))
    reporter = make_user(Role.CLINICIAN)
    report_id = run(services.report, reporter, (ClinicalNeed, need_id), "other", "不同意观点")
    admin = client_for(make_user(Role.ADMIN))

    admin.post(f"/community/admin/reports/{report_id}/dismiss")
    with app.app_context():
        assert db.session.get(Report, report_id).status == ReportStatus.DISMISSED
    assert client.get(f"/community/needs/{need_id}").status_code == 200
    assert "不同意观点" not in page_text(admin.get("/community/admin/reports"))
    assert "不同意观点" in page_text(admin.get("/community/admin/reports?status=dismissed"))


def test_only_administrators_moderate(make_user, client_for, post_need):
    need_id = post_need(make_user(Role.CLINICIAN))
    for role in (Role.OFFICER, Role.CLINICIAN, Role.ENTERPRISE):
        user = client_for(make_user(role))
        assert user.get("/community/admin/reports").status_code == 403
        assert user.post(f"/community/admin/need/{need_id}/visibility", data={"hidden": "1"}).status_code == 403


def test_hidden_comment_disappears_except_for_its_author_and_admins(make_user, client_for, post_need, run):
    need_id = post_need(make_user(Role.CLINICIAN))
    commenter = make_user(Role.CLINICIAN)
    admin = make_user(Role.ADMIN)
    comment_id = run(services.add_comment, (ClinicalNeed, need_id), commenter, "这条评论含有患者姓名")
    run(services.set_hidden, (Comment, comment_id), True, admin)

    company = client_for(make_user(Role.ENTERPRISE))
    assert "这条评论含有患者姓名" not in page_text(company.get(f"/community/needs/{need_id}"))
    own = page_text(client_for(commenter).get(f"/community/needs/{need_id}"))
    assert "这条评论含有患者姓名" in own and HIDDEN_NOTE in own
    assert "这条评论含有患者姓名" in page_text(client_for(admin).get(f"/community/needs/{need_id}"))


def test_visitors_cannot_report_and_hidden_content_cannot_be_reported(client, make_user, client_for, post_need, run):
    need_id = post_need(make_user(Role.CLINICIAN))
    assert client.post(f"/community/report/need/{need_id}", data={"reason_kind": "spam"}).status_code == 302
    run(services.set_hidden, (ClinicalNeed, need_id), True, make_user(Role.ADMIN))
    member = client_for(make_user(Role.CLINICIAN))
    assert member.post(f"/community/report/need/{need_id}", data={"reason_kind": "spam"}).status_code == 404
    assert member.get("/community/report/nothing/1").status_code == 404
