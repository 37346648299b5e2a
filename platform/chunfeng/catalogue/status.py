"""The catalogue's two lifecycles.

A listing:   draft -apply-> applied -list-> listed
                               applied -return-> returned -apply-> applied
             draft, applied, returned, listed -withdraw-> withdrawn

An assessment (per hospital and product, timed from the hospital's receipt):
             received -start-> under_assessment
             received, under_assessment -admit-> admitted | -decline-> not_admitted
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from ..core.lifecycle import Lifecycle, table
from .models import AssessmentStatus, ListingStatus


class ListingEvent(enum.StrEnum):
    APPLY = "apply"
    LIST = "list"
    RETURN = "return"
    WITHDRAW = "withdraw"


L = ListingStatus
listing_lifecycle = Lifecycle("listing", ListingStatus, ListingEvent, table(
    ([L.DRAFT, L.RETURNED], ListingEvent.APPLY, L.APPLIED),
    (L.APPLIED, ListingEvent.LIST, L.LISTED),
    (L.APPLIED, ListingEvent.RETURN, L.RETURNED),
    ([L.DRAFT, L.APPLIED, L.RETURNED, L.LISTED], ListingEvent.WITHDRAW, L.WITHDRAWN),
), initial=L.DRAFT)


class AssessmentEvent(enum.StrEnum):
    START = "start"
    ADMIT = "admit"
    DECLINE = "decline"


A = AssessmentStatus
assessment_lifecycle = Lifecycle("assessment", AssessmentStatus, AssessmentEvent, table(
    (A.RECEIVED, AssessmentEvent.START, A.UNDER_ASSESSMENT),
    ([A.RECEIVED, A.UNDER_ASSESSMENT], AssessmentEvent.ADMIT, A.ADMITTED),
    ([A.RECEIVED, A.UNDER_ASSESSMENT], AssessmentEvent.DECLINE, A.NOT_ADMITTED),
), initial=A.RECEIVED)

OPEN_ASSESSMENTS = frozenset({A.RECEIVED, A.UNDER_ASSESSMENT})
EDITABLE_LISTINGS = frozenset({L.DRAFT, L.RETURNED})

LISTING_STATUS_LABELS = {
    L.DRAFT: _l("Draft"),
    L.APPLIED: _l("Applied, awaiting review"),
    L.LISTED: _l("Listed"),
    L.RETURNED: _l("Returned"),
    L.WITHDRAWN: _l("Withdrawn"),
}
ASSESSMENT_STATUS_LABELS = {
    A.RECEIVED: _l("Received"),
    A.UNDER_ASSESSMENT: _l("Under assessment"),
    A.ADMITTED: _l("Admitted"),
    A.NOT_ADMITTED: _l("Not admitted"),
}
ASSESSMENT_EVENT_LABELS = {
    AssessmentEvent.START: _l("Start the assessment"),
    AssessmentEvent.ADMIT: _l("Admit"),
    AssessmentEvent.DECLINE: _l("Do not admit"),
}
