"""The administrator dashboard: figures computed from known rows, shown as charts and as tables."""

from __future__ import annotations

import json
import re

import pytest

from chunfeng.accounts.models import AccountStatus, Role
from chunfeng.admin import dashboard
from chunfeng.submissions.models import DeviceClass, Stage


@pytest.fixture
def portfolio(make_user, make_project):
    doctor = make_user(Role.CLINICIAN)
    make_project(doctor, "draft", specialty="眼科")  # never submitted: only in the status chart
    make_project(doctor, "submitted", specialty="心血管内科", stage=Stage.PROTOTYPE)
    make_project(doctor, "accepted", specialty="心血管内科", device_class=DeviceClass.III)
    make_project(doctor, "not_selected", specialty="神经内科")
    make_project(doctor, "selected", specialty="心血管内科", stage=Stage.PROTOTYPE)
    make_project(doctor, "matching", specialty="神经内科", device_class=DeviceClass.III)
    make_project(doctor, "incubation", specialty="眼科", stage=Stage.CLINICAL)
    make_project(doctor, "withdrawn", specialty="眼科")  # withdrawn from draft: never submitted
    return doctor


def _by_label(chart) -> dict[str, float]:
    return {str(label): values[0] for label, values in chart.rows()}


def test_submission_figures_count_known_rows(app, portfolio):
    with app.test_request_context("/?lang=en"):
        assert _by_label(dashboard.by_specialty()) == {"心血管内科": 3, "神经内科": 2, "眼科": 1}
        assert sum(_by_label(dashboard.by_status()).values()) == 8
        assert _by_label(dashboard.by_status())["Draft"] == 1
        assert sum(_by_label(dashboard.by_stage()).values()) == 6
        classes = {str(k).split()[-1]: v for k, v in _by_label(dashboard.by_class()).items()}
        assert classes == {"II": 4, "III": 2}


def test_funnel_counts_projects_that_reached_each_stage_or_a_later_one(app, portfolio):
    with app.test_request_context("/"):
        assert [values[0] for _label, values in dashboard.funnel().rows()] == [6, 5, 4, 3, 2, 1, 0]


def test_other_specialties_are_grouped_beyond_the_top_twelve(app, make_user, make_project):
    doctor = make_user(Role.CLINICIAN)
    for n in range(14):
        make_project(doctor, "submitted", specialty=f"专科{n:02d}")
    with app.test_request_context("/?lang=en"):
        rows = _by_label(dashboard.by_specialty())
    assert len(rows) == 13 and rows["Other specialties"] == 2


def test_dashboard_page_has_charts_and_the_same_figures_as_tables(client, login_as, make_user, portfolio):
    make_user(Role.EXPERT, status=AccountStatus.PENDING)
    login_as(Role.ADMIN)
    page = client.get("/admin").get_data(as_text=True)
    assert "1 个账号等待审核" in page
    assert "vendor/chartjs/chart.umd.js" in page and "js/admin.js" in page
    assert "<script>" not in page  # the CSP forbids inline scripts: data travel in data-chart attributes
    configs = [json.loads(raw.replace("&#34;", '"')) for raw in re.findall(r"data-chart='([^']*)'", page)]
    funnel = next(c for c in configs if c["labels"][0] == "已提交")
    assert funnel["datasets"][0]["data"] == [6, 5, 4, 3, 2, 1, 0]
    table = page[page.index('id="table-funnel"'):]
    table = table[:table.index("</table>")]
    assert re.findall(r'<td class="text-end">(\d+)</td>', table) == ["6", "5", "4", "3", "2", "1", "0"]


def test_empty_platform_says_so_instead_of_drawing_empty_charts(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/admin").get_data(as_text=True)
    assert "暂无数据" in page and "data-chart" not in page


def test_workspace_panel_for_administrators_only(client, login_as, make_user):
    make_user(Role.INVESTOR, status=AccountStatus.PENDING)
    login_as(Role.ADMIN)
    assert "1 个账号待审核" in client.get("/dashboard").get_data(as_text=True)


def test_workspace_has_no_admin_panel_for_others(client, login_as, make_user):
    make_user(Role.INVESTOR, status=AccountStatus.PENDING)
    login_as(Role.CLINICIAN)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "平台管理" not in page and "/admin" not in page


def test_score_distribution_and_reviewer_progress_per_round(app, make_user, make_project):
    reviews = pytest.importorskip("chunfeng.reviews.models")
    from datetime import date

    from chunfeng.db import db, utcnow

    doctor = make_user(Role.CLINICIAN)
    expert_a, expert_b = make_user(Role.EXPERT, name="赵专家"), make_user(Role.EXPERT, name="孙专家")
    expert_c, expert_d, expert_e = (make_user(Role.EXPERT) for _ in range(3))
    project = make_project(doctor, "under_review")
    with app.app_context():
        rubric = reviews.Rubric(name_zh="参考标准", version=1, status=reviews.RubricStatus.ACTIVE)
        rubric.criteria = [reviews.Criterion(key="need", weight=60, name_zh="需求", position=1),
                           reviews.Criterion(key="ip", weight=40, name_zh="知识产权", position=2)]
        db.session.add(rubric)
        db.session.flush()
        live = reviews.ReviewRound(name="2026年春季批次", opens_on=date(2026, 3, 1), closes_on=date(2026, 4, 1),
                                   review_deadline=date(2026, 5, 1), rubric_id=rubric.id,
                                   status=reviews.RoundStatus.REVIEWING)
        db.session.add(live)
        db.session.flush()
        need, ip = rubric.criteria

        def review(expert, status, scores):
            assignment = reviews.Assignment(round_id=live.id, project_id=project, expert_id=expert.id,
                                            status=status)
            db.session.add(assignment)
            db.session.flush()
            if scores:
                done = reviews.Review(assignment_id=assignment.id, rubric_id=rubric.id,
                                      submitted_at=utcnow() if status == reviews.AssignmentStatus.SUBMITTED else None)
                done.scores = [reviews.ReviewScore(criterion_id=need.id, value=scores[0]),
                               reviews.ReviewScore(criterion_id=ip.id, value=scores[1])]
                db.session.add(done)

        review(expert_a, reviews.AssignmentStatus.SUBMITTED, (5, 5))  # 100 points
        review(expert_b, reviews.AssignmentStatus.SUBMITTED, (3, 1))  # 60 * 2/4 = 30 points
        review(expert_c, reviews.AssignmentStatus.ACCEPTED, (1, 1))  # a draft: not counted
        review(expert_d, reviews.AssignmentStatus.INVITED, None)
        review(expert_e, reviews.AssignmentStatus.PROPOSED, None)  # not sent: not shown
        db.session.commit()

    with app.test_request_context("/?lang=en"):
        scores = dashboard.score_distribution()
        assert [s.label for s in scores.series] == ["2026年春季批次"]
        assert scores.series[0].values == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1]
        progress = dashboard.reviewer_progress()
        assert progress.labels == ["2026年春季批次"]
        assert {str(s.label): s.values[0] for s in progress.series if s.values[0]} == {
            "Invited": 1, "Accepted, in progress": 1, "Submitted": 2}
        table = {row["expert"]: row for row in dashboard.reviewer_table()}
        assert table["赵专家"]["submitted"] == 1 and table["赵专家"]["outstanding"] == 0
        assert sum(row["outstanding"] for row in table.values()) == 2


def test_connection_stages(app, make_user, make_project):
    from chunfeng.accounts.models import User
    from chunfeng.db import db
    from chunfeng.matching import models as matching

    clinician = make_user(Role.CLINICIAN)
    company = make_user(Role.ENTERPRISE, organization="迈瑞康")
    with app.app_context():
        org_id = db.session.get(User, company.id).organization_id
        status, stage = matching.ConnectionStatus, matching.ConnectionStage
        pairs = [(status.REQUESTED, stage.CONTACT), (status.ACCEPTED, stage.MEETING), (status.ACCEPTED, stage.MEETING),
                 (status.ACCEPTED, stage.NDA), (status.DECLINED, stage.CONTACT)]
    for st, sg in pairs:  # one open connection per project and company: one project each
        project = make_project(clinician, "matching")
        with app.app_context():
            db.session.add(matching.Connection(project_id=project, organization_id=org_id, reason="合作", status=st,
                                               stage=sg))
            db.session.commit()
    with app.test_request_context("/?lang=en"):
        assert _by_label(dashboard.connection_stages()) == {
            "Requested, awaiting the clinician": 1, "Meeting": 2, "Confidentiality agreement": 1, "Declined": 1}


def test_administration_menu_lists_the_platform_pages_for_administrators_only(client, login_as):
    login_as(Role.ADMIN)
    page = client.get("/dashboard").get_data(as_text=True)
    menu = page[page.index('id="admin-menu"'):]
    menu = menu[:menu.index("</ul>")]
    for path, label in [("/admin", "数据概览"), ("/admin/accounts", "账号审核"), ("/admin/organizations", "机构管理"),
                        ("/admin/audit", "审计日志"), ("/admin/settings", "保存期限设置")]:
        assert f'href="{path}">{label}</a>' in menu


def test_no_administration_menu_for_officers(client, login_as):
    login_as(Role.OFFICER)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/admin/accounts"' not in page and 'href="/admin/audit"' not in page
