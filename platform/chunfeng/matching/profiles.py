"""Organisation profiles: what an enterprise makes or an investor funds, edited by its members and approved by an
administrator before it is matched (see `lifecycles.profile_lifecycle`)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..accounts.services import active_admins
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from .common import ORG_PROFILE_KIND, ROLE_PROFILE_KIND, MatchingError, notify_members
from .lifecycles import ProfileEvent, profile_lifecycle
from .models import OrgProfile, ProfileKind, ProfileStatus

ENTERPRISE_FIELDS = (
    "business_scope",
    "product_lines",
    "registered_products",
    "rd_capability",
    "manufacturing_capability",
    "registration_experience",
    "region",
    "cooperation_modes",
    "stages",
)
INVESTOR_FIELDS = ("focus_areas", "stages", "ticket_min", "ticket_max", "region", "cooperation_modes")


def send_for_review(profile, lifecycle, resubmit, user, first_time: bool, message: str, queue: str) -> None:
    """A profile reviewed by administrators (organisations', service providers'), just saved: a returned one goes
    back to their queue (`resubmit` through its lifecycle) and, like a new one, loses the last review's note; the
    administrators are told (`message` with the organisation's name, linking to the `queue` endpoint)."""
    resubmitted = lifecycle.allowed(profile.status, resubmit)
    if resubmitted:
        lifecycle.apply(profile, resubmit, user)
    if first_time or resubmitted:
        profile.review_note = ""
        for admin in active_admins():
            notify(admin, message, path_for(queue), org=profile.organization.name)


def profile_fields(kind: ProfileKind) -> tuple[str, ...]:
    return INVESTOR_FIELDS if kind == ProfileKind.INVESTOR else ENTERPRISE_FIELDS


def new_profile(user) -> OrgProfile:
    """An unsaved profile for the user's organisation, pre-filled with what registration already knows."""
    org = user.organization
    kind = ORG_PROFILE_KIND.get(org.kind) or ROLE_PROFILE_KIND[user.role]
    return profile_lifecycle.begin(OrgProfile(
        organization=org,
        organization_id=org.id,
        kind=kind,
        region=org.province,
        registration_experience=[],
        cooperation_modes=[],
        stages=[],
    ))


def save_profile(profile: OrgProfile, data: dict, user) -> OrgProfile:
    """Store an edit by a member of the organisation. A new or rejected profile goes (back) to the
    administrators' queue; an approved one stays approved and its matches are refreshed at commit."""
    for name in profile_fields(profile.kind):
        if name in data:
            setattr(profile, name, data[name])
    profile.updated_by_id = user.id
    first_time = profile.id is None
    if first_time and profile.status is None:
        profile_lifecycle.begin(profile)
    db.session.add(profile)
    db.session.flush()
    send_for_review(profile, profile_lifecycle, ProfileEvent.RESUBMIT, user, first_time,
                    N_("Organisation profile awaiting approval: %(org)s"), "matching.admin_profiles")
    record(
        "profile.created" if first_time else "profile.updated",
        profile,
        actor=user,
        organization=profile.organization.name,
    )
    return profile


def decide_profile(profile: OrgProfile, approve: bool, admin, note: str = "") -> None:
    if not approve and not note.strip():
        raise MatchingError(_("Please tell the organisation what to change."))
    event = ProfileEvent.APPROVE if approve else ProfileEvent.REJECT
    if not profile_lifecycle.allowed(profile.status, event):
        raise MatchingError(_("This profile has already been approved."))
    profile.review_note = "" if approve else note.strip()
    profile.approved_by_id = admin.id if approve else None
    profile.approved_at = utcnow() if approve else None
    profile_lifecycle.apply(profile, event, admin, note=profile.review_note, review_note=profile.review_note)
    message = (
        N_("Your organisation profile has been approved: matched projects are now available.")
        if approve
        else N_("Your organisation profile was returned: %(note)s")
    )
    notify_members(profile.organization_id, message, path_for("matching.profile"), note=profile.review_note)


def profiles_for_review(status: ProfileStatus | None = None) -> Select:
    """Profiles waiting for a decision first, then the latest changed (a page of them at a time)."""
    query = (
        select(OrgProfile)
        .options(joinedload(OrgProfile.organization))
        .order_by((OrgProfile.status == ProfileStatus.PENDING).desc(), OrgProfile.updated_at.desc(),
                  OrgProfile.id.desc())
    )
    if status is not None:
        query = query.where(OrgProfile.status == status)
    return query


_STATUS_COUNTS = select(OrgProfile.status, func.count()).group_by(OrgProfile.status)  # built once: the workspace


def profile_counts() -> dict[str, int]:
    rows = db.session.execute(_STATUS_COUNTS)
    return {str(status): count for status, count in rows}
