"""The public catalogue and a company's listings: applying (from an approved incubation or for its own product),
correcting a returned application, withdrawing, and the insurance code and price listing of a listed product."""

from __future__ import annotations

from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import policy
from ..core.web import current_actor
from ..db import db
from ..incubation.models import Incubation
from . import admission, browse, listings
from .blueprint import bp, saved
from .forms import ListingForm, MarketForm
from .models import Listing, ListingPathway, ListingStatus, ProductClass
from .status import EDITABLE_LISTINGS


def catalogue_filters() -> tuple[browse.Filters, bool]:
    """The filters of the query string; False when one of them is not valid (the page then answers 400)."""
    args = request.args
    ok = True

    def day(name: str) -> date | None:
        nonlocal ok
        raw = args.get(name, "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            ok = False
            return None

    def member(enum, name: str):
        nonlocal ok
        raw = args.get(name, "").strip()
        if not raw:
            return None
        try:
            return enum(raw)
        except ValueError:
            ok = False
            return None

    filters = browse.Filters(
        q=args.get("q", "").strip()[:100], specialty=args.get("specialty", "").strip(),
        device_class=member(ProductClass, "device_class"), province=args.get("province", "").strip(),
        pathway=member(ListingPathway, "pathway"), approved_from=day("approved_from"),
        approved_to=day("approved_to"))
    return filters, ok


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@bp.route("/catalogue")
@policy.public
def index():
    filters, ok = catalogue_filters()
    if not ok:
        message = _("Please check the filters: dates are written YYYY-MM-DD.")
        return render_template("catalogue/index.html", page=browse.Page(), filters=filters, facets=browse.facets(),
                               stories={}, query_args={}, error=message), 400
    page = browse.search(filters, _page_number())
    query_args = {key: value for key, value in request.args.items() if key != "page"}
    return render_template("catalogue/index.html", page=page, filters=filters, facets=browse.facets(),
                           stories={item.id: listings.origin_story(item) for item in page.items}, error="",
                           query_args=query_args)


@bp.route("/catalogue/product/<int:listing_id>")
@policy.public
def product(listing_id: int):
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.status != ListingStatus.LISTED:
        abort(404)
    user = current_actor()
    assessment = admission.assessment_of(listing, user.organization_id) if policy.can(
        user, "catalogue.hospital") else None
    return render_template("catalogue/product.html", listing=listing, story=listings.origin_story(listing),
                           assessment=assessment, may_declare=policy.can(user, "catalogue.declare", listing))


@bp.route("/catalogue/mine")
@policy.guard("catalogue.apply")
def mine():
    user = current_actor()
    rows = db.session.scalars(db.select(Listing).where(Listing.organization_id == user.organization_id)
                              .order_by(Listing.id.desc())).all()
    return render_template("catalogue/mine.html", listings=rows, eligible=listings.eligible_incubations(user))


@bp.route("/catalogue/apply", methods=["GET", "POST"])
@policy.guard("catalogue.apply")
def apply():
    user = current_actor()
    incubation = None
    origin = request.values.get("incubation", type=int)
    if origin:
        incubation = next((i for i in listings.eligible_incubations(user) if i.id == origin), None)
        if incubation is None:
            abort(404)
    form = ListingForm(data=listings.prefill(incubation) if incubation and request.method == "GET" else None)
    if form.validate_on_submit():
        created = []
        if saved(lambda: created.append(listings.create_listing(user, form.values(), incubation)), form,
                 _("Your application is saved as a draft. Check it and send it for review.")):
            return redirect(url_for("catalogue.listing", listing_id=created[0].id))
    status = 400 if form.errors else 200
    return render_template("catalogue/apply.html", form=form, incubation=incubation, listing=None), status


def _listing_page(item: Listing, market_form: MarketForm | None = None, status: int = 200):
    user = current_actor()
    market_form = market_form or MarketForm(formdata=None, obj=item)
    return render_template("catalogue/listing.html", listing=item, market_form=market_form, timer=admission.timer,
                           story=listings.origin_story(item), editable=item.status in EDITABLE_LISTINGS,
                           is_company=policy.can(user, "catalogue.apply", item)), status


@bp.route("/catalogue/listing/<int:listing_id>")
@policy.guard("catalogue.listing")
def listing(listing_id: int):
    return _listing_page(policy.load(Listing, listing_id))


@bp.route("/catalogue/listing/<int:listing_id>/edit", methods=["GET", "POST"])
@policy.guard("catalogue.apply")
def edit(listing_id: int):
    item = policy.load(Listing, listing_id)
    if item.status not in EDITABLE_LISTINGS:
        abort(404)
    form = ListingForm(obj=item if request.method == "GET" else None)
    if request.method == "GET":
        form.device_class.data, form.pathway.data = item.device_class.value, item.pathway.value
    if form.validate_on_submit() and saved(lambda: listings.update_listing(item, current_actor(), form.values()),
                                           form, _("Your changes are saved.")):
        return redirect(url_for("catalogue.listing", listing_id=item.id))
    return render_template("catalogue/apply.html", form=form, incubation=item.incubation, listing=item), \
        400 if form.errors else 200


@bp.route("/catalogue/listing/<int:listing_id>/submit", methods=["POST"])
@policy.guard("catalogue.apply")
def submit(listing_id: int):
    item = policy.load(Listing, listing_id)
    if not saved(lambda: listings.submit(item, current_actor()), None, _("Your application is sent for review.")):
        return _listing_page(item, status=409)
    return redirect(url_for("catalogue.listing", listing_id=item.id))


@bp.route("/catalogue/listing/<int:listing_id>/withdraw", methods=["POST"])
@policy.guard("catalogue.apply")
def withdraw(listing_id: int):
    item = policy.load(Listing, listing_id)
    if not saved(lambda: listings.withdraw(item, current_actor()), None, _("The listing is withdrawn.")):
        return _listing_page(item, status=409)
    return redirect(url_for("catalogue.listing", listing_id=item.id))


@bp.route("/catalogue/listing/<int:listing_id>/market", methods=["POST"])
@policy.guard("catalogue.apply")
def market(listing_id: int):
    item = policy.load(Listing, listing_id)
    form = MarketForm()
    if not form.validate() or not saved(
            lambda: listings.set_market_access(item, current_actor(), form.insurance_code.data,
                                               form.insurance_coded_on.data, form.price_listed_on.data),
            form, _("The insurance code and price listing are saved.")):
        return _listing_page(item, form, 400)
    return redirect(url_for("catalogue.listing", listing_id=item.id))


def _offer_for(user, project) -> Incubation | None:
    """The approved incubation of `project` the user's company may apply with, if any."""
    if not policy.can(user, "catalogue.apply"):
        return None
    return next((i for i in listings.eligible_incubations(user) if i.project_id == project.id), None)


def project_link(_sender, user, project) -> list[tuple[str, str]]:
    """Answers `hooks.project_links`: the catalogue page of the product born from the project, once listed."""
    listed = listings.listed_from(project)
    return [(_("Listed in the innovative-product catalogue"), url_for("catalogue.product", listing_id=listed.id))] \
        if listed is not None else []


def result_offer(_sender, user, project) -> list[tuple[str, dict]]:
    """Answers `hooks.result_offers`: on a selected project's public page, its listed product, and for a company
    holding the clinician's grant on the approved project, the way to apply for the catalogue."""
    listed, incubation = listings.listed_from(project), _offer_for(user, project)
    if listed is None and incubation is None:
        return []
    return [("catalogue/result_offer.html", {"project": project, "listing": listed, "incubation": incubation})]
