"""Listings: a company applies for its approved product's place in the catalogue (from an approved incubation, with
the form prefilled, or for its own product), an administrator lists it or returns it with reasons, the company may
withdraw it; the company keeps the product's medical-insurance code (医保编码) and price listing (挂网) up to date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..core.clock import local_today
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from ..incubation.involvement import granted_organization_ids
from ..incubation.models import Incubation, IncubationStatus
from ..submissions.models import DeviceClass, Pathway
from .errors import CatalogueError
from .models import Listing, ListingPathway, ListingStatus, ProductClass
from .status import EDITABLE_LISTINGS, ListingEvent, listing_lifecycle

FIELDS = ("name", "registration_no", "device_class", "approved_on", "pathway", "specialty", "province", "summary")
_PATHWAYS = {Pathway.INNOVATION: ListingPathway.INNOVATION, Pathway.PRIORITY: ListingPathway.PRIORITY}


def eligible_incubations(user) -> list[Incubation]:
    """Approved incubations of projects the user's company holds the clinician's grant for, not yet applied for."""
    if not user.organization_id:
        return []
    taken = select(Listing.incubation_id).where(Listing.incubation_id.is_not(None))
    found = db.session.scalars(select(Incubation).where(
        Incubation.status == IncubationStatus.APPROVED, Incubation.id.not_in(taken)).order_by(Incubation.id))
    return [i for i in found if user.organization_id in granted_organization_ids(i.project)]


def prefill(incubation: Incubation) -> dict:
    """What an approved incubation already tells about the product."""
    project = incubation.project
    device_class = project.device_class if project.device_class in (DeviceClass.II, DeviceClass.III) else None
    owner_org = project.owner.organization if getattr(project, "owner", None) else None
    return {
        "name": project.title, "specialty": project.specialty or "", "summary": project.public_summary or "",
        "approved_on": incubation.approved_on, "device_class": device_class.value if device_class else "",
        "pathway": _PATHWAYS.get(incubation.pathway, ListingPathway.REGULAR).value,
        "province": owner_org.province if owner_org else "",
    }


def _normalise(data: dict) -> dict:
    values = {key: data[key] for key in FIELDS if key in data}
    for key in ("name", "registration_no", "specialty", "province", "summary"):
        if key in values:
            values[key] = (values[key] or "").strip()
    if "device_class" in values:
        values["device_class"] = ProductClass(values["device_class"])
    if "pathway" in values:
        values["pathway"] = ListingPathway(values["pathway"])
    approved_on = values.get("approved_on")
    if approved_on is not None and approved_on > local_today():
        raise CatalogueError(_("The approval date cannot be in the future."), "approved_on")
    return values


def _flush_unique(listing: Listing) -> None:
    """Flush; a registration number already in the catalogue (or a second application from the same incubation,
    sent at the same moment) ends in one row."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise CatalogueError(_("A product with this registration number has already applied."),
                             "registration_no") from None


def create_listing(user, data: dict, incubation: Incubation | None = None) -> Listing:
    if not user.organization_id:
        raise CatalogueError(_("Only a member of a company can apply for a listing."))
    if incubation is not None and incubation.id not in {i.id for i in eligible_incubations(user)}:
        raise CatalogueError(_("This incubation cannot be the origin of your application."), "incubation")
    values = _normalise(data)
    if db.session.scalar(select(Listing.id).where(Listing.registration_no == values["registration_no"])):
        raise CatalogueError(_("A product with this registration number has already applied."), "registration_no")
    listing = listing_lifecycle.begin(Listing(organization_id=user.organization_id, created_by_id=user.id,
                                              incubation_id=incubation.id if incubation else None, **values))
    db.session.add(listing)
    _flush_unique(listing)
    record("listing.created", listing, actor=user)
    return listing


def update_listing(listing: Listing, user, data: dict) -> None:
    if listing.status not in EDITABLE_LISTINGS:
        raise CatalogueError(_("This application can no longer be changed."))
    for key, value in _normalise(data).items():
        setattr(listing, key, value)
    _flush_unique(listing)
    record("listing.updated", listing, actor=user)


def _apply(listing: Listing, event: ListingEvent, user, note: str = "") -> None:
    if not listing_lifecycle.allowed(listing.status, event):
        raise CatalogueError(_("This is not possible in the application's present state."))
    listing_lifecycle.apply(listing, event, user, note)


def submit(listing: Listing, user) -> None:
    """Send the draft (or the returned application, corrected) to the administrators."""
    _apply(listing, ListingEvent.APPLY, user)
    listing.applied_at = utcnow()
    listing.return_reason = ""


def list_product(listing: Listing, admin, on: date | None = None) -> None:
    _apply(listing, ListingEvent.LIST, admin)
    listing.listed_on = on or local_today()
    _tell_company(listing, N_("%(name)s is now listed in the innovative-product catalogue."))


def return_listing(listing: Listing, admin, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise CatalogueError(_("Please give the reasons for returning the application."), "reason")
    _apply(listing, ListingEvent.RETURN, admin, reason)
    listing.return_reason = reason
    _tell_company(listing, N_("Your application for %(name)s was returned: please read the reasons."))


def withdraw(listing: Listing, user) -> None:
    _apply(listing, ListingEvent.WITHDRAW, user)


def _tell_company(listing: Listing, message: str) -> None:
    link = path_for("catalogue.listing", listing_id=listing.id)
    for member in listing.organization.members:
        if member.is_approved:
            notify(member, message, link=link, name=listing.name)


def set_market_access(listing: Listing, user, insurance_code: str, coded_on: date | None,
                      price_listed_on: date | None) -> None:
    """The company's record of the medical-insurance code and the provincial price listing, with their dates."""
    if listing.status != ListingStatus.LISTED:
        raise CatalogueError(_("Only a listed product has an insurance code and a price listing."))
    insurance_code = (insurance_code or "").strip()
    if insurance_code and coded_on is None:
        raise CatalogueError(_("Please give the date the insurance code was assigned."), "insurance_coded_on")
    if coded_on is not None and not insurance_code:
        raise CatalogueError(_("Please give the insurance code."), "insurance_code")
    today = local_today()
    for field, day in (("insurance_coded_on", coded_on), ("price_listed_on", price_listed_on)):
        if day is not None and day > today:
            raise CatalogueError(_("This date cannot be in the future."), field)
    listing.insurance_code, listing.insurance_coded_on, listing.price_listed_on = insurance_code, coded_on, \
        price_listed_on
    record("listing.market_access", listing, actor=user, insurance_code=insurance_code,
           price_listed=price_listed_on is not None)


def listed_from(project) -> Listing | None:
    """The listed product born from the project's incubation, if there is one."""
    return db.session.scalar(select(Listing).join(Incubation, Incubation.id == Listing.incubation_id).where(
        Incubation.project_id == project.id, Listing.status == ListingStatus.LISTED))


@dataclass(frozen=True)
class Story:
    """The origin of a listed product: the clinician's idea, shown only where the clinician consented."""

    title: str
    summary: str
    incubation_started_on: date
    approved_on: date | None


def origin_story(listing: Listing) -> Story | None:
    incubation = listing.incubation
    if incubation is None or not incubation.success_story_consent or incubation.success_story_published_at is None:
        return None
    return Story(incubation.project.title, incubation.project.public_summary or "", incubation.started_on,
                 incubation.approved_on)
