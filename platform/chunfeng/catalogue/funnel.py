"""The regulator's view: the province's funnel from ideas to first purchase, with the median days each stage took
and what is overdue now.

    ideas -> selected -> incubated -> approved -> listed -> admitted -> first purchase

Ideas, selections and incubations count projects whose clinician's hospital is in the province; listed products
count the province the company gave; admissions and first purchases count hospitals of the province. A stage's
median is the days from the stage before it to this one, over the items that reached it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import Organization, User
from ..db import db
from ..incubation.models import Incubation, IncubationStatus
from ..incubation.timers import median_days
from ..incubation.tracking import admin_rows
from ..reviews.models import SELECTED_OUTCOMES, Decision, ReviewRound
from ..submissions.models import Project, StatusEvent
from .admission import overdue_assessments
from .models import Assessment, AssessmentStatus, Listing, ListingStatus


@dataclass(frozen=True)
class Stage:
    key: str
    label: object
    count: int
    median: float | None  # days from the previous stage
    overdue: int | None  # items of this stage overdue now (None where the stage has no timer)


STAGE_LABELS = {
    "ideas": _l("Ideas submitted"), "selected": _l("Selected"), "incubated": _l("Incubated"),
    "approved": _l("Approved for market"), "listed": _l("Listed"), "admitted": _l("Admitted by hospitals"),
    "first_purchase": _l("First purchase"),
}


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _gaps(pairs: Iterable[tuple]) -> float | None:
    return median_days((_day(end) - _day(start)).days for start, end in pairs if start and end)


def provinces() -> list[str]:
    return list(db.session.scalars(select(Organization.province).where(Organization.province != "").distinct()
                                   .order_by(Organization.province)))


def _projects(province: str):
    query = select(Project.id).join(User, User.id == Project.owner_id)
    if province:
        query = query.join(Organization, Organization.id == User.organization_id).where(
            Organization.province == province)
    return query


def _hospitals(province: str):
    query = select(Organization.id)
    return query.where(Organization.province == province) if province else query


def funnel(province: str = "", today: date | None = None) -> list[Stage]:
    projects = _projects(province)
    submitted = dict(db.session.execute(
        select(StatusEvent.project_id, func.min(StatusEvent.at)).where(
            StatusEvent.event == "submit", StatusEvent.project_id.in_(projects)).group_by(StatusEvent.project_id)
    ).all())
    selected = dict(db.session.execute(
        select(Decision.project_id, func.min(Decision.published_at))
        .join(ReviewRound, ReviewRound.id == Decision.round_id)
        .where(Decision.published_at.is_not(None), ReviewRound.published_at.is_not(None),
               Decision.outcome.in_(tuple(SELECTED_OUTCOMES)), Decision.project_id.in_(projects))
        .group_by(Decision.project_id)).all())
    incubations = db.session.scalars(select(Incubation).where(Incubation.project_id.in_(projects))).all()
    approved = [i for i in incubations if i.status == IncubationStatus.APPROVED]
    listing_query = select(Listing).where(Listing.status == ListingStatus.LISTED)
    if province:
        listing_query = listing_query.where(Listing.province == province)
    listed = db.session.scalars(listing_query).all()
    admitted = db.session.scalars(select(Assessment).where(
        Assessment.status == AssessmentStatus.ADMITTED, Assessment.hospital_id.in_(_hospitals(province)))).all()
    purchased = [a for a in admitted if a.orders]
    overdue_incubations = sum(1 for row in admin_rows(today, overdue_only=True)
                              if row.incubation.project_id in {i.id for i in incubations})
    overdue_admissions = sum(1 for a in overdue_assessments(today) if not province or a.hospital.province == province)
    return [
        Stage("ideas", STAGE_LABELS["ideas"], len(submitted), None, None),
        Stage("selected", STAGE_LABELS["selected"], len(selected),
              _gaps((submitted.get(p), at) for p, at in selected.items()), None),
        Stage("incubated", STAGE_LABELS["incubated"], len(incubations),
              _gaps((selected.get(i.project_id), i.started_on) for i in incubations), overdue_incubations),
        Stage("approved", STAGE_LABELS["approved"], len(approved),
              _gaps((i.started_on, i.approved_on) for i in approved), None),
        Stage("listed", STAGE_LABELS["listed"], len(listed),
              _gaps((item.approved_on, item.listed_on) for item in listed), overdue_admissions),
        Stage("admitted", STAGE_LABELS["admitted"], len(admitted),
              _gaps((a.received_on, a.decided_on) for a in admitted), None),
        Stage("first_purchase", STAGE_LABELS["first_purchase"], len(purchased),
              _gaps((a.decided_on, a.orders[0].ordered_on) for a in purchased), None),
    ]


def chart(stages: list[Stage]) -> dict:
    """The funnel as a horizontal bar chart for static/js/admin.js."""
    return {"type": "bar", "horizontal": True, "stacked": False, "labels": [str(s.label) for s in stages],
            "datasets": [{"label": str(_l("Count")), "data": [s.count for s in stages]}]}


def median_chart(stages: list[Stage]) -> dict:
    return {"type": "bar", "horizontal": True, "stacked": False, "labels": [str(s.label) for s in stages[1:]],
            "datasets": [{"label": str(_l("Median days from the previous stage")),
                          "data": [s.median or 0 for s in stages[1:]]}]}


def csv_rows(stages: list[Stage]) -> list[list]:
    return [[str(s.label), s.count, "" if s.median is None else s.median, "" if s.overdue is None else s.overdue]
            for s in stages]
