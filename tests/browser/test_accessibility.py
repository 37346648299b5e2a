"""WCAG 2.1 AA over the main pages of every role, in Chromium on the seeded demo.

axe-core (vendored in tests/browser/vendor/, never fetched from a CDN) runs the rules tagged wcag2a, wcag2aa and
wcag21aa on each page, in Chinese and, for a selection, in English; any violation fails the test with the rule ids
and the pages. axe does not look at the language of parts (WCAG 3.1.2), so a second check walks the English pages'
text: Chinese text must sit inside an element marked as Chinese.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.browser.conftest import DemoWorld, demo_page, demo_pages

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21aa"]
RUN_AXE = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  return result.violations.map((v) => [v.id, v.nodes.length, v.nodes.slice(0, 2).map((n) => n.target.join(' '))]);
}"""
# Text nodes with Han characters whose nearest element carrying a lang attribute is not Chinese.
UNMARKED_CHINESE = """() => {
  const han = /[\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!han.test(node.nodeValue)) continue;
    const element = node.parentElement;
    if (element.closest('script, style, template, select, textarea')) continue;  // cannot hold markup
    const marked = element.closest('[lang]');
    if (!marked || !marked.lang.toLowerCase().startsWith('zh')) found.push(node.nodeValue.trim().slice(0, 30));
  }
  return found;
}"""
# In English: a page of each kind (public, the clinician's project, expert, company, officer, administrator).
ENGLISH = {
    "visitor": ["/", "/results"],
    "clinician": ["/projects/", "submitted", "/notifications"],
    "expert": ["assignment"],
    "company": ["/matching/projects"],
    "officer": ["/incubation/mine"],
    "admin": ["/reviews/rounds", "/admin/audit"],
}


def _english_pages(world: DemoWorld) -> dict[str, list[str]]:
    named = {"submitted": f"/projects/{world.ids['submitted']}",
             "assignment": f"/reviews/assignments/{world.ids['assignment']}"}
    return {role: [named.get(path, path) for path in paths] for role, paths in ENGLISH.items()}


def _axe(page: Page) -> list[tuple[str, int, list[str]]]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


def _walk(browser, world: DemoWorld, pages: dict[str, list[str]], lang: str, check, width: int = 1280) -> list[str]:
    problems = []
    for role, paths in pages.items():
        height = 844 if width < 800 else 900  # a phone's screen, else a laptop's
        page = demo_page(browser, world, role, lang=lang, bypass_csp=True,  # the CSP forbids axe's inline script
                         width=width, height=height)
        for path in paths:
            assert page.goto(path).ok, f"{role} {path}"
            problems += [f"{lang} {role} {path}: {found}" for found in check(page)]
        page.context.close()
    return problems


def test_main_pages_of_every_role_meet_wcag_2_1_aa(browser, demo_world):
    pages = demo_pages(demo_world)
    assert sum(len(paths) for paths in pages.values()) >= 20
    violations = _walk(browser, demo_world, pages, "zh", _axe)
    violations += _walk(browser, demo_world, _english_pages(demo_world), "en", _axe)
    assert not violations, "axe-core found WCAG 2.1 AA violations (rule, elements, first targets):\n" + "\n".join(
        violations)


def test_chinese_inside_english_pages_is_marked_as_chinese(browser, demo_world):
    unmarked = _walk(browser, demo_world, _english_pages(demo_world), "en",
                     lambda page: page.evaluate(UNMARKED_CHINESE)[:3])
    assert not unmarked, "Chinese text without lang=zh in English pages:\n" + "\n".join(unmarked)


def test_tables_that_scroll_on_a_phone_can_be_scrolled_from_the_keyboard(browser, demo_world):
    """At 390 px wide tables scroll inside their box; each such box takes the focus and has a name."""
    ids = demo_world.ids
    pages = {"expert": [f"/reviews/assignments/{ids['assignment']}"], "admin": ["/admin"],
             "clinician": ["/account/privacy", f"/projects/{ids['submitted']}/versions"],
             "requested": ["/matching/requests"]}
    violations = _walk(browser, demo_world, pages, "zh", _axe, width=390)
    assert not violations, "axe-core at 390 px (rule, elements, first targets):\n" + "\n".join(violations)
