"""What the open data API returns: plain dictionaries of public facts only (no person's name, no confidential
section, no amount), and pages of them with their links."""

from __future__ import annotations

from flask import url_for

from ..incubation.models import Incubation
from ..reviews import services as reviews
from ..submissions.models import Project
from .browse import Page
from .listings import origin_story
from .models import Listing


def _day(value) -> str | None:
    return value.isoformat() if value else None


def product(listing: Listing) -> dict:
    story = origin_story(listing)
    return {
        "id": listing.id, "name": listing.name, "registration_no": listing.registration_no,
        "device_class": listing.device_class.value, "approved_on": _day(listing.approved_on),
        "pathway": listing.pathway.value, "specialty": listing.specialty, "province": listing.province,
        "summary": listing.summary, "company": listing.organization.name, "listed_on": _day(listing.listed_on),
        "origin_story": None if story is None else {
            "title": story.title, "summary": story.summary,
            "incubation_started_on": _day(story.incubation_started_on), "approved_on": _day(story.approved_on)},
    }


def _project(project: Project) -> dict:
    return {"title": project.title, "public_summary": project.public_summary or "",
            "specialty": project.specialty or "", "device_class": str(project.device_class.value)}


def published_results() -> list[dict]:
    """Every published selection, read through the reviews domain's own functions (newest round first)."""
    found = []
    for round_, _count in reviews.published_rounds():
        for decision in reviews.published_results(round_):
            found.append({
                "round": round_.name, "round_id": round_.id, **_project(decision.project),
                "outcome": decision.outcome.value, "recommended_pathway": list(decision.recommended_pathway or []),
                "published_on": _day(decision.published_at.date() if decision.published_at else None),
            })
    return found


def story(incubation: Incubation) -> dict:
    return {**_project(incubation.project), "pathway": incubation.pathway.value,
            "incubation_started_on": _day(incubation.started_on), "approved_on": _day(incubation.approved_on)}


def page_of(items: list, page: int, per_page: int) -> Page:
    start = (page - 1) * per_page
    return Page(items[start:start + per_page], len(items), page, per_page)


def envelope(page: Page, items: list[dict], endpoint: str, **args) -> dict:
    def link(number: int) -> str:
        return url_for(endpoint, page=number, per_page=page.per_page, **args)

    return {
        "items": items, "total": page.total, "page": page.page, "per_page": page.per_page, "pages": page.pages,
        "links": {"self": link(page.page), "first": link(1), "last": link(page.pages),
                  "next": link(page.page + 1) if page.page < page.pages else None,
                  "prev": link(page.page - 1) if page.page > 1 else None},
    }
