"""What the catalogue's workspace panels show."""

from __future__ import annotations

from sqlalchemy import func, select

from ..db import db
from .admission import hospital_function, overdue_assessments
from .models import Assessment, Listing, ListingStatus
from .status import OPEN_ASSESSMENTS


def admin_panel(user) -> dict:
    counts = dict(db.session.execute(select(Listing.status, func.count()).group_by(Listing.status)).all())
    return {"applied": counts.get(ListingStatus.APPLIED, 0), "listed": counts.get(ListingStatus.LISTED, 0),
            "overdue": len(overdue_assessments())}


def hospital_panel(user) -> dict:
    open_count = db.session.scalar(select(func.count()).select_from(Assessment).where(
        Assessment.hospital_id == user.organization_id, Assessment.status.in_(OPEN_ASSESSMENTS))) or 0
    return {"function": hospital_function(user), "open": open_count,
            "overdue": len(overdue_assessments(hospital_id=user.organization_id))}


def company_panel(user) -> dict:
    rows = db.session.scalars(select(Listing).where(Listing.organization_id == user.organization_id)
                              .order_by(Listing.id.desc())).all()
    return {"listings": rows[:5], "more": max(len(rows) - 5, 0)}
