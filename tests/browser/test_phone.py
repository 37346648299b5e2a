"""A phone (390 x 844, the size of a current iPhone) in Chromium: the clinician's day from logging in to the
suggested companies, then the main pages of every other role, on the demo's realistic data. No page may scroll
sideways (a wide table scrolls inside its own box), and a section of the new-project form starts with its first
field on the first screen.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import demo_page, demo_pages
from tests.conftest import PASSWORD

PHONE = {"width": 390, "height": 844}
OVERFLOW = "[document.documentElement.scrollWidth, window.innerWidth]"


def _fits(page: Page, role: str, wide: list[str]) -> None:
    """Note the page (and how wide it is) when it scrolls sideways."""
    page.wait_for_load_state("load")
    scroll_width, inner_width = page.evaluate(OVERFLOW)
    if scroll_width > inner_width:
        path = page.url.split("//", 1)[1].split("/", 1)[1]
        wide.append(f"{role} /{path}: {scroll_width} px wide on a {inner_width} px screen")


def _first_field_top(page: Page) -> float:
    field = page.locator("main form").locator("input:visible, textarea:visible, select:visible").first
    return field.bounding_box()["y"]


def test_a_clinicians_day_and_every_roles_main_pages_fit_a_phone(browser, demo_world):
    wide: list[str] = []
    page = demo_page(browser, demo_world, "visitor", **PHONE)
    _fits(page, "visitor", wide)

    # log in through the form, on the phone
    page.goto("/account/login")
    _fits(page, "visitor", wide)
    page.get_by_label("邮箱").fill(demo_world.emails["clinician"])
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="登录").click()
    expect(page).not_to_have_url("/account/login")
    page.goto("/projects/")
    _fits(page, "clinician", wide)

    # a new project: its first section opens with the field in view, the list of sections folded above it
    page.locator("main").get_by_role("link", name="新建项目").first.click()
    _fits(page, "clinician", wide)
    page.get_by_label("项目名称").fill("手机上填写的负压伤口引流装置")
    page.get_by_label("专科/科室").fill("创面修复科")
    page.get_by_label("非保密摘要").fill("一种适合居家使用、可监测渗液量的便携式负压伤口治疗装置。")
    page.get_by_role("button", name="创建草稿").click()
    expect(page.get_by_role("heading", name="临床需求")).to_be_visible()
    _fits(page, "clinician", wide)
    assert _first_field_top(page) < PHONE["height"] - 100, "the section's first field is below the first screen"
    sections = page.get_by_role("navigation", name="项目填写目录")
    expect(sections.get_by_role("link", name="3. 解决方案与创新点")).to_be_hidden()  # folded
    sections.locator("summary").click()  # unfolded, the list leads to any section
    sections.get_by_role("link", name="3. 解决方案与创新点").click()
    expect(page.get_by_role("heading", name="解决方案与创新点")).to_be_visible()
    _fits(page, "clinician", wide)
    assert _first_field_top(page) < PHONE["height"] - 100, "the section's first field is below the first screen"

    # a submitted project, its versions, the notifications and the suggested companies of a released one
    ids = demo_world.ids
    for path in (f"/projects/{ids['submitted']}", f"/projects/{ids['submitted']}/versions", "/notifications",
                 f"/matching/suggestions/{ids['released']}"):
        assert page.goto(path).ok, path
        _fits(page, "clinician", wide)
    page.context.close()

    for role, paths in demo_pages(demo_world).items():
        if role == "clinician":
            continue
        page = demo_page(browser, demo_world, role, **PHONE)
        for path in paths:
            assert page.goto(path).ok, f"{role} {path}"
            _fits(page, role, wide)
        page.context.close()

    assert not wide, "pages that scroll sideways on a phone:\n" + "\n".join(wide)
