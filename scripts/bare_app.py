"""The baseline of the load test's saturation phase: a Flask app that renders one small template and nothing else
(no database, no session), served by the same gunicorn set-up as the platform (`bare_app:create_bare_app()`)."""

from __future__ import annotations

from flask import Flask, render_template_string

BARE_PAGE = """<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul></main></body></html>"""


def create_bare_app() -> Flask:
    """The baseline: a Flask app that renders one small template, nothing else (no database, no session)."""
    app = Flask(__name__)

    @app.get("/")
    def page():
        return render_template_string(BARE_PAGE, title="春风", items=[f"第 {n} 项" for n in range(20)])

    return app
