"""Search across needs, challenges and published FAQ entries, within what the person may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..db import db
from .challenges import challenge_listing, visible_challenges
from .consultations import faq_listing
from .models import Challenge, ClinicalNeed, Consultation
from .needs import need_listing, visible_needs
from .text import terms

SEARCH_KINDS = ("need", "challenge", "faq")


@dataclass
class SearchResults:
    needs: list[ClinicalNeed] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    faqs: list[Consultation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.needs) + len(self.challenges) + len(self.faqs)


def search(user, query: str = "", kind: str = "", specialty: str = "", limit: int = 50) -> SearchResults:
    """Needs, challenges and published FAQ entries matching every word, in what the person may see."""
    results = SearchResults()
    if not terms(query) and not specialty:
        return results
    if kind in ("", "need"):
        results.needs = list(db.session.scalars(need_listing(user, query, specialty).limit(limit)))
    if kind in ("", "challenge"):
        results.challenges = list(db.session.scalars(challenge_listing(user, query, specialty, "").limit(limit)))
    if kind in ("", "faq") and not specialty:
        results.faqs = list(db.session.scalars(faq_listing(query).limit(limit)))
    return results


def known_specialties(user) -> list[str]:
    """Specialties used by the needs and challenges a person can see, for the filters."""
    needs = visible_needs(user).with_only_columns(ClinicalNeed.specialty)
    challenges = visible_challenges(user).with_only_columns(Challenge.specialty)
    values = set(db.session.scalars(needs)) | set(db.session.scalars(challenges))
    return sorted(v for v in values if v)
