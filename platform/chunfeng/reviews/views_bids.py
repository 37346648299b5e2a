"""The expert's bids on a round's projects before assignment (reviews/bids.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import ngettext
from flask_wtf import FlaskForm

from .. import policy
from ..core.web import current_actor
from ..extensions import db
from . import bids
from .blueprint import bp
from .errors import ReviewError
from .models import ReviewRound


@bp.route("/reviews/rounds/<int:round_id>/bids", methods=["GET", "POST"])
@policy.guard("review.bid")
def round_bids(round_id: int):
    round_ = policy.load(ReviewRound, round_id)
    expert = current_actor()
    form = FlaskForm()  # the CSRF token; the answers are radio groups named bid-<project id>
    if request.method == "POST" and form.validate_on_submit():
        choices = {}
        for key, value in request.form.items():
            if key.startswith("bid-") and key[4:].isdigit():
                choices[int(key[4:])] = value
        try:
            changed = bids.save_bids(round_, expert, choices)
        except ReviewError as error:
            db.session.rollback()
            flash(str(error), "danger")
        else:
            db.session.commit()
            flash(ngettext("Your answers were saved (%(num)d changed). The administrators take them into account "
                           "when they assign the experts.",
                           "Your answers were saved (%(num)d changed). The administrators take them into account "
                           "when they assign the experts.", changed), "success")
            return redirect(url_for("reviews.round_bids", round_id=round_id))
    return render_template("reviews/bids.html", round=round_, form=form, projects=bids.biddable(round_, expert),
                           mine=bids.my_bids(round_, expert), labels=bids.BIDS)
