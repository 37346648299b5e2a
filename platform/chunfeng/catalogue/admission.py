"""Hospitals' admission assessments (入院评估): the equipment office declares interest in a listed product, which
opens the assessment with its timer from the hospital's receipt; the office starts it and decides (admitted, or not
with a reason); device-committee members record their opinions. Overdue assessments are flagged and reminded.

The timer runs CATALOGUE_ADMISSION_DAYS (30) days from receipt, counted in calendar days or, with
CATALOGUE_ADMISSION_DAY_KIND = "working", in working days (the incubation timers' arithmetic).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import OrgKind, Role, User
from ..core import mail
from ..core.clock import add_working_days, local_today, working_days_between
from ..core.services import N_, Nn_, notify, record
from ..core.web import path_for
from ..db import db
from .errors import CatalogueError
from .models import (
    Assessment,
    HospitalFunction,
    HospitalMember,
    Listing,
    ListingStatus,
    Opinion,
    Vote,
)
from .status import OPEN_ASSESSMENTS, AssessmentEvent, assessment_lifecycle

REMIND_EVERY_DAYS = 7
OVERDUE = Nn_("The admission assessment of %(name)s is overdue by %(num)d day.",
              "The admission assessment of %(name)s is overdue by %(num)d days.")
WORKING = "working"


def works_at_hospital(user) -> bool:
    """An approved member of the hospital role whose organisation is a hospital."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.has_role(Role.HOSPITAL):
        return False
    return user.organization is not None and user.organization.kind == OrgKind.HOSPITAL


def hospital_function(user) -> HospitalFunction | None:
    """The part of the hospital an approved member of the hospital role works for (None until they say)."""
    if not works_at_hospital(user):
        return None
    return db.session.scalar(select(HospitalMember.function).where(HospitalMember.user_id == user.id))


def set_function(user, function: HospitalFunction) -> None:
    if not works_at_hospital(user):
        raise CatalogueError(_("Only staff of a hospital registered as a hospital can do this."))
    member = db.session.scalar(select(HospitalMember).where(HospitalMember.user_id == user.id))
    if member is None:
        db.session.add(HospitalMember(user_id=user.id, function=function))
    else:
        member.function = function
    record("hospital_member.function", user, actor=user, function=function.value)


# --- the timer ---------------------------------------------------------------------------------------------------

def _limit() -> tuple[int, str]:
    config = current_app.config
    return int(config.get("CATALOGUE_ADMISSION_DAYS", 30)), config.get("CATALOGUE_ADMISSION_DAY_KIND", "calendar")


@dataclass(frozen=True)
class Timer:
    due_on: date
    elapsed: int
    limit: int
    working: bool
    open: bool

    @property
    def remaining(self) -> int:
        return self.limit - self.elapsed

    @property
    def overdue(self) -> bool:
        return self.open and self.elapsed > self.limit


def timer(assessment: Assessment, today: date | None = None) -> Timer:
    limit, kind = _limit()
    working = kind == WORKING
    start = assessment.received_on
    is_open = assessment.status in OPEN_ASSESSMENTS
    end = (today or local_today()) if is_open else (assessment.decided_on or today or local_today())
    if working:
        return Timer(add_working_days(start, limit), working_days_between(start, end), limit, True, is_open)
    return Timer(start + timedelta(days=limit), max((end - start).days, 0), limit, False, is_open)


# --- declaring interest, deciding --------------------------------------------------------------------------------

def declare_interest(listing: Listing, user, received_on: date | None = None) -> Assessment:
    """The hospital's equipment office receives the product for assessment; one assessment per hospital and
    product (two offices clicking at once end in one row)."""
    if hospital_function(user) != HospitalFunction.EQUIPMENT_OFFICE:
        raise CatalogueError(_("Only the hospital's equipment office can declare interest."))
    if listing.status != ListingStatus.LISTED:
        raise CatalogueError(_("Only a listed product can be assessed."))
    today = local_today()
    received_on = received_on or today
    if received_on > today:
        raise CatalogueError(_("The date of receipt cannot be in the future."), "received_on")
    if received_on < listing.listed_on:
        raise CatalogueError(_("The date of receipt cannot be before the product was listed."), "received_on")
    found = assessment_of(listing, user.organization_id)
    if found is not None:
        raise CatalogueError(_("Your hospital is already assessing this product."))
    assessment = assessment_lifecycle.begin(Assessment(listing_id=listing.id, hospital_id=user.organization_id,
                                                       received_on=received_on, declared_by_id=user.id))
    try:
        with db.session.begin_nested():
            db.session.add(assessment)
            db.session.flush()
    except IntegrityError:
        raise CatalogueError(_("Your hospital is already assessing this product.")) from None
    record("assessment.received", assessment, actor=user)
    _tell_company(assessment, N_("%(hospital)s has received %(name)s for admission assessment."))
    return assessment


def assessment_of(listing: Listing, hospital_id: int | None) -> Assessment | None:
    if hospital_id is None:
        return None
    return db.session.scalar(select(Assessment).where(Assessment.listing_id == listing.id,
                                                      Assessment.hospital_id == hospital_id))


def allowed_events(assessment: Assessment) -> list[AssessmentEvent]:
    return [e for e in AssessmentEvent if assessment_lifecycle.allowed(assessment.status, e)]


def change(assessment: Assessment, event: str, user, reason: str = "", on: date | None = None) -> None:
    try:
        event = AssessmentEvent(event)
    except ValueError:
        raise CatalogueError(_("Unknown action.")) from None
    if not assessment_lifecycle.allowed(assessment.status, event):
        raise CatalogueError(_("This is not possible in the assessment's present state."))
    reason = (reason or "").strip()
    if event == AssessmentEvent.DECLINE and not reason:
        raise CatalogueError(_("Please give the reason the product is not admitted."), "reason")
    today = local_today()
    on = on or today
    if event != AssessmentEvent.START:
        if on > today or on < assessment.received_on:
            raise CatalogueError(_("The decision date must lie between the receipt and today."), "decided_on")
        assessment.decided_on = on
        assessment.reason = reason
    assessment_lifecycle.apply(assessment, event, user, reason)
    if event == AssessmentEvent.ADMIT:
        _tell_company(assessment, N_("%(hospital)s has admitted %(name)s."))
    elif event == AssessmentEvent.DECLINE:
        _tell_company(assessment, N_("%(hospital)s has not admitted %(name)s."))


def record_opinion(assessment: Assessment, user, vote: str, comment: str = "") -> Opinion:
    if hospital_function(user) != HospitalFunction.DEVICE_COMMITTEE:
        raise CatalogueError(_("Only members of the hospital's device committee record opinions."))
    if assessment.status not in OPEN_ASSESSMENTS:
        raise CatalogueError(_("The assessment is decided; opinions can no longer be recorded."))
    try:
        vote = Vote(vote)
    except ValueError:
        raise CatalogueError(_("Please choose support, oppose or abstain."), "vote") from None
    opinion = db.session.scalar(select(Opinion).where(Opinion.assessment_id == assessment.id,
                                                      Opinion.member_id == user.id))
    if opinion is None:
        opinion = Opinion(assessment_id=assessment.id, member_id=user.id, vote=vote, comment=comment.strip())
        try:
            with db.session.begin_nested():  # the same member's second tab, sent at the same moment: one row
                db.session.add(opinion)
                db.session.flush()
        except IntegrityError:
            raise CatalogueError(_("Your opinion was just recorded from elsewhere: please reload the page.")) from None
    else:
        opinion.vote, opinion.comment = vote, comment.strip()
        db.session.flush()
    record("assessment.opinion", assessment, actor=user, vote=vote.value)
    return opinion


def _tell_company(assessment: Assessment, message: str) -> None:
    listing = assessment.listing
    link = path_for("catalogue.listing", listing_id=listing.id)
    hospital = db.session.get(type(listing.organization), assessment.hospital_id)
    for member in listing.organization.members:
        if member.is_approved:
            notify(member, message, link=link, name=listing.name, hospital=hospital.name)


# --- overdue -----------------------------------------------------------------------------------------------------

def open_assessments(hospital_id: int | None = None) -> list[Assessment]:
    """Assessments under way (of one hospital, or of every one), the oldest received first."""
    if hospital_id is None:
        return list(db.session.scalars(_open_query(False)))
    return list(db.session.scalars(_open_query(True), {"hospital_id": hospital_id}))


@cache
def _open_query(of_one_hospital: bool) -> Select:
    """Built once per process (the workspaces of hospitals and administrators run it on every visit)."""
    query = select(Assessment).where(Assessment.status.in_(OPEN_ASSESSMENTS))
    if of_one_hospital:
        query = query.where(Assessment.hospital_id == bindparam("hospital_id"))
    return query.order_by(Assessment.received_on)


def overdue_assessments(today: date | None = None, hospital_id: int | None = None) -> list[Assessment]:
    today = today or local_today()
    return [a for a in open_assessments(hospital_id) if timer(a, today).overdue]


def equipment_office(hospital_id: int) -> list[User]:
    """The hospital's equipment office; while nobody has said they work there, every member of the hospital role
    (a reminder must reach someone)."""
    office = list(db.session.scalars(select(User).join(HospitalMember, HospitalMember.user_id == User.id).where(
        User.organization_id == hospital_id, HospitalMember.function == HospitalFunction.EQUIPMENT_OFFICE)))
    return office or list(db.session.scalars(select(User).where(User.organization_id == hospital_id,
                                                                User.role == Role.HOSPITAL)))


def remind_overdue(today: date | None = None) -> int:
    """Tell each hospital's equipment office of its overdue assessments, in the app and by e-mail, at most once a
    week per assessment (`flask catalogue-reminders`, run daily). Returns how many people were told."""
    today = today or local_today()
    sent = 0
    for assessment in overdue_assessments(today):
        if assessment.reminded_on and (today - assessment.reminded_on).days < REMIND_EVERY_DAYS:
            continue
        clock = timer(assessment, today)
        link = path_for("catalogue.assessment", assessment_id=assessment.id)
        for person in equipment_office(assessment.hospital_id):
            if not person.is_approved:
                continue
            name, days = assessment.listing.name, clock.elapsed - clock.limit
            notify(person, OVERDUE, link=link, name=name, num=days)
            mail.notify_by_mail(person, mail.ADMISSION_REMINDER, N_("Overdue admission assessment: %(name)s"),
                                "catalogue/mail/overdue.html", subject_params={"name": name}, message=OVERDUE,
                                name=name, days=days,
                                link=mail.site_url("catalogue.assessment", assessment_id=assessment.id))
            sent += 1
        assessment.reminded_on = today
    return sent
