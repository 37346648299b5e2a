"""The public catalogue: listed products, searched and filtered, one page at a time (the web page and the open
data API share it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..db import db
from .models import Listing, ListingPathway, ListingStatus, ProductClass

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class Filters:
    q: str = ""
    specialty: str = ""
    device_class: ProductClass | None = None
    province: str = ""
    pathway: ListingPathway | None = None
    approved_from: date | None = None
    approved_to: date | None = None


@dataclass
class Page:
    items: list = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _listed(filters: Filters):
    query = select(Listing).where(Listing.status == ListingStatus.LISTED)
    if filters.q:
        words = filters.q.strip()
        query = query.where(or_(*(column.icontains(words, autoescape=True)
                                  for column in (Listing.name, Listing.registration_no, Listing.summary))))
    if filters.specialty:
        query = query.where(Listing.specialty == filters.specialty)
    if filters.device_class:
        query = query.where(Listing.device_class == filters.device_class)
    if filters.province:
        query = query.where(Listing.province == filters.province)
    if filters.pathway:
        query = query.where(Listing.pathway == filters.pathway)
    if filters.approved_from:
        query = query.where(Listing.approved_on >= filters.approved_from)
    if filters.approved_to:
        query = query.where(Listing.approved_on <= filters.approved_to)
    return query


def paginate(query, page: int, per_page: int) -> Page:
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items, total, page, per_page)


def search(filters: Filters, page: int = 1, per_page: int = 20) -> Page:
    query = _listed(filters).options(selectinload(Listing.incubation)).order_by(
        Listing.listed_on.desc(), Listing.id.desc())
    return paginate(query, page, per_page)


def facets() -> dict[str, list[str]]:
    """The specialties and provinces of listed products, for the filter drop-downs."""
    listed = Listing.status == ListingStatus.LISTED
    return {
        name: [v for v in db.session.scalars(select(column).where(listed, column != "").distinct().order_by(column))]
        for name, column in (("specialty", Listing.specialty), ("province", Listing.province))
    }
