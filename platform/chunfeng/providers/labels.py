"""The labels shown for every providers value. No database here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..matching.models import ProfileStatus
from .models import EventSide, MeetingAnswer, MeetingOutcome, ProviderKind, RequestStatus

KIND_LABELS = {
    ProviderKind.LAB: _l("Testing laboratory"),
    ProviderKind.TRIAL_SITE: _l("Clinical trial site"),
    ProviderKind.CRO: _l("Contract research organisation (CRO)"),
    ProviderKind.CDMO: _l("Contract manufacturer (CDMO)"),
}

PROFILE_STATUS_LABELS = {
    ProfileStatus.PENDING: _l("Awaiting approval"),
    ProfileStatus.APPROVED: _l("Approved: visible to projects"),
    ProfileStatus.REJECTED: _l("Returned for changes"),
}

REQUEST_STATUS_LABELS = {
    RequestStatus.SENT: _l("Sent, awaiting an answer"),
    RequestStatus.ACCEPTED: _l("Accepted"),
    RequestStatus.DECLINED: _l("Declined"),
    RequestStatus.STARTED: _l("Under way"),
    RequestStatus.DELIVERED: _l("Delivered"),
    RequestStatus.WITHDRAWN: _l("Withdrawn"),
}

SIDE_LABELS = {
    EventSide.CLINICIAN: _l("Clinician with a selected project"),
    EventSide.COMPANY: _l("Company"),
    EventSide.INVESTOR: _l("Investor"),
    EventSide.PROVIDER: _l("Service provider"),
}

ANSWER_LABELS = {
    MeetingAnswer.PENDING: _l("Not answered yet"),
    MeetingAnswer.ACCEPTED: _l("Accepted"),
    MeetingAnswer.DECLINED: _l("Declined"),
}

OUTCOME_LABELS = {
    MeetingOutcome.FOLLOW_UP: _l("Follow-up agreed"),
    MeetingOutcome.NDA: _l("NDA signed"),
    MeetingOutcome.NONE: _l("No further step"),
}

FIELD_LABELS = {
    "summary": _l("Services offered"),
    "categories": _l("Device categories"),
    "standards": _l("Accredited tests and standards"),
    "specialties": _l("Registered specialties"),
    "capabilities": _l("Manufacturing capabilities"),
    "name": _l("Organisation name"),
}
