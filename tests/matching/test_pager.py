"""The matched projects' pager: with thousands of released projects, a handful of page links (the first, the last
and two either side of the current one), not one per page."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import render_template_string

PAGER = ('{% from "matching/_macros.html" import pager with context %}'
         '{{ pager(page, "matching.browse_projects", args) }}')


def _links(app, page: int, pages: int) -> tuple[list[int], int, str]:
    with app.test_request_context("/matching/projects"):
        html = render_template_string(PAGER, page=SimpleNamespace(page=page, pages=pages), args={"scope": "all"})
    numbers = [int(n) for n in re.findall(r'page=(\d+)&amp;scope=all"', html)]
    current = re.findall(r'page=(\d+)&amp;scope=all" aria-current="page"', html)
    return numbers, int(current[0]), html


@pytest.mark.parametrize(("page", "expected"), [
    (1, [1, 2, 3, 500]),
    (250, [1, 248, 249, 250, 251, 252, 500]),
    (499, [1, 497, 498, 499, 500]),
])
def test_a_page_among_five_hundred_links_a_few_pages(app, page, expected):
    numbers, current, html = _links(app, page, 500)
    assert numbers == expected and current == page
    assert html.count("…") == (1 if page in (1, 499) else 2)


def test_a_few_pages_are_all_linked_without_gaps(app):
    numbers, current, html = _links(app, 2, 4)
    assert numbers == [1, 2, 3, 4] and current == 2 and "…" not in html
