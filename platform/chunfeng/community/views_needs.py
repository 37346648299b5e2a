"""Clinical needs: the public listing, posting and editing, a need's page, follows, "I see this too", comments
and turning a need into a draft project."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..core.web import current_actor, requested_page
from ..extensions import db
from ..submissions.forms import SPECIALTIES
from . import comments, needs
from .blueprint import PER_PAGE, attempt, bp, listing_filters, load_need
from .forms import CommentForm, NeedForm
from .models import ClinicalNeed
from .search import known_specialties


@bp.route("/")
@policy.public
def index():
    query, specialty = listing_filters()
    sort = request.args.get("sort", "recent")
    page = requested_page(needs.need_listing(current_user, query, specialty, sort), PER_PAGE)
    return render_template(
        "community/index.html", page=page, counts=needs.need_counts(n.id for n in page.items),
        query=query, specialty=specialty, sort=sort, specialties=known_specialties(current_user))


@bp.route("/needs/new", methods=["GET", "POST"])
@policy.guard("community.post_need")
def new_need():
    form = NeedForm(data={"specialty": current_user.department})
    posted = attempt(form, lambda: needs.create_need(current_actor(), **form.data))
    if posted.done:
        flash(_("Your clinical need is posted."), "success")
        return redirect(url_for("community.need", need_id=posted.result.id))
    return render_template("community/need_form.html", form=form, need=None, specialties=SPECIALTIES), posted.status


@bp.route("/needs/<int:need_id>/edit", methods=["GET", "POST"])
@policy.guard("community.edit_need")
def edit_need(need_id: int):
    need = load_need(need_id)
    form = NeedForm(obj=need)
    saved = attempt(form, lambda: needs.update_need(need, current_actor(), **form.data))
    if saved.done:
        flash(_("Your changes are saved."), "success")
        return redirect(url_for("community.need", need_id=need.id))
    return render_template("community/need_form.html", form=form, need=need, specialties=SPECIALTIES), saved.status


@bp.route("/needs/<int:need_id>")
@policy.public
def need(need_id: int):
    return _render_need(load_need(need_id), CommentForm())


def _render_need(need: ClinicalNeed, comment_form: CommentForm, status: int = 200):
    project_link = None
    if need.converted_project_id and need.author_id == getattr(current_user, "id", None):
        project_link = url_for("submissions.project", project_id=need.converted_project_id)
    return render_template(
        "community/need.html", need=need, counts=needs.need_counts([need.id])[need.id],
        marks=needs.user_marks(need, current_user), comments=comments.visible_comments(need, current_user),
        comment_form=comment_form, project_link=project_link,
    ), status


def _toggled(need_id: int, toggle, now_set: str, taken_back: str):
    """Set or take back the person's mark on a need (follow, "I see this too") and say which."""
    need = load_need(need_id)
    marked = toggle(need, current_actor())
    db.session.commit()
    flash(now_set if marked else taken_back, "success")
    return redirect(url_for("community.need", need_id=need.id))


@bp.route("/needs/<int:need_id>/follow", methods=["POST"])
@policy.guard("community.engage")
def follow_need(need_id: int):
    return _toggled(need_id, needs.toggle_follow, _("You follow this need: new comments will be notified to you."),
                    _("You no longer follow this need."))


@bp.route("/needs/<int:need_id>/see-too", methods=["POST"])
@policy.guard("community.see_too")
def see_too(need_id: int):
    return _toggled(need_id, needs.toggle_see_too, _("Thank you: your experience adds weight to this need."),
                    _("Your \"I see this too\" was taken back."))


@bp.route("/needs/<int:need_id>/comments", methods=["POST"])
@policy.guard("community.engage")
def comment_need(need_id: int):
    need = load_need(need_id)
    form = CommentForm()
    posted = attempt(form, lambda: comments.add_comment(need, current_actor(), form.text.data))
    if posted.done:
        return redirect(url_for("community.need", need_id=need.id, _anchor=f"comment-{posted.result.id}"))
    return _render_need(need, form, posted.status)


@bp.route("/needs/<int:need_id>/convert", methods=["POST"])
@policy.guard("community.convert_need")
def convert_need(need_id: int):
    need = load_need(need_id)
    project = needs.convert_need(need, current_actor())
    db.session.commit()
    flash(_("A draft project was created from your need. Complete its sections and submit it when ready; "
            "the project stays private to you until then."), "success")
    return redirect(url_for("submissions.project", project_id=project.id))
