"""A visitor registers, logs out and in again, and switches language, in a real browser."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import new_page
from tests.conftest import PASSWORD


def test_clinician_registers_logs_out_and_back_in(page):
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("从临床构想到获批上市的医疗器械")
    page.get_by_role("link", name="提交临床创新构想").click()
    page.get_by_label("姓名").fill("李明")
    page.get_by_label("邮箱").fill("liming@example.cn")
    page.get_by_label("单位(医院、企业或基金)").fill("中山大学附属第一医院")
    page.get_by_label("省份").select_option("广东省")
    page.get_by_label("密码", exact=True).fill("short")
    page.get_by_label("再次输入密码").fill("short")
    page.get_by_label(re.compile("我已阅读并同意隐私政策")).check()
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("密码至少需要 10 个字符。")).to_be_visible()
    expect(page.get_by_label("姓名")).to_have_value("李明")  # nothing typed is lost

    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("欢迎!您的账号已可以使用。")).to_be_visible()

    page.get_by_role("button", name="李明").click()
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已退出登录。")).to_be_visible()

    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("邮箱").fill("liming@example.cn")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()


def test_language_switch_and_english_browser(browser, live_server):
    page = new_page(browser, live_server, locale="en-US")
    try:
        page.goto("/")
        expect(page.locator("h1")).to_contain_text("From a clinician's idea to an approved medical device")
        page.get_by_role("link", name="中文").click()
        expect(page.locator("h1")).to_contain_text("从临床构想到获批上市的医疗器械")
        page.goto("/account/login")
        expect(page.get_by_role("heading", name="登录")).to_be_visible()
    finally:
        page.context.close()


def test_forgotten_password_is_reset_from_the_link_in_the_mail(page, make_user, smtp):  # noqa: F811
    from tests.smtp_server import link_path

    user = make_user(name="周医生")
    page.goto("/account/login")
    page.get_by_role("link", name="忘记密码？").click()
    page.get_by_label("邮箱").fill(user.email)
    page.get_by_role("button", name="发送链接").click()
    expect(page.get_by_text("如果该地址有账户，我们已向其发送设置新密码的链接")).to_be_visible()
    [message] = smtp.to(user.email)
    page.goto(link_path(message))
    page.get_by_label("新密码", exact=True).fill("a fresh spring passphrase")
    page.get_by_label("再次输入新密码").fill("a fresh spring passphrase")
    page.get_by_role("button", name="保存密码").click()
    expect(page.get_by_text("密码已设置，请登录。")).to_be_visible()
    page.get_by_label("邮箱").fill(user.email)
    page.get_by_label("密码").fill("a fresh spring passphrase")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()


def test_an_administrator_invites_an_officer_who_sets_a_password_from_the_mail(
        page, browser, live_server, make_user, smtp):  # noqa: F811
    from chunfeng.accounts.models import Role
    from tests.smtp_server import link_path

    admin = make_user(Role.ADMIN, name="周管理员")
    page.goto("/account/login")
    page.get_by_label("邮箱").fill(admin.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/admin/accounts")
    page.get_by_role("link", name="邀请工作人员或评审专家").click()
    page.get_by_label("角色").select_option(label="工作人员")
    page.get_by_label("姓名").fill("林专员")
    page.get_by_label("邮箱").fill("lin.officer@gdmpa.gov.cn")
    page.get_by_label("单位").fill("广东省药品监督管理局医疗器械创新服务站")
    page.get_by_role("button", name="创建并邀请").click()
    expect(page.get_by_text("lin.officer@gdmpa.gov.cn").first).to_be_visible()

    [message] = smtp.to("lin.officer@gdmpa.gov.cn")
    officer = new_page(browser, live_server)
    officer.goto(link_path(message))
    officer.get_by_label("新密码", exact=True).fill("an officer's spring passphrase")
    officer.get_by_label("再次输入新密码").fill("an officer's spring passphrase")
    officer.get_by_role("button", name="保存密码").click()
    expect(officer.get_by_text("密码已设置，请登录。")).to_be_visible()
    officer.get_by_label("邮箱").fill("lin.officer@gdmpa.gov.cn")
    officer.get_by_label("密码").fill("an officer's spring passphrase")
    officer.get_by_role("button", name="登录").click()
    expect(officer.get_by_role("heading", name="我的工作台")).to_be_visible()
    officer.context.close()
