"""The community's services as the demo, the CLI, the tests and other domains call them: one import for the
operations a person can do, each defined in its feature module (needs, comments, challenges, suggestions,
consultations, slots, moderation). The community's own modules import the feature modules directly.

Privacy rules kept by these services: the community never reads a project's confidential intake sections (the
suggestion pool uses only what clinicians wrote in the community and the title and public summary of published
projects); a clinician's contact details reach a company only through a 'contact_share' consent naming it.
"""

from __future__ import annotations

from .challenges import (
    contact_for,
    create_challenge,
    respond,
    revoke_contact,
    set_challenge_status,
    update_challenge,
)
from .comments import add_comment
from .consultations import answer, ask, publish_faq, set_publish_consent, unpublish_faq
from .errors import CommunityError, RateLimited
from .moderation import dismiss_report, report, set_hidden
from .needs import convert_need, create_need, toggle_follow, toggle_see_too, update_need
from .slots import book, cancel_booking, cancel_slot, create_slot
from .suggestions import clinician_documents, invite, refresh_open_challenges, suggest_clinicians

__all__ = [
    "CommunityError", "RateLimited",
    "create_need", "update_need", "toggle_follow", "toggle_see_too", "convert_need", "add_comment",
    "create_challenge", "update_challenge", "set_challenge_status", "respond", "revoke_contact", "contact_for",
    "clinician_documents", "suggest_clinicians", "refresh_open_challenges", "invite",
    "ask", "answer", "set_publish_consent", "publish_faq", "unpublish_faq",
    "create_slot", "book", "cancel_booking", "cancel_slot",
    "report", "set_hidden", "dismiss_report",
]
