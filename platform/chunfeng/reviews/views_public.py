"""Published results (public): the rounds, each round's selected projects, a page per selected project with its
public summary only, and a search over them; and the clinician's view of the outcome of their own project.

What the public sees of a project is what the round page publishes: title, public summary, specialty, device class,
the hospital, the outcome and the recommended pathway. Never a confidential section, never the clinician's name.
"""

from __future__ import annotations

import re

from flask import abort, render_template, request
from flask_login import current_user
from sqlalchemy import or_, select

from .. import policy
from ..core import hooks
from ..db import db
from ..submissions.models import Project
from . import services
from .blueprint import bp
from .models import SELECTED_OUTCOMES, Decision, ReviewRound

QUERY_MAX_LENGTH = 100
MAX_TERMS = 8
MAX_RESULTS = 100
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


@bp.route("/results")
@policy.public
def public_results():
    return render_template("reviews/results.html", rounds=services.published_rounds(),
                           specialties=_published_specialties())


@bp.route("/results/<int:round_id>")
@policy.public
def public_round(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    if round_.published_at is None:
        abort(404)
    return render_template("reviews/results_round.html", round=round_, decisions=services.published_results(round_))


def _published():
    """Published decisions that selected their project."""
    return (select(Decision).join(ReviewRound, ReviewRound.id == Decision.round_id)
            .where(Decision.published_at.is_not(None), ReviewRound.published_at.is_not(None),
                   Decision.outcome.in_(tuple(SELECTED_OUTCOMES))))


@bp.route("/results/<int:round_id>/<int:project_id>")
@policy.public
def public_project(round_id: int, project_id: int):
    """One selected project as published; 404 for a project not published as selected in that round."""
    decision = db.session.scalar(_published().where(Decision.round_id == round_id, Decision.project_id == project_id)
                                 .order_by(Decision.id.desc()).limit(1))
    if decision is None:
        abort(404)
    offers = hooks.collect(hooks.result_offers, user=current_user, project=decision.project)
    return render_template("reviews/result_project.html", decision=decision, round=decision.round,
                           project=decision.project, offers=offers)


def _terms(query: str) -> list[str]:
    """The words of a search, without control characters (a NUL byte would stop PostgreSQL), at most a few."""
    cleaned = _UNPRINTABLE.sub(" ", query)[:QUERY_MAX_LENGTH]
    return cleaned.split()[:MAX_TERMS]


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search_published(query: str, specialty: str = "") -> list[Decision]:
    """Selected projects whose title, public summary, specialty or device type contains every word of the query."""
    found = _published().join(Project, Project.id == Decision.project_id)
    for term in _terms(query):
        pattern = _like(term)
        found = found.where(or_(*(column.ilike(pattern, escape="\\") for column in (
            Project.title, Project.public_summary, Project.specialty, Project.device_type))))
    if specialty:
        found = found.where(Project.specialty == specialty)
    return list(db.session.scalars(found.order_by(Decision.published_at.desc(), Decision.id.desc())
                                   .limit(MAX_RESULTS)))


def _published_specialties() -> list[str]:
    published_ids = _published().with_only_columns(Decision.project_id)
    return list(db.session.scalars(
        select(Project.specialty).where(Project.id.in_(published_ids), Project.specialty != "")
        .distinct().order_by(Project.specialty)))


@bp.route("/results/search")
@policy.public
def search_results():
    """GET form: words (title, summary, specialty, device type) and a specialty among the published ones."""
    query = request.args.get("q", "", type=str)[:QUERY_MAX_LENGTH]
    specialties = _published_specialties()
    specialty = request.args.get("specialty", "", type=str)
    specialty = specialty if specialty in specialties else ""
    searched = bool(_terms(query) or specialty)
    decisions = search_published(query, specialty) if searched else []
    return render_template("reviews/result_search.html", query=query, specialty=specialty, specialties=specialties,
                           searched=searched, decisions=decisions, limit=MAX_RESULTS)


@bp.route("/reviews/project/<int:project_id>/outcome")
@policy.guard("review.outcome")
def outcome(project_id: int):
    project = policy.load(Project, project_id)
    return render_template("reviews/outcome.html", project=project, result=services.outcome_for_clinician(project))
