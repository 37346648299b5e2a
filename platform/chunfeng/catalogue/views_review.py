"""Administrators review applications against the published criteria: list the product or return it with
reasons."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import policy
from ..core.web import current_actor
from ..db import db
from . import listings
from .blueprint import bp, saved
from .forms import ReturnForm
from .models import Listing, ListingStatus


@bp.route("/catalogue/review")
@policy.guard("catalogue.review")
def review_list():
    waiting = db.session.scalars(select(Listing).where(Listing.status == ListingStatus.APPLIED)
                                 .order_by(Listing.applied_at)).all()
    recent = db.session.scalars(select(Listing).where(Listing.status.in_(
        [ListingStatus.LISTED, ListingStatus.RETURNED, ListingStatus.WITHDRAWN]))
        .order_by(Listing.updated_at.desc()).limit(30)).all()
    return render_template("catalogue/review_list.html", waiting=waiting, recent=recent)


def _review_page(item: Listing, form: ReturnForm | None = None, status: int = 200):
    return render_template("catalogue/review.html", listing=item, form=form or ReturnForm(formdata=None),
                           story=listings.origin_story(item)), status


@bp.route("/catalogue/review/<int:listing_id>", methods=["GET", "POST"])
@policy.guard("catalogue.review")
def review(listing_id: int):
    """The review page; posting its form returns the application with the reasons given."""
    item = policy.load(Listing, listing_id)
    form = ReturnForm()
    if form.is_submitted():
        if form.validate() and saved(lambda: listings.return_listing(item, current_actor(), form.reason.data), form,
                                     _("The application is returned to the company with your reasons.")):
            return redirect(url_for("catalogue.review_list"))
        return _review_page(item, form, 400)
    return _review_page(item)


@bp.route("/catalogue/review/<int:listing_id>/list", methods=["POST"])
@policy.guard("catalogue.review")
def list_product(listing_id: int):
    item = policy.load(Listing, listing_id)
    if not saved(lambda: listings.list_product(item, current_actor()), None,
                 _("The product is listed in the catalogue.")):
        return _review_page(item, status=409)
    return redirect(url_for("catalogue.review_list"))
