"""The open data API (/api/v1/): the public catalogue, published review results and success stories, read-only,
paginated (page, per_page up to 100, with total and links) and rate-limited; described by /api/v1/openapi.json."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from .. import policy
from ..db import db
from ..incubation.stories import success_stories
from . import api_documents as documents
from . import api_limits, browse, openapi
from .blueprint import bp
from .models import Listing, ListingStatus
from .views_listings import catalogue_filters


class _BadParameter(ValueError):
    pass


def _error(status: int, code: str, message: str, **headers):
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    response.headers.update(headers)
    return response


def _paging() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", 20))
    except ValueError:
        raise _BadParameter(_("page and per_page must be whole numbers.")) from None
    if page < 1:
        raise _BadParameter(_("page must be 1 or more."))
    if not 1 <= per_page <= browse.MAX_PER_PAGE:
        raise _BadParameter(_("per_page must be between 1 and %(max)d.", max=browse.MAX_PER_PAGE))
    return page, per_page


def _limited():
    wait = api_limits.wait_seconds()
    if wait:
        return _error(429, "rate_limited", _("Too many requests: please wait %(seconds)d seconds.", seconds=wait),
                      **{"Retry-After": str(wait)})
    return None


def _list(build):
    if (refused := _limited()) is not None:
        return refused
    try:
        page, per_page = _paging()
        return jsonify(build(page, per_page))
    except _BadParameter as error:
        return _error(400, "bad_parameter", str(error))


@bp.route("/api/v1/catalogue")
@policy.public
def api_catalogue():
    def build(page: int, per_page: int) -> dict:
        filters, ok = catalogue_filters()
        if not ok:
            raise _BadParameter(_("Please check the filters: dates are written YYYY-MM-DD."))
        found = browse.search(filters, page, per_page)
        args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
        return documents.envelope(found, [documents.product(item) for item in found.items], "catalogue.api_catalogue",
                                  **args)
    return _list(build)


@bp.route("/api/v1/catalogue/<int:listing_id>")
@policy.public
def api_product(listing_id: int):
    if (refused := _limited()) is not None:
        return refused
    listing = db.session.get(Listing, listing_id)
    if listing is None or listing.status != ListingStatus.LISTED:
        return _error(404, "not_found", _("No listed product has this id."))
    return jsonify(documents.product(listing))


@bp.route("/api/v1/results")
@policy.public
def api_results():
    def build(page: int, per_page: int) -> dict:
        found = documents.page_of(documents.published_results(), page, per_page)
        return documents.envelope(found, found.items, "catalogue.api_results")
    return _list(build)


@bp.route("/api/v1/success-stories")
@policy.public
def api_stories():
    def build(page: int, per_page: int) -> dict:
        found = documents.page_of(success_stories(), page, per_page)
        return documents.envelope(found, [documents.story(i) for i in found.items], "catalogue.api_stories")
    return _list(build)


@bp.route("/api/v1/openapi.json")
@policy.public
def api_openapi():
    return jsonify(openapi.document())
