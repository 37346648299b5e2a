"""First purchase and first use (首购首用): the hospital records purchase orders of an admitted product and the date
of its first clinical use. Amounts are for few eyes (see access.py) and every view of them by someone other than the
hospital and the company is audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _

from ..core.clock import local_today
from ..core.services import record
from ..db import db
from .errors import CatalogueError
from .models import Assessment, AssessmentStatus, PurchaseOrder


def _admitted(assessment: Assessment) -> None:
    if assessment.status != AssessmentStatus.ADMITTED:
        raise CatalogueError(_("Purchases and use are recorded for admitted products only."))


def _check_day(day: date, assessment: Assessment, field: str) -> None:
    if day > local_today():
        raise CatalogueError(_("This date cannot be in the future."), field)
    if assessment.decided_on and day < assessment.decided_on:
        raise CatalogueError(_("This date cannot be before the admission."), field)


def record_order(assessment: Assessment, user, ordered_on: date, quantity: int,
                 amount: Decimal | None = None) -> PurchaseOrder:
    _admitted(assessment)
    _check_day(ordered_on, assessment, "ordered_on")
    if quantity is None or quantity < 1:
        raise CatalogueError(_("The quantity must be at least 1."), "quantity")
    if amount is not None and amount < 0:
        raise CatalogueError(_("The amount cannot be negative."), "amount")
    order = PurchaseOrder(assessment_id=assessment.id, ordered_on=ordered_on, quantity=quantity, amount=amount,
                          recorded_by_id=user.id)
    db.session.add(order)
    db.session.flush()
    record("assessment.purchase", assessment, actor=user, order_id=order.id, quantity=quantity)
    return order


def record_first_use(assessment: Assessment, user, used_on: date) -> None:
    _admitted(assessment)
    _check_day(used_on, assessment, "first_use_on")
    assessment.first_use_on = used_on
    record("assessment.first_use", assessment, actor=user, on=used_on.isoformat())


def first_purchase(assessment: Assessment) -> PurchaseOrder | None:
    return assessment.orders[0] if assessment.orders else None


def record_amounts_view(assessment: Assessment, user) -> None:
    """Audit a view of purchase amounts by someone other than the hospital and the company."""
    record("assessment.amounts_viewed", assessment, actor=user)
