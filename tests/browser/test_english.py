"""The platform in English: the navigation of every role fits on one line of a 1366 px laptop screen, counts agree
with their number ("1 project selected", "2 projects selected"), and Chinese text inside English pages is marked
as Chinese (WCAG 3.1.2) without touching attributes, scripts or text that cannot hold markup.
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import render_template

from chunfeng.main.lang_marks import mark_page
from tests.browser.conftest import DemoWorld, demo_page

LAPTOP = {"width": 1366, "height": 900}
ROLES = ("visitor", "clinician", "requested", "expert", "company", "officer", "admin")

# The vertical centre of the brand and of every top-level item of the bar that is shown.
BAR_ROWS = """() => {
  const middle = (e) => { const r = e.getBoundingClientRect(); return Math.round(r.top + r.height / 2); };
  const items = [...document.querySelectorAll('nav.navbar .navbar-nav > .nav-item')]
    .filter((e) => e.getClientRects().length > 0);
  return { brand: middle(document.querySelector('nav.navbar .navbar-brand')),
           items: items.map((e) => [e.textContent.trim().replace(/\\s+/g, ' '), middle(e)]),
           right: Math.max(...items.map((e) => e.getBoundingClientRect().right)) };
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_roles_navigation_is_one_line_at_1366(browser, demo_world: DemoWorld, lang):
    off_line = []
    for role in ROLES:
        page = demo_page(browser, demo_world, role, lang=lang, **LAPTOP)
        page.goto("/dashboard" if role != "visitor" else "/")
        assert page.locator("html").get_attribute("lang") == ("en" if lang == "en" else "zh-CN")
        bar = page.evaluate(BAR_ROWS)
        below = [label for label, middle in bar["items"] if abs(middle - bar["brand"]) > 4]
        if below or bar["right"] > LAPTOP["width"]:
            off_line.append(f"{role}: {', '.join(below) or 'past the right edge'}")
        if role == "admin" and lang == "en":  # the shared links are one click away, under More
            page.locator("#more-menu").click()
            page.get_by_role("link", name="Published results").click()
            assert page.get_by_role("heading", name="Published results").is_visible()
        page.context.close()
    assert not off_line, f"navigation over two lines at 1366 px ({lang}):\n" + "\n".join(off_line)


def _results_page(app, count: int, lang: str) -> str:
    round_ = SimpleNamespace(id=1, name="2026年春季批次", published_at=datetime(2026, 6, 1, 10, 0))
    with app.test_request_context(f"/results?lang={lang}"):
        return render_template("reviews/results.html", rounds=[(round_, count)], specialties=[])


def test_counts_agree_with_their_number_in_english(app):
    assert "1 project selected" in _results_page(app, 1, "en")
    assert "1 projects" not in _results_page(app, 1, "en")
    assert "2 projects selected" in _results_page(app, 2, "en")
    assert "入选 1 项" in _results_page(app, 1, "zh_Hans_CN")
    assert "入选 2 项" in _results_page(app, 2, "zh_Hans_CN")


def test_english_pages_mark_chinese_text_and_leave_chinese_pages_alone(client):
    english = client.get("/results?lang=en").get_data(as_text=True)
    assert '<span lang="zh-Hans">春风</span>' in english  # the brand
    assert '<span lang="zh-Hans">中文</span>' in english  # the language switch
    chinese = client.get("/results?lang=zh_Hans_CN").get_data(as_text=True)
    assert 'lang="zh-Hans"' not in chinese


@pytest.mark.parametrize(("html", "marked"), [
    ("<p>Project 带远端栓子保护的取栓支架 submitted</p>",
     '<p>Project <span lang="zh-Hans">带远端栓子保护的取栓支架</span> submitted</p>'),
    # a year, a Latin abbreviation and a number stay inside the Chinese they belong to
    ("<td>2026年春季批次</td>", '<td><span lang="zh-Hans">2026年春季批次</span></td>'),
    ("<td>眼底AI筛查 第 2 版</td>", '<td><span lang="zh-Hans">眼底AI筛查 第 2 版</span></td>'),
    # English words between two names are not swallowed
    ("<li>李明 asked 赵建国</li>",
     '<li><span lang="zh-Hans">李明</span> asked <span lang="zh-Hans">赵建国</span></li>'),
    # attribute values, the title, scripts, options and text areas cannot hold markup
    ('<a title="取栓支架" href="/x?q=取栓">x</a>', '<a title="取栓支架" href="/x?q=取栓">x</a>'),
    ("<title>取栓 · Chunfeng</title>", "<title>取栓 · Chunfeng</title>"),
    ('<script>const s = "<b>取栓</b>";</script>', '<script>const s = "<b>取栓</b>";</script>'),
    ('<script>if (a<b) s = "取栓";</script><p>取栓</p>',  # "<b" in code opens no tag
     '<script>if (a<b) s = "取栓";</script><p><span lang="zh-Hans">取栓</span></p>'),
    ("<select><option>神经介入</option></select>", "<select><option>神经介入</option></select>"),
    ("<textarea>临床问题</textarea>", "<textarea>临床问题</textarea>"),
    # an element already marked keeps its text as it is, and what follows it is marked again
    ('<h3>Review · <span lang="zh-CN">评审 <b>一</b></span> 二</h3>',
     '<h3>Review · <span lang="zh-CN">评审 <b>一</b></span> <span lang="zh-Hans">二</span></h3>'),
    ("<p>No Chinese at all &amp; &lt;b&gt;</p>", "<p>No Chinese at all &amp; &lt;b&gt;</p>"),
])
def test_chinese_runs_are_marked_in_text_only(html, marked):
    assert mark_page(html) == marked
