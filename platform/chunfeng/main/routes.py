from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from .. import policy
from ..core import todo
from ..core.models import Notification
from ..core.services import mark_all_read, notification_texts, unread_count
from ..core.shell import NavItem, Offer, Panel, nav_for, panels_for
from ..core.web import current_actor
from ..extensions import db
from . import lang_marks
from .static import static_from_memory

bp = Blueprint("main", __name__)

# Links from this place in the order on (community, consultations, incubation tracking, published results) are
# shared by every role: in English, where the labels are long, they gather under "More" on screens from 1200 to
# 1400 px wide so that a role's own links and these stay on one line; wider, narrower (the collapsed menu) and in
# Chinese they stand in the bar.
SHARED_FROM_ORDER = 60


def split_nav(items: list[NavItem], signed_in: bool) -> tuple[list[NavItem], list[NavItem]]:
    """(the bar's links, those also offered under "More" at medium widths), in every language: a signed-in person's
    own links stay in the bar, the links every role shares go under "More"."""
    bar = [item for item in items if not item.group]
    if not signed_in:
        return bar, []
    return bar, [item for item in bar if item.order >= SHARED_FROM_ORDER]


@bp.app_context_processor
def shell_context():
    user = current_actor() if current_user and current_user.is_authenticated else None
    items = nav_for(user)  # visitors see the public links (results, community)
    bar, more = split_nav(items, user is not None)
    return {
        "nav_items": items,
        "nav_bar": bar,
        "nav_more": more,
        "unread_notifications": unread_notifications(user) if user else 0,
        "policy": policy,
    }


def unread_notifications(user) -> int:
    """The navigation's badge: on a page that changes nothing (a GET) as counted when the session was loaded, in
    the same statement; after a change, counted again."""
    loaded = getattr(user, "unread_when_loaded", None)
    if loaded is not None and request.method in ("GET", "HEAD"):
        return loaded
    return unread_count(user)


@bp.after_app_request
def mark_chinese_in_english(response):
    return lang_marks.mark_response(response, str(get_locale()))


@bp.route("/")
@policy.public
def index():
    return render_template("main/index.html")


@bp.route("/favicon.ico")
@policy.public
def favicon():
    """The static icon, from memory like every static file, kept a day by browsers."""
    response = static_from_memory("favicon.svg")
    response.cache_control.max_age = 86400
    return response


@bp.route("/privacy")
@policy.public
def privacy():
    return render_template("main/privacy.html", version=current_app.config["PRIVACY_POLICY_VERSION"])


@bp.route("/dashboard")
@policy.guard("account.self")
def dashboard():
    return render_template("main/dashboard.html", panels=panels_for(current_actor()))


@bp.route("/notifications")
@policy.guard("notifications.view")
def notifications():
    notes = db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()).limit(200)
    ).all()
    items = list(zip(notes, notification_texts(notes), strict=True))
    return render_template("main/notifications.html", items=items, form=FlaskForm(),
                           unread=sum(1 for note in notes if note.read_at is None))


@bp.route("/notifications/read", methods=["POST"])
@policy.guard("notifications.view")
def mark_notifications_read():
    if FlaskForm().validate_on_submit():
        mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("main.notifications"))


NAV = Offer(
    NavItem("main.dashboard", _l("My workspace"), "account.self", order=1),
)
# What every domain asks of the person, at the top of the workspace (shown only when something is asked).
PANELS = Offer(
    Panel("main/todo.html", "account.self", todo.panel_context, order=1),
)
