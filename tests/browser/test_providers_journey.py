"""Service providers and matchmaking days in Chromium, on the seeded demo: the officer sends a request to a
provider suggested in the incubation plan and the provider accepts it with a quote; an administrator plans a
matchmaking day, a company and a clinician register with their free slots, the platform proposes the schedule and
the clinician prints the agenda."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.conftest import demo_page

TRIAL_SITE = "中山大学附属第一医院药物临床试验机构"
SCOPE = "拟开展多中心临床试验，请评估伦理审查与合同签署所需时间。"


def test_a_suggested_provider_accepts_the_officers_request(browser, demo_world):
    demo_world.emails.setdefault("trial_site", "gcp@demo.chunfeng.cn")
    officer = demo_page(browser, demo_world, "officer")
    officer.goto(f"/incubation/project/{demo_world.ids['incubated']}")
    providers = officer.locator("#providers")
    expect(providers).to_contain_text(TRIAL_SITE)  # suggested at the milestone it serves, with its reasons
    providers.get_by_role("link", name=re.compile(f"发送委托 {TRIAL_SITE}")).first.click()
    send = officer.locator("#send")
    expect(send.get_by_label("服务机构")).to_have_value(re.compile(r"\d+"))
    send.get_by_role("textbox", name="需要的服务").fill(SCOPE)
    send.get_by_role("button", name="发送委托").click()
    expect(officer.get_by_role("alert")).to_contain_text("委托已发送给服务机构")
    sent = officer.locator("#providers tr[data-request]", has_text=TRIAL_SITE)  # in the plan's service record
    expect(sent).to_have_count(1)
    request_path = sent.get_by_role("link").first.get_attribute("href")

    site = demo_page(browser, demo_world, "trial_site")
    site.goto("/providers/requests")
    expect(site.locator(f'a[href="{request_path}"]')).to_be_visible()  # in the provider's own list
    site.goto(request_path)
    expect(site.get_by_text(SCOPE).first).to_be_visible()
    site.get_by_role("textbox", name="报价").fill("人民币 8 万元")
    site.get_by_label("承诺日期").fill((date.today() + timedelta(days=20)).isoformat())
    site.get_by_role("button", name="接受").click()
    expect(site.get_by_text("人民币 8 万元").first).to_be_visible()

    officer.goto(f"/incubation/project/{demo_world.ids['incubated']}")
    expect(officer.locator("#providers")).to_contain_text(TRIAL_SITE)
    expect(officer.locator("#providers")).to_contain_text("已接受")
    for page in (officer, site):
        page.context.close()


def test_a_matchmaking_day_from_registration_to_a_printed_agenda(browser, demo_world):
    day = (date.today() + timedelta(days=10)).isoformat()
    admin = demo_page(browser, demo_world, "admin")
    admin.goto("/providers/events")
    admin.get_by_role("textbox", name="标题").fill("广州创新医疗器械对接会")
    admin.get_by_label("日期").fill(day)
    admin.get_by_label("第一个时段开始时间").fill("09:00")
    admin.get_by_role("textbox", name="地点").fill("广州国际生物岛")
    admin.get_by_label("时段数").fill("4")
    admin.get_by_role("button", name="创建").click()
    expect(admin.get_by_role("heading", name="广州创新医疗器械对接会")).to_be_visible()
    event_path = admin.url.removeprefix(demo_world.url)

    for role in ("company", "clinician"):
        page = demo_page(browser, demo_world, role)
        page.goto(event_path)
        if role == "clinician":
            page.get_by_label("您展示的项目").select_option(index=1)
        page.get_by_label("09:00–09:20").check()
        page.get_by_label("09:20–09:40").check()
        page.get_by_role("button", name="报名参加").click()
        expect(page.get_by_text("您已报名。洽谈安排将在会前生成。")).to_be_visible()
        page.context.close()

    admin.reload()
    admin.get_by_role("button", name="生成洽谈安排").click()
    expect(admin.get_by_role("heading", name="洽谈安排")).to_be_visible()
    admin.context.close()

    clinician = demo_page(browser, demo_world, "clinician")
    clinician.goto(event_path)
    expect(clinician.locator("#schedule")).to_contain_text("深圳迈瑞康医疗器械有限公司")  # the meeting proposed
    clinician.get_by_role("link", name="可打印日程").click()
    agenda = clinician.locator("section.agenda")
    expect(agenda).to_have_count(1)
    expect(agenda).to_contain_text("广州创新医疗器械对接会")
    expect(agenda.locator("tbody tr")).to_have_count(1)
    clinician.emulate_media(media="print")
    expect(clinician.locator(".d-print-none").first).to_be_hidden()  # the page prints the agenda alone
    clinician.context.close()
