"""Published results (public) and the clinician's view of the outcome of their own project."""

from __future__ import annotations

from flask import abort, render_template

from .. import policy
from ..submissions.models import Project
from . import services
from .blueprint import bp
from .models import ReviewRound


@bp.route("/results")
@policy.public
def public_results():
    return render_template("reviews/results.html", rounds=services.published_rounds())


@bp.route("/results/<int:round_id>")
@policy.public
def public_round(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    if round_.published_at is None:
        abort(404)
    return render_template("reviews/results_round.html", round=round_, decisions=services.published_results(round_))


@bp.route("/reviews/project/<int:project_id>/outcome")
@policy.guard("review.outcome")
def outcome(project_id: int):
    project = policy.load(Project, project_id)
    return render_template("reviews/outcome.html", project=project, result=services.outcome_for_clinician(project))
