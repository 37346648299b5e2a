"""The published criteria a listing is reviewed against, shown on the application and on the review page, and the
labels of the product's fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from .models import HospitalFunction, ListingPathway, ProductClass, Vote

CRITERIA = (
    _l("The product holds a valid class II or class III medical device registration certificate (注册证) issued in "
       "China, and the registration number given matches it."),
    _l("The product was approved through the special review of innovative devices, priority review, or is an "
       "innovative product approved through the regular route with clear clinical advantages."),
    _l("The product answers a clinical need: the summary states the problem it solves and for whom."),
    _l("The applicant is the registrant or its authorised agent, and the information given is true."),
    _l("The product has had no serious adverse event recall in the past two years."),
)

CLASS_LABELS = {ProductClass.II: _l("Class II"), ProductClass.III: _l("Class III")}
PATHWAY_LABELS = {
    ListingPathway.INNOVATION: _l("Innovative (创新)"),
    ListingPathway.PRIORITY: _l("Priority (优先)"),
    ListingPathway.REGULAR: _l("Regular (常规)"),
}
FUNCTION_LABELS = {
    HospitalFunction.EQUIPMENT_OFFICE: _l("Equipment (medical engineering) office"),
    HospitalFunction.DEVICE_COMMITTEE: _l("Device committee"),
}
VOTE_LABELS = {Vote.SUPPORT: _l("Support"), Vote.OPPOSE: _l("Oppose"), Vote.ABSTAIN: _l("Abstain")}
