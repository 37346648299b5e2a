"""Chinese inside English pages is marked as Chinese (WCAG 2.1, 3.1.2 "language of parts").

Project titles, names, hospitals, notifications and everything else people type are Chinese on this platform, and
an English page shows them as they are. A screen reader reading such a page in English would spell them out or
mispronounce them, so every run of Chinese text in an English HTML page is wrapped in `<span lang="zh-Hans">`.
This is done once, on the finished page, instead of in every template of every domain: text inside tags only,
never attribute values, scripts, styles, the title or form controls' text (which cannot hold markup).
"""

from __future__ import annotations

import re

from flask import Response

LANG = "zh-Hans"
# Han ideographs (with extension A and compatibility), CJK punctuation, full-width forms.
_HAN = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\uffe0-\uffee"
HAN = re.compile(f"[{_HAN}]")
# One run of Chinese: Chinese characters, joined by what a Chinese phrase holds between them (a number, a Latin
# abbreviation such as "AI", a dash, a single space) and with what is written against them ("2026年", "V2"), never
# by English words separated by spaces.
RUN = re.compile(f"(?:[0-9A-Za-z]+)?[{_HAN}]+(?:(?:[0-9A-Za-z%./·\\-]+| [0-9.%]+ | )?[{_HAN}]+)*(?:[0-9A-Za-z]+)?")
# A tag (attribute values may hold ">" inside quotes), a comment, a doctype or CDATA: copied as they are.
TAG = re.compile(r"""<!--.*?-->|<![^>]*>|</?([A-Za-z][A-Za-z0-9-]*)(?:[^>"']|"[^"]*"|'[^']*')*>""", re.S)
# Elements whose text is copied as it is: raw text, text that cannot hold markup, or text not shown as such.
SKIP = frozenset({"title", "textarea", "option", "optgroup", "select", "template", "svg"})
# Elements whose text is code, in which "<" starts no tag: copied as they are up to their end tag.
RAW_TEXT = {name: re.compile(f"</{name}\\s*>", re.I) for name in ("script", "style")}
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})
IN_CHINESE = re.compile(r"""\slang\s*=\s*["']?zh""", re.I)  # an element already marked as Chinese


def mark_text(text: str) -> str:
    """`text` (HTML text between tags) with each run of Chinese in a span marked as Chinese."""
    if not HAN.search(text):
        return text
    return RUN.sub(lambda m: f'<span lang="{LANG}">{m.group(0)}</span>', text)


def mark_page(html: str) -> str:
    """The page with Chinese text marked, outside the skipped elements and outside anything already in Chinese."""
    if not HAN.search(html):
        return html
    out: list[str] = []
    quiet: list[list] = []  # [name, depth] of the open elements whose text stays as it is
    position = 0
    while match := TAG.search(html, position):
        text = html[position:match.start()]
        out.append(text if quiet else mark_text(text))
        tag = match.group(0)
        out.append(tag)
        position = match.end()
        name = (match.group(1) or "").lower()
        if not name or tag.endswith("/>") or name in VOID:
            continue
        if name in RAW_TEXT and not tag.startswith("</"):
            end = RAW_TEXT[name].search(html, position)
            stop = end.start() if end else len(html)
            out.append(html[position:stop])
            position = stop
        elif tag.startswith("</"):
            if quiet and quiet[-1][0] == name:
                quiet[-1][1] -= 1
                if not quiet[-1][1]:
                    quiet.pop()
        elif quiet and quiet[-1][0] == name:
            quiet[-1][1] += 1
        elif name in SKIP or IN_CHINESE.search(tag):
            quiet.append([name, 1])
    tail = html[position:]
    out.append(tail if quiet else mark_text(tail))
    return "".join(out)


def mark_response(response: Response, locale: str) -> Response:
    """Mark the Chinese of an English HTML page; any other response is left alone."""
    if (locale.startswith("zh") or response.mimetype != "text/html" or response.direct_passthrough
            or response.is_streamed):
        return response
    response.set_data(mark_page(response.get_data(as_text=True)))
    return response
