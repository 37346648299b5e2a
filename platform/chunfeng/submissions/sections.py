"""The sections of a project as the clinician fills them in, and which answers are required to submit.

Plain data (no WTForms): services use it for the completeness check, templates for the navigation and for
showing a project or one of its versions; forms.py builds one form per section from the same keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from .models import (
    COOPERATION_LABELS,
    DEVICE_CLASS_LABELS,
    IP_STATUS_LABELS,
    PATHWAY_LABELS,
    PUBLIC_FIELDS,
    STAGE_LABELS,
)


@dataclass(frozen=True)
class Section:
    key: str
    label: object  # lazy string
    fields: tuple[str, ...]
    required: tuple[str, ...] = ()
    intro: object = ""
    public: bool = False  # shown with the non-confidential summary once the project is released for matching


SECTIONS: tuple[Section, ...] = (
    Section("summary", _l("Title and public summary"), ("title", "specialty", "public_summary"),
            required=("title", "specialty", "public_summary"), public=True,
            intro=_l("This is the only text companies and investors may read once the project is released for "
                     "matching. Describe the clinical need and the kind of device in general terms; keep how it "
                     "works, data and patent details for the confidential sections.")),
    Section("need", _l("Clinical need"),
            ("need_problem", "need_population", "need_outcome", "current_practice"),
            required=("need_problem", "need_population", "need_outcome", "current_practice"),
            intro=_l("State the need without the solution: the problem, the patients who have it, and the "
                     "outcome that should change (for example: a way to reduce re-occlusion in patients with "
                     "acute ischaemic stroke treated by thrombectomy).")),
    Section("solution", _l("Solution and innovation"), ("solution", "innovation_points"),
            required=("solution", "innovation_points")),
    Section("patients", _l("Target patients"), ("target_patients", "patient_count")),
    Section("device", _l("Device and registration"),
            ("device_type", "device_class", "catalogue_category", "pathway_hopes"), required=("device_class",),
            intro=_l("The management class is shown with the public summary; the rest of this section stays "
                     "confidential.")),
    Section("progress", _l("Development stage and evidence"), ("stage", "evidence"), required=("stage",),
            intro=_l("The development stage is shown with the public summary; the evidence stays confidential.")),
    Section("ip", _l("Intellectual property"), ("ip_status", "ip_numbers")),
    Section("team", _l("Team"), ("team",)),
    Section("cooperation", _l("Cooperation wanted"), ("cooperation",), public=True),
    Section("attachments", _l("Attachments"), ()),
    Section("declaration", _l("Declaration"), ("attests_no_patient_data",), required=("attests_no_patient_data",)),
)
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
FIELD_SECTION = {name: section.key for section in SECTIONS for name in section.fields}

FIELD_LABELS = {
    "title": _l("Project title"),
    "specialty": _l("Specialty / department"),
    "public_summary": _l("Non-confidential summary"),
    "need_problem": _l("Clinical problem"),
    "need_population": _l("Patient population concerned"),
    "need_outcome": _l("Outcome to improve"),
    "current_practice": _l("Current practice and its shortcomings"),
    "solution": _l("Proposed solution and how it works"),
    "innovation_points": _l("Innovation points"),
    "target_patients": _l("Target patients"),
    "patient_count": _l("Number of patients (estimate)"),
    "device_type": _l("Device type"),
    "device_class": _l("Likely NMPA management class"),
    "catalogue_category": _l("Classification catalogue category"),
    "pathway_hopes": _l("Regulatory pathway hoped for"),
    "stage": _l("Development stage"),
    "evidence": _l("Evidence so far"),
    "ip_status": _l("Intellectual property"),
    "ip_numbers": _l("Patent or application numbers"),
    "team": _l("Team members and roles"),
    "cooperation": _l("Cooperation wanted"),
    "attests_no_patient_data": _l("No patient-identifiable data"),
}

# How stored values are shown: enumerations through their labels, lists item by item.
VALUE_LABELS = {
    "device_class": DEVICE_CLASS_LABELS,
    "stage": STAGE_LABELS,
    "ip_status": IP_STATUS_LABELS,
    "cooperation": COOPERATION_LABELS,
    "pathway_hopes": PATHWAY_LABELS,
}

# The free-text answers a clinician may change in supplementary material after submitting (the title, specialty,
# choices and the declaration stay as submitted).
SUPPLEMENT_FIELDS: tuple[str, ...] = (
    "public_summary", "need_problem", "need_population", "need_outcome", "current_practice", "solution",
    "innovation_points", "target_patients", "evidence", "team",
)
# Sections that name people: experts never see them (blind review), nor their changes.
IDENTIFYING_SECTIONS = frozenset({"team", "declaration"})

# Every field a version records, in section order (PUBLIC_FIELDS + CONFIDENTIAL_FIELDS + the attestation).
VERSION_FIELDS: tuple[str, ...] = tuple(name for section in SECTIONS for name in section.fields)


@dataclass(frozen=True)
class Missing:
    """One unanswered required item, with the section where the clinician can answer it."""

    section: str
    field: str
    label: object


@dataclass
class DisplayRow:
    name: str
    label: object
    value: object  # str, or list of labels
    public: bool
    missing: bool = False  # a required answer not given yet (shown as such, as the checklist names it)


@dataclass
class DisplaySection:
    key: str
    label: object
    public: bool
    rows: list[DisplayRow] = field(default_factory=list)


def display_value(name: str, value):
    """A stored answer as text for reading (labels translated now), a list of texts, or a bool."""
    labels = VALUE_LABELS.get(name) or {}
    if isinstance(value, list):
        return [str(labels.get(item, item)) for item in value]
    if isinstance(value, bool):
        return value
    return str(labels.get(value, value or ""))


def display_sections(fields: dict, confidential: bool, missing: Iterable[str] = ()) -> list[DisplaySection]:
    """The answers in `fields` (a project's or a version's) grouped by section, for reading.

    Without `confidential`, only the fields companies may see (PUBLIC_FIELDS) are kept. The fields named in
    `missing` (services.missing_items) are shown as not answered yet, whatever default value they hold (the stage
    'idea' of a section never saved, the class 'not yet known'), so the overview says what the checklist says.
    """
    missing = set(missing)
    shown = []
    for section in SECTIONS:
        rows = [_row(name, fields.get(name), name in missing)
                for name in section.fields if confidential or name in PUBLIC_FIELDS]
        if rows:
            shown.append(DisplaySection(section.key, section.label, section.public, rows))
    return shown


def _row(name: str, value, missing: bool) -> DisplayRow:
    if missing and not isinstance(value, bool):
        value = ""
    return DisplayRow(name, FIELD_LABELS[name], display_value(name, value), name in PUBLIC_FIELDS, missing)
