"""Provider profiles: what a testing lab, trial site, CRO or CDMO offers, edited by its staff and approved (or
returned with a note) by an administrator before it is suggested to projects (`lifecycles.provider_lifecycle`)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..core.services import N_, record
from ..core.web import path_for
from ..db import db, utcnow
from ..matching.models import ProfileStatus
from ..matching.profiles import send_for_review
from .errors import ProviderError
from .lifecycles import ProfileEvent, provider_lifecycle
from .models import ProviderKind, ProviderProfile
from .staff import notify_staff

COMMON_FIELDS = ("kind", "summary", "region", "device_classes", "categories")
KIND_FIELDS = {
    ProviderKind.LAB: ("standards", "turnaround_days"),
    ProviderKind.TRIAL_SITE: ("specialties", "ethics_cadence", "ethics_days", "contract_days"),
    ProviderKind.CRO: ("specialties", "ethics_days", "contract_days"),
    ProviderKind.CDMO: ("capabilities", "clean_room_class"),
}
TEXT_FIELDS = ("summary", "categories", "standards", "specialties", "capabilities")


def profile_fields(kind: ProviderKind) -> tuple[str, ...]:
    return COMMON_FIELDS + KIND_FIELDS[ProviderKind(kind)]


def profile_of(organization_id: int | None) -> ProviderProfile | None:
    if organization_id is None:
        return None
    return db.session.scalar(select(ProviderProfile).where(ProviderProfile.organization_id == organization_id))


def new_profile(user) -> ProviderProfile:
    """An unsaved profile for the provider's organisation, its region taken from the organisation."""
    org = user.organization
    return provider_lifecycle.begin(ProviderProfile(
        organization=org, organization_id=org.id, kind=ProviderKind.LAB, region=org.province, device_classes=[]))


def save_profile(profile: ProviderProfile, data: dict, user) -> ProviderProfile:
    """Store an edit by the provider's staff. A new or returned profile goes (back) to the administrators' queue;
    an approved one stays approved."""
    kind = ProviderKind(data.get("kind") or profile.kind)
    for name in profile_fields(kind):
        if name in data:
            value = data[name]
            setattr(profile, name, value.strip() if isinstance(value, str) else value)
    if not any(getattr(profile, name) for name in TEXT_FIELDS):
        raise ProviderError(_("Please describe the services you offer."), "summary")
    profile.updated_by_id = user.id
    first_time = profile.id is None
    db.session.add(profile)
    db.session.flush()
    send_for_review(profile, provider_lifecycle, ProfileEvent.RESUBMIT, user, first_time,
                    N_("Service provider awaiting approval: %(org)s"), "providers.admin_profiles")
    record("provider_profile.created" if first_time else "provider_profile.updated", profile, actor=user,
           organization=profile.organization.name)
    return profile


def decide_profile(profile: ProviderProfile, approve: bool, admin, note: str = "") -> None:
    """Approve the profile, or return it with a note saying what to change; the provider's staff are told."""
    if not approve and not note.strip():
        raise ProviderError(_("Please tell the provider what to change."), "note")
    event = ProfileEvent.APPROVE if approve else ProfileEvent.REJECT
    if not provider_lifecycle.allowed(profile.status, event):
        raise ProviderError(_("This profile has already been approved."))
    profile.review_note = "" if approve else note.strip()
    profile.approved_by_id = admin.id if approve else None
    profile.approved_at = utcnow() if approve else None
    provider_lifecycle.apply(profile, event, admin, note=profile.review_note, review_note=profile.review_note)
    message = (N_("Your service provider profile has been approved: projects can now send you requests.") if approve
               else N_("Your service provider profile was returned: %(note)s"))
    notify_staff(profile.organization_id, message, path_for("providers.profile"), note=profile.review_note)


def approved_profiles(kinds: tuple[ProviderKind, ...] | None = None) -> list[ProviderProfile]:
    query = (select(ProviderProfile).options(joinedload(ProviderProfile.organization))
             .where(ProviderProfile.status == ProfileStatus.APPROVED).order_by(ProviderProfile.id))
    if kinds:
        query = query.where(ProviderProfile.kind.in_(kinds))
    return list(db.session.scalars(query))


def profiles_for_review() -> list[ProviderProfile]:
    return list(db.session.scalars(
        select(ProviderProfile).options(joinedload(ProviderProfile.organization))
        .order_by((ProviderProfile.status == ProfileStatus.PENDING).desc(), ProviderProfile.updated_at.desc())))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ProviderProfile)
                             .where(ProviderProfile.status == ProfileStatus.PENDING)) or 0
