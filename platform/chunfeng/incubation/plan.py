"""The pathway plan: which milestones a project walks, how long each is planned to take, what the pathway means
for it, and the labels shown for every incubation value. No database here."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..submissions.models import DeviceClass, Pathway
from .models import Audience, EntryKind, MilestoneKey, MilestoneStatus

K = MilestoneKey
PLAN_KEYS: tuple[MilestoneKey, ...] = tuple(MilestoneKey)

KEY_LABELS = {
    K.TECHNICAL_REQUIREMENTS: _l("Product technical requirements"),
    K.REGISTRATION_TESTING: _l("Registration testing"),
    K.CLINICAL_EVALUATION: _l("Clinical evaluation"),
    K.REGISTRATION_SUBMISSION: _l("Registration submission"),
    K.ACCEPTANCE: _l("Acceptance"),
    K.TECHNICAL_REVIEW: _l("Technical review"),
    K.APPROVAL: _l("Approval"),
}

MILESTONE_STATUS_LABELS = {
    MilestoneStatus.NOT_STARTED: _l("Not started"),
    MilestoneStatus.IN_PROGRESS: _l("In progress"),
    MilestoneStatus.DONE: _l("Done"),
    MilestoneStatus.SKIPPED: _l("Skipped"),
}

KIND_LABELS = {
    EntryKind.CONSULTATION: _l("Consultation"),
    EntryKind.SITE_VISIT: _l("Site visit"),
    EntryKind.GUIDANCE: _l("Guidance"),
    EntryKind.QUESTION: _l("Question"),
}

AUDIENCE_LABELS = {
    Audience.INTERNAL: _l("Internal (officers and administrators)"),
    Audience.CLINICIAN: _l("The doctor"),
    Audience.COMPANY: _l("The connected company"),
    Audience.BOTH: _l("The doctor and the connected company"),
}

# Platform defaults, until the administrator sets the share his province has committed to (Stage targets page).
DEFAULT_PERCENT = {
    Pathway.PRE_REVIEW: 45,
    Pathway.PRIORITY: 55,
    Pathway.ZERO_SUPPLEMENT: 100,
    Pathway.INNOVATION: 100,
}

# Planned working days of the stages that have no statutory limit, by device class.
PLAN_DAYS = {
    K.TECHNICAL_REQUIREMENTS: {"II": 30, "III": 40},
    K.REGISTRATION_TESTING: {"II": 60, "III": 90},
    K.CLINICAL_EVALUATION: {"II": 40, "III": 180},
    K.REGISTRATION_SUBMISSION: {"II": 15, "III": 20},
}

SKIPPABLE = frozenset({K.CLINICAL_EVALUATION})  # 免于临床评价 when the device is in the exemption catalogue

GUIDANCE = {
    (Pathway.PRE_REVIEW, K.TECHNICAL_REQUIREMENTS): _l(
        "Pre-submission review: ask the review centre to look at the draft technical requirements before "
        "registration testing starts."),
    (Pathway.PRE_REVIEW, K.CLINICAL_EVALUATION): _l(
        "Pre-submission review: agree the clinical evaluation route (equivalent device, literature or trial) "
        "with the reviewers in advance."),
    (Pathway.PRE_REVIEW, K.REGISTRATION_SUBMISSION): _l(
        "Pre-submission review: the reviewers have already seen the documents; submit the final dossier."),
    (Pathway.PRE_REVIEW, K.TECHNICAL_REVIEW): _l(
        "The documents were reviewed in advance, so the formal review is expected to be much shorter."),
    (Pathway.ZERO_SUPPLEMENT, K.REGISTRATION_SUBMISSION): _l(
        "Zero supplementary requests: check the full dossier against the review checklist before submitting."),
    (Pathway.ZERO_SUPPLEMENT, K.TECHNICAL_REVIEW): _l(
        "Aim: pass technical review without any request for supplementary information."),
    (Pathway.PRIORITY, K.REGISTRATION_SUBMISSION): _l(
        "Apply for priority approval together with the registration application."),
    (Pathway.PRIORITY, K.TECHNICAL_REVIEW): _l("Priority approval: the application is reviewed ahead of the queue."),
    (Pathway.INNOVATION, K.TECHNICAL_REQUIREMENTS): _l(
        "Innovative device special review: the review centre names a contact and discusses the technical "
        "requirements early."),
    (Pathway.INNOVATION, K.REGISTRATION_TESTING): _l("Innovative devices are tested with priority."),
    (Pathway.INNOVATION, K.CLINICAL_EVALUATION): _l(
        "Class III: a clinical trial is usually needed; agree the protocol with the review centre early."),
    (Pathway.INNOVATION, K.TECHNICAL_REVIEW): _l(
        "Reviewed with priority by the NMPA Center for Medical Device Evaluation."),
}

EXEMPTION_HINT = _l("If the device is listed in the catalogue of devices exempt from clinical evaluation, "
                    "mark this milestone exempt.")


def guidance(pathway: Pathway, key: MilestoneKey):
    return GUIDANCE.get((Pathway(pathway), MilestoneKey(key)))


def plan_class(device_class: DeviceClass | str, pathway: Pathway) -> str:
    """The class whose statutory limits apply: the project's, else the one the pathway implies."""
    if str(device_class) in ("II", "III"):
        return str(device_class)
    return "III" if Pathway(pathway) == Pathway.INNOVATION else "II"
