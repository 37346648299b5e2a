"""The catalogue's rules.

The public catalogue is open to everyone. A company (its approved members) applies for listings and sees its own
products with each hospital's assessment; administrators review applications. A hospital's staff see listed products
and only their own hospital's assessments and purchases: the equipment office declares interest, runs and decides
the assessment and records purchases; device-committee members record opinions. Regulators read the province-wide
figures and, like administrators, every assessment. Purchase amounts are shown only to the hospital, the company,
regulators and administrators. Anything else answers 404.
"""

from __future__ import annotations

from ..accounts.access import has_role, is_admin
from ..accounts.models import Role
from ..policy import rule
from .admission import hospital_function, works_at_hospital
from .models import Assessment, HospitalFunction, Listing, ListingStatus, PurchaseOrder


def _assessment_of(obj) -> Assessment:
    return obj.assessment if isinstance(obj, PurchaseOrder) else obj


def is_company_of(user, listing: Listing) -> bool:
    return has_role(user, Role.ENTERPRISE) and user.organization_id == listing.organization_id


def is_hospital_of(user, assessment: Assessment) -> bool:
    return hospital_function(user) is not None and user.organization_id == assessment.hospital_id


@rule("catalogue.apply")
def _company(user, obj) -> bool:
    """Without an object: any approved company member; with a listing: its own company."""
    return has_role(user, Role.ENTERPRISE) if obj is None else is_company_of(user, obj)


@rule("catalogue.listing")
def _company_or_admin(user, obj) -> bool:
    if obj is None:
        return has_role(user, Role.ENTERPRISE, Role.ADMIN)
    return is_admin(user) or is_company_of(user, obj)


@rule("catalogue.review")
def _reviewer(user, obj) -> bool:
    return is_admin(user) and (obj is None or obj.status != ListingStatus.DRAFT)


@rule("catalogue.hospital")
def _hospital_staff(user, obj) -> bool:
    """Hospital staff of a hospital organisation (the page asks them which office they belong to)."""
    return works_at_hospital(user)


@rule("catalogue.declare")
def _equipment_office(user, obj) -> bool:
    if hospital_function(user) != HospitalFunction.EQUIPMENT_OFFICE:
        return False
    return obj is None or obj.status == ListingStatus.LISTED


@rule("catalogue.assessment")
def _assessment_reader(user, obj) -> bool:
    if obj is None:
        return has_role(user, Role.HOSPITAL, Role.ENTERPRISE, Role.REGULATOR, Role.ADMIN)
    assessment = _assessment_of(obj)
    return (has_role(user, Role.ADMIN, Role.REGULATOR) or is_hospital_of(user, assessment)
            or is_company_of(user, assessment.listing))


@rule("catalogue.assessment_edit")
def _assessment_office(user, obj) -> bool:
    if obj is None:
        return has_role(user, Role.HOSPITAL)
    assessment = _assessment_of(obj)
    return is_hospital_of(user, assessment) and hospital_function(user) == HospitalFunction.EQUIPMENT_OFFICE


@rule("catalogue.opinion")
def _committee_member(user, obj) -> bool:
    if obj is None:
        return has_role(user, Role.HOSPITAL)
    return is_hospital_of(user, obj) and hospital_function(user) == HospitalFunction.DEVICE_COMMITTEE


@rule("catalogue.amounts")
def _amount_reader(user, obj) -> bool:
    """Purchase amounts: the hospital, the company, regulators and administrators."""
    assessment = _assessment_of(obj)
    return (has_role(user, Role.ADMIN, Role.REGULATOR) or is_hospital_of(user, assessment)
            or is_company_of(user, assessment.listing))


def amounts_view_is_audited(user, assessment: Assessment) -> bool:
    """Every view of amounts by someone other than the hospital and the company is audited."""
    return not is_hospital_of(user, assessment) and not is_company_of(user, assessment.listing)


@rule("catalogue.regulator")
def _regulator(user, obj) -> bool:
    return has_role(user, Role.REGULATOR, Role.ADMIN)
