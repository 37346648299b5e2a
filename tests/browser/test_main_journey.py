"""The proof journey in real browsers, one per person: a doctor registers, drafts, uploads, submits and sees the
digest; an administrator passes the formal check, assigns experts; the experts score blind; an expert asks the
doctor a question through the platform and writes to the panel, the doctor answers, the lead reviewer writes the
meta-review and the other confirms it; the administrator decides and publishes a first batch; a company sees its
matched project, asks to connect, the doctor accepts, the company sees the details and the two exchange messages.
In Chinese (the default), then the doctor's submission again in English.

Only the people the platform cannot make through its own pages are set up through services: the administrator
(created by a command), approved expert and company accounts, the company's approved profile and the rubric.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from chunfeng.accounts.models import AccountStatus, Role
from chunfeng.accounts.services import create_user
from chunfeng.db import db
from chunfeng.matching import profiles as matching
from chunfeng.reviews import assignment as assigning
from chunfeng.reviews.rubrics import ensure_default_rubric
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD

DIGEST = re.compile(r"^[0-9a-f]{64}$")
SERVER_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

DOCTOR = {"name": "林晓峰", "email": "lin.xiaofeng@zs-hospital.cn", "hospital": "中山大学附属第一医院"}
CONFIDENTIAL = "镍钛合金双层网格与远端保护伞一体化结构"


def minimal_pdf() -> bytes:
    """A small but valid one-page PDF (header, objects, cross-reference table and trailer with real offsets)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- people set up through services ---------------------------------------------------------------------------

@dataclass
class Cast:
    admin: str
    experts: list[tuple[str, str, str, str]]  # (e-mail, name, hospital, province)
    conflicted: str  # name of an expert from the doctor's own hospital
    company: str
    company_name: str


def _person(role: Role, email: str, name: str, organization: str, **fields):
    return create_user(email=email, name=name, password=PASSWORD, role=role, organization=organization,
                       status=AccountStatus.ACTIVE, **fields)


def _expert(email: str, name: str, hospital: str, province: str, specialties: str):
    expert = _person(Role.EXPERT, email, name, hospital, department="神经介入科", province=province)
    profile = assigning.profile_of(expert)
    profile.specialties, profile.keywords = specialties, "急性缺血性卒中 机械取栓 取栓支架 血管再闭塞"
    return expert


@pytest.fixture
def cast(app) -> Cast:
    with app.app_context():
        admin = _person(Role.ADMIN, "zhou.admin@gdmpa.gov.cn", "周敏", "广东省药品监督管理局")
        ensure_default_rubric(admin)
        experts = [("chen.prof@huashan.cn", "陈立新", "复旦大学附属华山医院", "上海市"),
                   ("wang.dir@xuanwu.cn", "王建国", "首都医科大学宣武医院", "北京市")]
        for email, name, hospital, province in experts:
            _expert(email, name, hospital, province, "神经介入 脑血管病")
        # a colleague of the doctor: same hospital, so never proposed for the doctor's project
        _expert("he.prof@zs-hospital.cn", "何振宇", DOCTOR["hospital"], "广东省", "神经介入 取栓")

        company_user = _person(Role.ENTERPRISE, "zhao.bd@naokang-med.cn", "赵一鸣", "深圳脑康医疗器械有限公司",
                               province="广东省")
        profile = matching.new_profile(company_user)
        matching.save_profile(profile, {
            "business_scope": "神经介入医疗器械的研发、生产与销售，专注急性缺血性卒中机械取栓",
            "product_lines": "取栓支架、颅内支架、微导管、远端保护装置",
            "registered_products": "颅内取栓支架（第三类）\n微导管（第三类）",
            "rd_capability": "镍钛合金激光切割与热定型，血管模型体外测试",
            "manufacturing_capability": "十万级洁净车间",
            "registration_experience": ["II", "III"], "region": "广东省",
            "cooperation_modes": ["codev", "transfer"], "stages": ["prototype", "animal"],
        }, company_user)
        matching.decide_profile(profile, True, admin)
        db.session.commit()
        return Cast(admin="zhou.admin@gdmpa.gov.cn", experts=experts, conflicted="何振宇",
                    company="zhao.bd@naokang-med.cn", company_name="深圳脑康医疗器械有限公司")


# --- steps shared by both languages ------------------------------------------------------------------------------

ZH = {
    "lang": "zh", "email": "邮箱", "password": "密码", "log_in": "登录", "workspace": "我的工作台",
    "new_project": "新建项目", "title": "项目名称", "specialty": "专科/科室", "summary": "非保密摘要",
    "create": "创建草稿", "continue": "保存草稿并继续",
    "need_problem": "临床问题", "need_population": "涉及的患者人群", "need_outcome": "期望改善的结局",
    "current_practice": "现有诊疗方式及其不足", "solution": "解决方案及工作原理", "innovation": "创新点",
    "target_patients": "目标患者", "patient_count": "患者规模（估算）", "device_type": "产品类型",
    "device_class": "预计管理类别", "class_iii": "第三类", "pathway": "创新医疗器械特别审查",
    "stage": "研发阶段", "prototype": "样机研制", "evidence": "已有证据", "ip": "知识产权",
    "ip_filed": "已申请专利", "ip_numbers": "专利号或申请号", "team": "团队成员及分工", "codev": "合作开发",
    "file": "文件", "attest_file": "此文件不含可识别患者身份的信息", "upload": "上传", "attached": "已上传",
    "next_section": "继续填写下一部分", "attest": "本人确认，本项目的文字和附件中不含任何可识别患者身份的信息",
    "submit": "提交项目", "submitted": "已提交为第 1 版", "server_time": "服务器时间",
    "status_submitted": "已提交，待形式审查",
    "sections": ["解决方案与创新点", "目标患者", "产品类别与注册", "研发阶段与已有证据", "知识产权", "团队", "合作意向",
                 "附件"],
}
EN = {
    "lang": "en", "email": "E-mail address", "password": "Password", "log_in": "Log in", "workspace": "My workspace",
    "new_project": "New project", "title": "Project title", "specialty": "Specialty / department",
    "summary": "Non-confidential summary", "create": "Create draft", "continue": "Save draft and continue",
    "need_problem": "Clinical problem", "need_population": "Patient population concerned",
    "need_outcome": "Outcome to improve", "current_practice": "Current practice and its shortcomings",
    "solution": "Proposed solution and how it works", "innovation": "Innovation points",
    "target_patients": "Target patients", "patient_count": "Number of patients (estimate)",
    "device_type": "Device type", "device_class": "Likely NMPA management class", "class_iii": "Class III",
    "pathway": "Innovative device special review", "stage": "Development stage", "prototype": "Prototype",
    "evidence": "Evidence so far", "ip": "Intellectual property", "ip_filed": "Patent application filed",
    "ip_numbers": "Patent or application numbers", "team": "Team members and roles", "codev": "Co-development",
    "file": "File", "attest_file": "This file contains no patient-identifiable information", "upload": "Upload",
    "attached": "was attached", "next_section": "Continue with the next section",
    "attest": "I confirm that the text and the attachments of this project contain no patient-identifiable",
    "submit": "Submit project", "submitted": "Submitted as version 1",
    "server_time": "Server time", "status_submitted": "Submitted, awaiting formal check",
    "sections": ["Solution and innovation", "Target patients", "Device and registration",
                 "Development stage and evidence", "Intellectual property", "Team", "Cooperation wanted",
                 "Attachments"],
}

STROKE_PROJECT = {
    "title": "可回收取栓支架（带远端保护）", "specialty": "神经介入科",
    "summary": "用于急性缺血性卒中机械取栓的可回收取栓支架，减少取栓后血管再闭塞和远端栓塞。",
    "need_problem": "急性缺血性卒中机械取栓后，血管再闭塞和远端栓塞发生率高，影响患者功能预后。",
    "need_population": "前循环大血管闭塞的急性缺血性卒中患者，发病 24 小时内。",
    "need_outcome": "提高首次通过再通率，降低远端栓塞，改善 90 天 mRS 评分。",
    "current_practice": "现有取栓支架对硬血栓捕获率低，常需多次取栓。",
    "solution": f"{CONFIDENTIAL}，回撤时保护伞收拢并捕获碎栓。",
    "innovation": "双层网格提高硬血栓捕获率\n远端一体化保护",
    "target_patients": "大血管闭塞的急性缺血性卒中患者", "patient_count": "全国每年约 20 万例取栓手术",
    "device_type": "神经介入取栓器械", "evidence": "离体血管模型测试 30 次，动物实验 12 例，首次通过再通率 83%。",
    "ip_numbers": "CN202410123456.7", "team": f"{DOCTOR['name']}（临床负责人），陈工（机械工程师）",
}


def shot(page: Page, name: str) -> None:
    """With JOURNEY_SCREENSHOTS=1, keep a full-page screenshot of a key page in test-artifacts/journey/ for
    looking at the layout by eye."""
    if os.environ.get("JOURNEY_SCREENSHOTS"):
        (ARTIFACTS / "journey").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "journey" / f"{name}.png"), full_page=True)


def menu(page: Page, name: str | re.Pattern):
    """A link of the main navigation bar."""
    return page.locator("#mainnav").get_by_role("link", name=name, exact=True)


NOTIFICATIONS = re.compile(r"^通知( \d+)?$")  # the link carries the number of unread notifications


def log_in(page: Page, email: str, t: dict = ZH) -> None:
    page.goto("/account/login")
    page.get_by_label(t["email"]).fill(email)
    page.get_by_label(t["password"]).fill(PASSWORD)
    page.get_by_role("button", name=t["log_in"]).click()
    expect(page.get_by_role("heading", name=t["workspace"])).to_be_visible()


def _next_section(page: Page, t: dict, number: int) -> None:
    """Save the section and go on; `number` counts the sections after the first form (solution = 0)."""
    page.get_by_role("button", name=t["continue"]).click()
    expect(page.get_by_role("heading", name=re.compile("^" + re.escape(t["sections"][number])))).to_be_visible()


def draft_and_submit(page: Page, t: dict, text: dict) -> str:
    """From the workspace, a doctor writes a project section by section, attaches a PDF and submits it.
    Returns the SHA-256 digest shown on the project page."""
    page.get_by_role("link", name=t["new_project"]).first.click()
    page.get_by_label(t["title"]).fill(text["title"])
    page.get_by_label(t["specialty"]).fill(text["specialty"])
    page.get_by_label(t["summary"]).fill(text["summary"])
    page.get_by_role("button", name=t["create"]).click()
    shot(page, f"{t['lang']}-doctor-1-need-section")

    for key in ("need_problem", "need_population", "need_outcome", "current_practice"):
        page.get_by_label(t[key]).fill(text[key])
    _next_section(page, t, 0)
    page.get_by_label(t["solution"]).fill(text["solution"])
    page.get_by_label(t["innovation"]).fill(text["innovation"])
    _next_section(page, t, 1)
    page.get_by_label(t["target_patients"]).fill(text["target_patients"])
    page.get_by_label(t["patient_count"]).fill(text["patient_count"])
    _next_section(page, t, 2)
    page.get_by_label(t["device_type"]).fill(text["device_type"])
    page.get_by_label(t["device_class"]).select_option(label=t["class_iii"])
    page.get_by_label(t["pathway"]).check()
    shot(page, f"{t['lang']}-doctor-2-device-section")
    _next_section(page, t, 3)
    page.get_by_label(t["stage"]).select_option(label=t["prototype"])
    page.get_by_label(t["evidence"]).fill(text["evidence"])
    _next_section(page, t, 4)
    page.get_by_label(t["ip"]).select_option(label=t["ip_filed"])
    page.get_by_label(t["ip_numbers"]).fill(text["ip_numbers"])
    _next_section(page, t, 5)
    page.get_by_label(t["team"]).fill(text["team"])
    _next_section(page, t, 6)
    page.get_by_label(t["codev"]).check()
    _next_section(page, t, 7)

    page.get_by_label(t["file"], exact=True).set_input_files(
        {"name": "animal-study.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()})
    page.get_by_label(t["attest_file"]).check()
    page.get_by_role("button", name=t["upload"]).click()
    expect(page.get_by_text(t["attached"])).to_be_visible()
    expect(page.get_by_role("link", name="animal-study.pdf")).to_be_visible()
    shot(page, f"{t['lang']}-doctor-3-attachments")

    page.get_by_role("link", name=t["next_section"]).click()
    page.get_by_label(t["attest"]).check()
    page.get_by_role("button", name=t["continue"]).click()  # the last section leads to the overview

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=t["submit"]).click()
    expect(page.get_by_text(t["submitted"])).to_be_visible()
    expect(page.get_by_text(t["status_submitted"]).first).to_be_visible()
    digest = page.locator(".card .digest").first
    expect(digest).to_have_text(DIGEST)
    expect(page.get_by_text(t["server_time"]).first.locator("..")).to_contain_text(SERVER_TIME)
    shot(page, f"{t['lang']}-doctor-4-submitted")
    return digest.inner_text()


# --- the journey ---------------------------------------------------------------------------------------------------

def register_doctor(page: Page) -> None:
    page.goto("/")
    page.get_by_role("link", name="注册").first.click()
    page.get_by_label("姓名").fill(DOCTOR["name"])
    page.get_by_label("邮箱").fill(DOCTOR["email"])
    page.get_by_label("单位(医院、企业或基金)").fill(DOCTOR["hospital"])
    page.get_by_label("省份").select_option("广东省")
    page.get_by_label("科室 / 专业").fill("神经介入科")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_label(re.compile("我已阅读并同意隐私政策")).check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()


def assert_blind(page: Page) -> None:
    """Nothing on an expert's page names the applicant: not the name, hospital or e-mail address."""
    html = page.content()
    for identifying in DOCTOR.values():
        assert identifying not in html, f"{identifying} shown to an expert at {page.url}"


def create_and_open_round(page: Page, name: str) -> None:
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    menu(page, "评审批次").click()
    page.get_by_role("link", name="新建批次").click()
    page.get_by_label("批次名称").fill(name)
    page.get_by_label("征集开始日期").fill(today.isoformat())
    page.get_by_label("征集截止日期").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("评审截止日期").fill((today + timedelta(days=45)).isoformat())
    page.get_by_label("每个项目的评审专家人数").fill("2")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("评审批次已创建")).to_be_visible()
    page.get_by_role("button", name="开启批次").click()
    expect(page.get_by_role("heading", name=name)).to_contain_text("征集中")


def pass_formal_check(page: Page, title: str, round_name: str, digest: str) -> None:
    menu(page, "形式审查").click()
    row = page.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row).to_contain_text(DOCTOR["hospital"])
    row.get_by_role("link", name=title).click()
    expect(page.get_by_text(digest)).to_be_visible()  # the administrator checks the version the doctor holds
    expect(page.get_by_label("直接纳入批次")).to_have_value(re.compile(r"\d+"))
    shot(page, "zh-admin-1-formal-check")
    page.get_by_label("直接纳入批次").select_option(label=round_name)
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.get_by_text(f"“{title}”已通过形式审查。")).to_be_visible()


def assign_experts(page: Page, cast: Cast, title: str, round_name: str) -> None:
    menu(page, "评审批次").click()
    page.get_by_role("link", name=round_name).click()
    page.get_by_role("link", name="专家分配").click()
    page.get_by_role("button", name="自动拟分配专家").click()
    expect(page.get_by_text("已拟分配 2 项评审任务")).to_be_visible()
    card = page.locator("section.card", has=page.get_by_role("heading", name=title))
    for _email, name, *_where in cast.experts:
        expect(card).to_contain_text(name)
    expect(card).not_to_contain_text(cast.conflicted)  # same hospital as the applicant: never proposed
    shot(page, "zh-admin-2-assignments")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发送 2 份评审邀请").click()
    expect(page.get_by_text("已向专家发送 2 份评审邀请。")).to_be_visible()


def review_blind(page: Page, email: str, title: str, scores: dict[str, int], peers_before: int) -> None:
    """An expert answers the invitation, scores and submits; then reads the `peers_before` reviews already in."""
    log_in(page, email)
    menu(page, NOTIFICATIONS).click()
    assert_blind(page)
    page.get_by_role("link", name=re.compile("邀请您评审2026年春季批次的 1 个项目")).click()
    expect(page.get_by_role("heading", name="我的评审")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(re.escape(title)))).to_be_visible()
    assert_blind(page)
    page.get_by_role("link", name="回复邀请").click()
    assert_blind(page)
    page.get_by_label("本人声明与该项目不存在利益冲突", exact=False).check()
    page.get_by_role("button", name="确认声明并进入评审表").click()
    expect(page.get_by_text(CONFIDENTIAL)).to_be_visible()  # the confidential solution is for the experts
    expect(page.get_by_role("link", name="附件 1")).to_be_visible()
    assert_blind(page)
    for criterion, score in scores.items():
        page.locator("fieldset", has_text=criterion).get_by_label(str(score), exact=True).check()
    for gate in ("伦理与合规", "资料完整"):
        page.locator("fieldset", has_text=gate).get_by_label("是", exact=True).check()
    page.get_by_label("优秀：强烈推荐").check()
    page.get_by_label("熟悉", exact=True).check()
    page.get_by_label("给评审组的意见").fill("临床需求明确，动物实验数据支持，建议重点培育。")
    page.get_by_label("可反馈给临床医生的意见").fill("建议尽早开展注册检验，并与审评机构沟通临床评价路径。")
    shot(page, "zh-expert-1-review-form")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="提交评审意见").click()
    expect(page.get_by_text("您的评审意见已提交并锁定")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^专家 [A-Z]$"))).to_have_count(peers_before)
    shot(page, f"zh-expert-2-submitted-{peers_before}")
    assert_blind(page)


QUESTION = "动物实验中远端栓塞是如何判定的？请说明观察时间点。"
ANSWER = "以术后即刻及24小时血管造影判定远端栓塞，两个时间点均由独立影像医师阅片。"
META = "两位专家均认为临床需求迫切、动物实验数据可信，建议重点培育并尽早开展注册检验。"


def deliberate(admin: Page, expert: Page, expert2: Page, doctor: Page, cast: Cast, title: str,
               round_name: str) -> None:
    """After both reviews: the first expert asks the applicant a question through the platform (blind both ways)
    and writes to the panel; the applicant answers from the project page; the administrator designates the first
    expert lead reviewer (主审), who writes the meta-review; the second expert confirms it."""
    expert.reload()
    expert.get_by_role("textbox", name="向申报人提问").fill(QUESTION)
    expert.get_by_role("button", name="发送问题").click()
    expect(expert.get_by_text(QUESTION)).to_be_visible()
    assert_blind(expert)
    expert.get_by_role("textbox", name="留言内容").fill("我关注远端栓塞的判定标准，已向申报人提问。")
    expert.get_by_role("button", name="发送给评审组").click()
    expect(expert.get_by_text("我关注远端栓塞的判定标准")).to_be_visible()
    shot(expert, "zh-expert-3-discussion")

    menu(doctor, NOTIFICATIONS).click()
    doctor.get_by_role("link", name=re.compile("评审专家")).first.click()
    expect(doctor.get_by_text(QUESTION)).to_be_visible()
    for name, *_rest in cast.experts:
        expect(doctor.get_by_text(name)).to_have_count(0)  # the applicant never sees who asked
    doctor.get_by_role("textbox", name="您的答复").fill(ANSWER)
    doctor.get_by_role("button", name="提交答复").click()
    expect(doctor.get_by_text(ANSWER).first).to_be_visible()
    shot(doctor, "zh-doctor-4-answered")

    menu(admin, "评审批次").click()
    admin.get_by_role("link", name=round_name).click()
    admin.get_by_role("row", name=re.compile(re.escape(title))).get_by_role("link", name="作出结论").click()
    expect(admin.get_by_text("我关注远端栓塞的判定标准")).to_be_visible()  # the discussion, beside the figures
    lead = admin.get_by_label("主审专家")
    lead.select_option(value=lead.locator("option", has_text=cast.experts[0][1]).get_attribute("value"))
    admin.get_by_role("button", name="指定", exact=True).click()

    expert.reload()
    expect(expert.get_by_text(ANSWER).first).to_be_visible()  # the answer joined the material, blind
    assert_blind(expert)
    expert.get_by_role("textbox", name="综合意见").fill(META)
    expert.get_by_role("button", name="保存综合意见").click()
    expect(expert.get_by_role("blockquote")).to_have_text(META)

    expert2.reload()
    expect(expert2.get_by_text(META)).to_be_visible()
    expert2.get_by_label("我确认该综合意见").check()
    expert2.get_by_role("button", name="提交我的答复").click()
    meta = expert2.locator("section", has=expert2.get_by_role("heading", name="综合意见"))
    expect(meta.locator(".badge")).to_have_text("确认")  # the second expert's answer, beside the meta-review
    shot(expert2, "zh-expert-4-meta-confirmed")


def decide_and_publish(page: Page, title: str, round_name: str) -> None:
    """The administrator decides and publishes a first batch while the intake is still open (publication no
    longer waits for it), through a confirmation that states the counts; the round stays open; closing the
    intake asks first too, and then marks the round, fully decided and published, as published."""
    menu(page, "评审批次").click()
    page.get_by_role("link", name=round_name).click()
    row = page.get_by_role("row", name=re.compile(re.escape(title)))
    expect(row).to_contain_text("2 / 2")
    row.get_by_role("link", name="作出结论").click()
    expect(page.get_by_text(META)).to_be_visible()  # the lead reviewer's meta-review beside the statistics
    expect(page.get_by_label("推荐重点培育")).to_be_checked()  # the rubric's suggestion, pre-filled
    shot(page, "zh-admin-3-decision")
    page.get_by_role("button", name="记录评审结论").click()
    expect(page.get_by_text("评审结论已记录。")).to_be_visible()
    heading = page.get_by_role("heading", name=round_name)
    expect(heading).to_contain_text("征集中")
    expect(page.get_by_role("status")).to_contain_text("1 项评审结论可以公示")
    shot(page, "zh-admin-3b-decided")
    page.get_by_role("link", name="核对数量并公示").click()
    confirmation = page.locator("section", has=page.get_by_role("heading", name="公示 1 项结果？"))
    expect(confirmation).to_contain_text("现在公示 1 项结论，其中入选 1 项")
    expect(confirmation).to_contain_text("征集仍将持续至")
    confirmation.get_by_role("button", name="公示 1 项结果").click()
    expect(page.get_by_text("已公示 1 项评审结论")).to_be_visible()
    shot(page, "zh-admin-4-published")

    menu(page, "评审批次").click()
    page.get_by_role("link", name=round_name).click()
    expect(heading).to_contain_text("征集中")  # the first batch left the intake open
    expect(page.get_by_role("row", name=re.compile(re.escape(title)))).to_contain_text("已公示")
    expect(page.get_by_role("button", name=re.compile(r"公示 \d+ 项结果"))).to_have_count(0)  # nothing left
    page.get_by_role("link", name="截止征集…").click()
    closing = page.locator("section", has=page.get_by_role("heading", name=re.compile(r"^截止征集")))
    expect(closing).to_contain_text("此操作将结束项目征集")
    expect(closing).to_contain_text("本批次共 1 个项目；0 个尚未决定")
    closing.get_by_role("button", name="截止征集").click()
    expect(heading).to_contain_text("结果已公示")


ALL_FIVE = {"临床需求迫切性": 5, "临床获益与安全性": 5, "创新性": 5, "技术可行性与成熟度": 5, "知识产权": 5,
            "转化前景": 5, "团队与资源": 5}
MOSTLY_FIVE = {**ALL_FIVE, "创新性": 4, "技术可行性与成熟度": 4, "转化前景": 4, "团队与资源": 4}


def test_idea_to_company_connection_in_chinese(cast, doctor, admin, expert, expert2, company, visitor):
    title, round_name = STROKE_PROJECT["title"], "2026年春季批次"
    register_doctor(doctor)
    digest = draft_and_submit(doctor, ZH, STROKE_PROJECT)
    company_has_no_match_yet(company, cast)

    log_in(admin, cast.admin)
    create_and_open_round(admin, round_name)
    pass_formal_check(admin, title, round_name, digest)
    assign_experts(admin, cast, title, round_name)

    review_blind(expert, cast.experts[0][0], title, ALL_FIVE, peers_before=0)
    review_blind(expert2, cast.experts[1][0], title, MOSTLY_FIVE, peers_before=1)
    deliberate(admin, expert, expert2, doctor, cast, title, round_name)

    decide_and_publish(admin, title, round_name)

    results_are_public(visitor, title, round_name)
    doctor_reads_outcome(doctor, cast, title)
    company_asks_to_connect(company, cast, title)
    doctor_accepts(doctor, cast, title)
    company_reads_details(company, title)
    company_and_doctor_exchange_messages(company, doctor, cast, title)
    doctor_revokes(doctor, cast)
    company_lost_access(company, title)


def results_are_public(page: Page, title: str, round_name: str) -> None:
    page.goto("/")
    menu(page, "结果公示").click()
    page.get_by_role("link", name=re.compile(re.escape(round_name))).click()
    result = page.locator("article", has=page.get_by_role("heading", name=title))
    expect(result).to_contain_text("推荐重点培育")
    expect(result).to_contain_text("创新医疗器械特别审查")
    assert CONFIDENTIAL not in page.content()


def doctor_reads_outcome(page: Page, cast: Cast, title: str) -> None:
    menu(page, NOTIFICATIONS).click()
    page.get_by_role("link", name=re.compile("入选重点培育项目")).click()
    expect(page.get_by_role("heading", name="推荐重点培育")).to_be_visible()
    expect(page.get_by_text("建议尽早开展注册检验")).to_have_count(2)  # both experts' comments, anonymised
    expect(page.get_by_text("专家 A")).to_be_visible()
    shot(page, "zh-doctor-5-outcome")
    page.get_by_role("link", name="返回项目").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("企业对接中").first).to_be_visible()
    expect(page.get_by_role("link", name="评审结果与专家意见")).to_be_visible()
    page.get_by_role("link", name="推荐的企业和投资机构").click()
    expect(page.get_by_text(cast.company_name).first).to_be_visible()  # the same match, seen from the doctor's side
    shot(page, "zh-doctor-5b-suggestions")
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def company_has_no_match_yet(page: Page, cast: Cast) -> None:
    """Submitted projects are not shown to companies: matching starts when the results are published."""
    log_in(page, cast.company)
    menu(page, "匹配项目").click()
    expect(page.get_by_text("暂无为贵机构匹配的项目")).to_be_visible()


def company_asks_to_connect(page: Page, cast: Cast, title: str) -> None:
    menu(page, "匹配项目").click()  # matched on publication, with no refresh run by anyone
    card = page.locator("article", has=page.get_by_role("heading", name=title))
    expect(card).to_contain_text("推荐理由：")
    expect(card.locator(".why-tag").first).to_be_visible()
    shot(page, "zh-company-1-matched")
    card.get_by_role("button", name="收藏").click()  # the card's button sends the page's one save form
    expect(page.get_by_text("已加入本机构的收藏。")).to_be_visible()
    card = page.locator("article", has=page.get_by_role("heading", name=title))
    expect(card.get_by_role("button", name="取消收藏")).to_have_attribute("aria-pressed", "true")
    card.get_by_role("link", name=title).click()
    expect(page.get_by_text("您看到的是非保密摘要")).to_be_visible()
    html = page.content()
    assert CONFIDENTIAL not in html and DOCTOR["name"] not in html and DOCTOR["email"] not in html
    shot(page, "zh-company-2-summary")
    page.get_by_label("对接理由").fill("我司专注神经介入器械，具备第三类取栓支架注册经验和镍钛合金加工能力，希望合作开发并推进注册检验。")
    page.get_by_role("button", name="申请对接").click()
    expect(page.get_by_text("对接请求已发送给医生")).to_be_visible()
    expect(page.get_by_text("医生接受前不共享任何详细资料。")).to_be_visible()


def doctor_accepts(page: Page, cast: Cast, title: str) -> None:
    page.goto("/")
    menu(page, "我的工作台").click()
    page.get_by_role("link", name=f"{cast.company_name} 希望就“{title}”与您对接，请选择接受或婉拒。").click()
    expect(page.locator("#consent-text")).to_contain_text(cast.company_name)
    shot(page, "zh-doctor-6-request")
    page.get_by_label("我同意上述授权。").check()
    page.get_by_role("button", name="接受并共享").click()
    expect(page.get_by_text("您已接受对接请求")).to_be_visible()


def company_reads_details(page: Page, title: str) -> None:
    menu(page, NOTIFICATIONS).click()
    page.get_by_role("link", name=f"{DOCTOR['name']} 已接受您关于“{title}”的对接请求。").click()
    page.get_by_role("link", name="查看项目详细资料").click()
    expect(page.get_by_text("医生已向贵机构共享本项目的保密内容")).to_be_visible()
    expect(page.get_by_text(CONFIDENTIAL)).to_be_visible()
    expect(page.locator("#contact")).to_contain_text(DOCTOR["email"])
    expect(page.get_by_role("link", name="animal-study.pdf")).to_be_visible()
    shot(page, "zh-company-3-details")


COMPANY_MESSAGE = "我们下周可安排注册检验方案讨论，请问您周三下午是否方便？"
DOCTOR_REPLY = "周三下午两点可以，我会带上动物实验的原始影像。"


def company_and_doctor_exchange_messages(company: Page, doctor: Page, cast: Cast, title: str) -> None:
    """Two-way messages on the accepted connection, each side told; the company ends where it was."""
    details = company.url
    company.goto("/matching/connections")
    company.get_by_role("row", name=re.compile(re.escape(title))).get_by_role("link").last.click()
    company.get_by_role("textbox", name=re.compile("消息|留言")).fill(COMPANY_MESSAGE)
    company.get_by_role("button", name="发送消息").click()
    expect(company.locator("#messages")).to_contain_text(COMPANY_MESSAGE)

    menu(doctor, NOTIFICATIONS).click()
    doctor.get_by_role("link", name=re.compile(re.escape(cast.company_name))).first.click()
    expect(doctor.locator("#messages")).to_contain_text(COMPANY_MESSAGE)
    doctor.get_by_role("textbox", name=re.compile("消息|留言")).fill(DOCTOR_REPLY)
    doctor.get_by_role("button", name="发送消息").click()
    expect(doctor.locator("#messages")).to_contain_text(DOCTOR_REPLY)
    shot(doctor, "zh-doctor-7-messages")
    company.reload()
    expect(company.locator("#messages")).to_contain_text(DOCTOR_REPLY)
    company.goto(details)


def company_lost_access(page: Page, title: str) -> None:
    page.reload()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("您看到的是非保密摘要")).to_be_visible()
    html = page.content()
    assert CONFIDENTIAL not in html and DOCTOR["email"] not in html


def doctor_revokes(page: Page, cast: Cast) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="撤回授权").click()
    expect(page.get_by_text(f"已撤回授权：{cast.company_name} 不能再查看您项目的详细资料。")).to_be_visible()


ENGLISH_PROJECT = {
    "title": "Wearable patch for continuous monitoring of post-operative atrial fibrillation",
    "specialty": "Cardiac surgery",
    "summary": "A single-lead ECG patch worn for 30 days after heart surgery to detect atrial fibrillation early.",
    "need_problem": "Post-operative atrial fibrillation is frequent and often missed after discharge.",
    "need_population": "Adults after cardiac surgery.", "need_outcome": "Earlier detection and anticoagulation.",
    "current_practice": "24-hour Holter recordings miss paroxysmal episodes.",
    "solution": "Flexible electrode array with on-patch rhythm classification.",
    "innovation": "Thirty-day wear time\nOn-device classification",
    "target_patients": "Patients discharged after cardiac surgery", "patient_count": "About 300,000 a year in China",
    "device_type": "Active medical device with software", "evidence": "Bench tests on 40 volunteers.",
    "ip_numbers": "CN202420987654.3", "team": "Cardiac surgery team and two engineers",
}


def test_doctor_registers_and_submits_in_english(page_en):
    page = page_en
    page.goto("/")
    page.get_by_role("link", name="Register").first.click()
    page.get_by_label("Full name").fill("Li Na")
    page.get_by_label("E-mail address").fill("li.na@heart-hospital.cn")
    page.get_by_label("Organisation (hospital, company or fund)").fill("Fuwai Hospital")
    page.get_by_label("Province").select_option("北京市")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_label(re.compile("I have read and agree to the privacy policy")).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="My workspace")).to_be_visible()

    digest = draft_and_submit(page, EN, ENGLISH_PROJECT)
    page.get_by_role("link", name="Receipt (evidence of submission)").click()
    expect(page.get_by_role("heading", name="Submission receipt")).to_be_visible()
    expect(page.locator("dd.digest")).to_have_text(digest)
    expect(page.get_by_text("(Beijing time)")).to_contain_text(SERVER_TIME)
    shot(page, "en-doctor-5-receipt")
