"""An expert reviews in a real browser: declaration, scores with the running total, submit confirmation, lock."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import browser, live_server, new_page  # noqa: F401 - fixtures
from tests.conftest import PASSWORD
from tests.reviews.conftest import STROKE, enter, invite, make_project, open_round

pytestmark = pytest.mark.browser


def test_expert_declares_scores_and_submits_in_the_browser(app, browser, live_server, people, ids):  # noqa: F811
    with app.app_context():
        round_id = open_round(ids["admin"])
        project_id = make_project(ids["clinician"], STROKE)
        enter(round_id, project_id, ids["admin"])
        assignment_id = invite(round_id, project_id, ids["neuro"], ids["admin"])
    page = new_page(browser, live_server)
    try:
        page.goto("/account/login")
        page.get_by_label("邮箱").fill(people["neuro"].email)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("link", name="我的评审").first.click()
        page.get_by_role("link", name="回复邀请").click()
        page.get_by_label("本人声明与该项目不存在利益冲突", exact=False).check()
        page.get_by_role("button", name="确认声明并进入评审表").click()
        expect(page.get_by_text("双层网格结构的取栓支架")).to_be_visible()

        total = page.locator("#running-total")
        expect(total).to_have_text("0.0 (0/7)")
        page.locator("fieldset", has_text="临床需求迫切性").get_by_label("5", exact=True).check()
        expect(total).to_have_text("20.0 (1/7)")
        for name in ("临床获益与安全性", "创新性", "技术可行性与成熟度", "知识产权", "转化前景", "团队与资源"):
            page.locator("fieldset", has_text=name).get_by_label("3", exact=True).check()
        expect(total).to_have_text("60.0")  # 20 + (20 + 15 + 15 + 10 + 15 + 5) / 2
        for gate in ("伦理与合规", "资料完整"):
            page.locator("fieldset", has_text=gate).get_by_label("是", exact=True).check()
        page.get_by_label("良好：推荐").check()
        page.get_by_label("熟悉", exact=True).check()
        page.get_by_label("给评审组的意见").fill("需求迫切，建议支持。")

        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name="提交评审意见").click()
        expect(page.get_by_role("button", name="提交评审意见")).to_be_enabled()  # dismissed: nothing was sent
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="提交评审意见").click()
        expect(page.get_by_text("您的评审意见已提交并锁定")).to_be_visible()
        expect(page.get_by_role("button", name="提交评审意见")).to_have_count(0)
        assert page.url.endswith(f"/reviews/assignments/{assignment_id}")
    finally:
        page.context.close()
