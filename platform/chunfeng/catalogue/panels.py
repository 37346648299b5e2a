"""What the catalogue's workspace panels show."""

from __future__ import annotations

from sqlalchemy import func, select

from ..core.clock import local_today
from ..db import db
from .admission import hospital_function, open_assessments, overdue_assessments, timer
from .models import Listing, ListingStatus

_STATUS_COUNTS = select(Listing.status, func.count()).group_by(Listing.status)  # built once: the workspace


def admin_panel(user) -> dict:
    counts = dict(db.session.execute(_STATUS_COUNTS).all())
    return {"applied": counts.get(ListingStatus.APPLIED, 0), "listed": counts.get(ListingStatus.LISTED, 0),
            "overdue": len(overdue_assessments())}


def hospital_panel(user) -> dict:
    """The assessments under way at the user's hospital and, among them, those overdue: one read."""
    under_way, today = open_assessments(user.organization_id), local_today()
    return {"function": hospital_function(user), "open": len(under_way),
            "overdue": sum(1 for assessment in under_way if timer(assessment, today).overdue)}


def company_panel(user) -> dict:
    rows = db.session.scalars(select(Listing).where(Listing.organization_id == user.organization_id)
                              .order_by(Listing.id.desc())).all()
    return {"listings": rows[:5], "more": max(len(rows) - 5, 0)}
