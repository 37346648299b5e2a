"""The public results: a page per selected project (public summary only, never a confidential section or the
clinician's name), a search over the selected projects, and a verified company's request to connect from there."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chunfeng.accounts.models import Role
from chunfeng.db import db, utcnow
from chunfeng.matching.models import Connection, OrgProfile, ProfileKind, ProfileStatus
from chunfeng.reviews.models import Decision, Outcome, ReviewRound
from chunfeng.submissions.models import Project
from chunfeng.submissions.status import Status

from .conftest import EYE, STROKE, client_for, make_project, open_round

REASON = "我们有成熟的III类取栓支架注册经验和生产线，希望探讨联合开发。"
CONFIDENTIAL = (STROKE["solution"], STROKE["need_problem"], STROKE["team"], STROKE["evidence"], "李明医生",
                "13800138000", "liming@hospital-a.cn")


def _select(round_id: int, project_id: int, outcome: Outcome = Outcome.SELECTED, published: bool = True) -> None:
    """A published decision, as the panel's publication leaves it."""
    now = utcnow()
    project = db.session.get(Project, project_id)
    selected = outcome in (Outcome.SELECTED, Outcome.SELECTED_PRIORITY)
    project.status = (Status.MATCHING if published else Status.SELECTED) if selected else Status.NOT_SELECTED
    project.published_at = now if published else None
    db.session.add(Decision(round_id=round_id, project_id=project_id, outcome=outcome,
                            recommended_pathway=["innovation"], published_at=now if published else None))
    round_ = db.session.get(ReviewRound, round_id)
    round_.published_at = round_.published_at or (now if published else None)
    db.session.commit()


@pytest.fixture
def results(app, ids):
    """A published round: the stroke project selected, the eye project not selected; an unpublished round."""
    with app.app_context():
        round_id = open_round(ids["admin"])
        stroke = make_project(ids["clinician"], STROKE)
        eye = make_project(ids["clinician2"], EYE)
        _select(round_id, stroke, Outcome.SELECTED_PRIORITY)
        _select(round_id, eye, Outcome.NOT_SELECTED)
        later = open_round(ids["admin"], name="2026年秋季批次")
        hidden = make_project(ids["clinician2"], {**EYE, "title": "尚未公示的眼科项目"})
        _select(later, hidden, published=False)
    return {"round": round_id, "stroke": stroke, "eye": eye, "later": later, "hidden": hidden}


def test_a_selected_project_has_a_public_page_with_its_summary_only(app, client, results):
    page = client.get(f"/results/{results['round']}/{results['stroke']}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert STROKE["title"] in text and STROKE["public_summary"] in text and "中山大学附属第一医院" in text
    assert "神经介入" in text and "第三类" in text and "创新医疗器械特别审查" in text
    assert not any(secret in text for secret in CONFIDENTIAL)
    assert "使用已认证的机构账号登录" in text and "/account/login" in text
    round_page = client.get(f"/results/{results['round']}").get_data(as_text=True)
    assert f'href="/results/{results["round"]}/{results["stroke"]}"' in round_page


def test_only_published_selected_projects_have_a_page(client, results):
    assert client.get(f"/results/{results['round']}/{results['eye']}").status_code == 404, "not selected"
    assert client.get(f"/results/{results['later']}/{results['hidden']}").status_code == 404, "not published"
    assert client.get(f"/results/{results['later']}/{results['stroke']}").status_code == 404, "another round"
    assert client.get(f"/results/{results['round']}/999999").status_code == 404


def test_search_finds_selected_projects_by_title_specialty_and_keyword(client, results):
    for query in ("取栓", "神经介入", "卒中 支架", "可回收"):
        page = client.get("/results/search", query_string={"q": query}).get_data(as_text=True)
        assert STROKE["title"] in page, query
        assert f'href="/results/{results["round"]}/{results["stroke"]}"' in page
    for query in ("眼底", "尚未公示", STROKE["solution"][:6], "李明医生"):
        page = client.get("/results/search", query_string={"q": query}).get_data(as_text=True)
        assert "没有符合搜索条件的入选项目" in page, query
        assert STROKE["title"] not in page and "尚未公示的眼科项目" not in page
    by_specialty = client.get("/results/search", query_string={"specialty": "神经介入"}).get_data(as_text=True)
    assert "找到 1 个入选项目" in by_specialty
    options = client.get("/results").get_data(as_text=True)
    assert '<option value="神经介入"' in options and '<option value="眼科"' not in options


@pytest.mark.parametrize("query", ["%", "_", "\\", "'; DROP TABLE projects; --", "<script>alert(1)</script>",
                                   "a\x01b", "取栓" * 500, "   ", "%%%_%"])
def test_hostile_or_empty_searches_are_answered_safely(client, results, query):
    response = client.get("/results/search", query_string={"q": query, "specialty": "<b>x</b>"})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in text and "<b>x</b>" not in text
    if query.strip() in ("%", "_", "\\", "%%%_%"):
        assert STROKE["title"] not in text, "wildcards are searched as characters"


def test_a_nul_byte_is_refused_with_a_message(client, results):
    response = client.get("/results/search", query_string={"q": "取栓\x00"})
    assert response.status_code == 400 and "NUL" in response.get_data(as_text=True)


@pytest.fixture
def company(app, make_user):
    def add(approved: bool = True):
        user = make_user(Role.ENTERPRISE, organization="上海神经介入器械有限公司")
        with app.app_context():
            db.session.add(OrgProfile(organization_id=user.organization_id, kind=ProfileKind.ENTERPRISE,
                                      status=ProfileStatus.APPROVED if approved else ProfileStatus.PENDING,
                                      business_scope="神经介入器械：取栓支架、抽吸导管", registration_experience=[],
                                      cooperation_modes=[], stages=[]))
            db.session.commit()
        return user
    return add


def test_a_verified_company_asks_to_connect_from_the_public_page(app, results, company):
    browser = client_for(app, company())
    url = f"/results/{results['round']}/{results['stroke']}"
    page = browser.get(url).get_data(as_text=True)
    assert "对该项目感兴趣？" in page and f'action="/matching/projects/{results["stroke"]}/connect"' in page
    assert browser.post(f"/matching/projects/{results['stroke']}/connect", data={"reason": REASON}).status_code == 302
    page = browser.get(url).get_data(as_text=True)
    assert "贵机构已与该项目建立对接" in page and "/matching/connections/" in page
    again = browser.post(f"/matching/projects/{results['stroke']}/connect", data={"reason": REASON},
                         follow_redirects=True)
    assert "已与该项目建立对接" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Connection)) == 1


def test_no_offer_for_an_unverified_company_or_a_clinician(app, results, company, people):
    pending = client_for(app, company(approved=False))
    url = f"/results/{results['round']}/{results['stroke']}"
    assert "对该项目感兴趣？" not in pending.get(url).get_data(as_text=True)
    assert pending.post(f"/matching/projects/{results['stroke']}/connect",
                        data={"reason": REASON}).status_code in (403, 404)
    clinician = client_for(app, people["clinician2"])
    assert "对该项目感兴趣？" not in clinician.get(url).get_data(as_text=True)
