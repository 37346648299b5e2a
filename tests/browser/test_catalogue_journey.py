"""After approval, in a real browser: a company applies to list its product, the administrator lists it, a
hospital's equipment office assesses and admits it and records the first purchase, the company sees the hospital's
state and a visitor finds the product in the public catalogue."""

import pytest
from playwright.sync_api import expect

from chunfeng.accounts.models import Role
from tests.browser.conftest import new_page
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _quick_password_hashes(fast_password_hashes):
    """This journey is not about passwords."""


@pytest.fixture
def hospital(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


def _log_in(page, email: str) -> None:
    page.goto("/account/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的工作台")).to_be_visible()


def test_from_application_to_first_purchase(company, admin, hospital, visitor, make_user):
    owner = make_user(Role.ENTERPRISE, name="刘经理", organization="深圳迈瑞康医疗器械有限公司")
    reviewer = make_user(Role.ADMIN, name="平台管理员")
    office = make_user(Role.HOSPITAL, name="梁科长", organization="中山大学附属第一医院")

    _log_in(company, owner.email)
    company.get_by_role("link", name="我的产品").first.click()
    company.get_by_role("link", name="申请入目录").click()
    expect(company.get_by_text("公开的入选标准")).to_be_visible()
    company.get_by_label("产品名称").fill("一次性使用可调弯电生理标测导管")
    company.get_by_label("注册证号").fill("粤械注准20252070318")
    company.get_by_label("管理类别").select_option("II")
    company.get_by_label("批准日期").fill("2026-02-10")
    company.get_by_label("注册路径").select_option("priority")
    company.get_by_label("专科").fill("心血管内科")
    company.get_by_label("省份").fill("广东省")
    company.get_by_label("产品用途及适用人群").fill("头端可双向调弯，减少房颤消融术中导管更换次数。")
    company.get_by_role("button", name="保存草稿").click()
    expect(company.get_by_text("申请已保存为草稿")).to_be_visible()
    company.get_by_role("button", name="提交审核").click()
    expect(company.get_by_text("申请已提交审核。")).to_be_visible()

    _log_in(admin, reviewer.email)
    admin.goto("/catalogue/review")
    admin.get_by_role("link", name="一次性使用可调弯电生理标测导管").click()
    expect(admin.get_by_text("公开的入选标准")).to_be_visible()
    admin.get_by_role("button", name="列入目录").click()
    expect(admin.get_by_text("产品已列入目录。")).to_be_visible()

    _log_in(hospital, office.email)
    hospital.get_by_role("link", name="入院评估").first.click()
    hospital.get_by_label("我所在的部门").select_option("equipment_office")
    hospital.get_by_role("button", name="保存").click()
    hospital.get_by_role("button", name="提出评估意向").click()
    expect(hospital.get_by_text("本院已接收该产品，开始入院评估。")).to_be_visible()
    hospital.get_by_role("button", name="开始评估").click()
    hospital.get_by_role("button", name="不予准入").click()
    expect(hospital.get_by_text("请说明不予准入的原因。")).to_be_visible()
    hospital.get_by_role("button", name="准入", exact=True).click()
    expect(hospital.get_by_text("评估已更新。")).to_be_visible()
    beijing_today = hospital.evaluate("new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)")
    hospital.get_by_label("订单日期").fill(beijing_today)  # the admission was dated in Beijing time
    hospital.get_by_label("数量").fill("20")
    hospital.get_by_label("金额（元）").fill("76000")
    hospital.get_by_role("button", name="登记订单").click()
    expect(hospital.get_by_text("采购订单已登记。")).to_be_visible()

    company.goto("/catalogue/mine")
    company.get_by_role("link", name="一次性使用可调弯电生理标测导管").click()
    expect(company.get_by_role("cell", name="已准入")).to_be_visible()

    visitor.goto("/catalogue")
    visitor.get_by_label("专科").select_option("心血管内科")
    visitor.get_by_role("button", name="搜索").click()
    expect(visitor.get_by_role("link", name="一次性使用可调弯电生理标测导管")).to_be_visible()
