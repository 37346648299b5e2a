"""Experts score 团队与资源 from a blind summary of the team section: kinds of institution, disciplines, titles and
roles, never a name or an institution."""

from chunfeng.reviews.team import team_summary
from tests.reviews.conftest import STROKE, client_for, enter, invite, make_project, open_round

TEAM = ("李明，中山大学附属第一医院神经介入科，主任医师，项目负责人，临床需求与方案设计\n"
        "郑敏，同院重症医学科护士长，护理流程\n"
        "黄伟，华南理工大学材料科学与工程学院，副教授，镍钛合金结构设计与工艺\n"
        "福州大学电气工程与自动化学院团队，控制器研发\n"
        "工程师：陈工；电话 13800138000")
NAMES_AND_PLACES = ("李明", "郑敏", "黄伟", "陈工", "中山大学", "华南理工大学", "福州大学", "13800138000")


def test_the_summary_keeps_roles_disciplines_titles_and_kinds_and_drops_names_and_institutions():
    summary = team_summary(TEAM, "李明", "中山大学附属第一医院")
    rows = [(m.kind, m.discipline, m.qualifications, m.roles) for m in summary.members]
    assert rows[0] == ("hospital", "神经介入科", ["主任医师"], ["项目负责人", "临床需求与方案设计"])
    assert rows[1] == ("hospital", "重症医学科", ["护士长"], ["护理流程"])
    assert rows[2] == ("university", "材料科学与工程学院", ["副教授"], ["镍钛合金结构设计与工艺"])
    assert rows[3] == ("university", "电气工程与自动化学院", [], ["控制器研发"])
    assert rows[4] == ("", "", ["工程师"], []), "the name after the colon is dropped"
    assert summary.kinds == {"hospital": 2, "university": 2}
    text = repr(rows)
    assert not [word for word in NAMES_AND_PLACES if word in text]


def test_a_name_only_team_gives_nothing_and_the_applicants_name_is_withheld_anywhere():
    assert team_summary("王芳团队").members == []
    [member] = team_summary("负责人 李明医生的课题组成员，工程师", "李明医生").members
    assert member.qualifications == ["工程师"] and member.roles == []


def test_the_expert_reads_the_blind_team_summary_and_the_administrator_checks_it_first(app, people, ids):
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], {**STROKE, "team": TEAM})
    admin = client_for(app, people["admin"])
    formal = admin.get(f"/reviews/formal-check/{project_id}").get_data(as_text=True)
    assert "专家将看到的团队信息" in formal and "材料科学与工程学院" in formal
    with app.app_context():
        enter(round_id, project_id, ids["admin"])
        assignment_id = invite(round_id, project_id, ids["neuro"], ids["admin"])
    expert = client_for(app, people["neuro"])
    expert.post(f"/reviews/assignments/{assignment_id}/accept", data={"no_conflict": "y"})
    page = expert.get(f"/reviews/assignments/{assignment_id}").get_data(as_text=True)
    assert "团队概况（匿名）" in page
    for shown in ("医院或医疗机构 × 2", "高等院校 × 2", "神经介入科", "主任医师", "副教授", "项目负责人", "控制器研发"):
        assert shown in page, shown
    assert not [word for word in NAMES_AND_PLACES if word in page]
