"""Company challenges: posting, editing, closing and reopening, the listing; clinicians' replies and the consent
that lets a company see a clinician's contact details."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, false, select

from ..accounts.models import AccountStatus, Role, User
from ..core.services import N_, notify, record
from ..db import db, utcnow
from . import consents
from .access import approved_member
from .lifecycles import CHALLENGE_EVENT_TO, challenge_lifecycle
from .limits import check_comment_rate, check_post_rate
from .links import challenge_link
from .models import Challenge, ChallengeResponse, ChallengeStatus
from .suggestions import refresh_suggestions
from .text import filtered

CHALLENGE_FIELDS = ("title", "description", "kind", "specialty", "deadline")
CHALLENGE_TEXT = (Challenge.title, Challenge.description, Challenge.specialty)


def create_challenge(author, **fields) -> Challenge:
    check_post_rate(author)
    challenge = challenge_lifecycle.begin(
        Challenge(org_id=author.organization_id, author_id=author.id, **_challenge_values(fields)))
    db.session.add(challenge)
    db.session.flush()
    record("community.challenge_posted", challenge, actor=author)
    refresh_suggestions(challenge)
    return challenge


def update_challenge(challenge: Challenge, actor, **fields) -> None:
    for key, value in _challenge_values(fields).items():
        setattr(challenge, key, value)
    record("community.challenge_edited", challenge, actor=actor)
    refresh_suggestions(challenge)


def _challenge_values(fields: dict) -> dict:
    values = {key: fields.get(key) for key in CHALLENGE_FIELDS}
    for key in ("title", "description", "specialty"):
        values[key] = (values[key] or "").strip()
    return values


def set_challenge_status(challenge: Challenge, actor, status: ChallengeStatus) -> bool:
    """Close or reopen; False when the challenge already has that status."""
    if challenge.status == ChallengeStatus(status):
        return False
    challenge_lifecycle.apply(challenge, CHALLENGE_EVENT_TO[ChallengeStatus(status)], actor)
    return True


def visible_challenges(user) -> Select:
    if not approved_member(user):
        return select(Challenge).where(false())
    return select(Challenge).where(Challenge.hidden.is_(False))


def challenge_listing(user, query: str = "", specialty: str = "", status: str = "open") -> Select:
    stmt = filtered(visible_challenges(user), CHALLENGE_TEXT, query, Challenge.specialty, specialty)
    if status in {s.value for s in ChallengeStatus}:
        stmt = stmt.where(Challenge.status == status)
    return stmt.order_by(Challenge.id.desc())


# --- replies and contact consent ------------------------------------------------------------------------

def contact_consent_text(challenge: Challenge) -> str:
    return _("Share my contact details (name, hospital, department, phone, e-mail) with %(company)s "
             "for this challenge. I can withdraw this at any time.", company=challenge.organization.name)


def own_response(challenge: Challenge, user) -> ChallengeResponse | None:
    if not approved_member(user):
        return None
    return db.session.scalar(select(ChallengeResponse).where(
        ChallengeResponse.challenge_id == challenge.id, ChallengeResponse.clinician_id == user.id))


def respond(challenge: Challenge, clinician, message: str, offer_help: bool, share_contact: bool) -> ChallengeResponse:
    """Create or update the clinician's reply; ticking or unticking the consent grants or withdraws it."""
    response = own_response(challenge, clinician)
    if response is None:
        check_comment_rate(clinician)
        response = ChallengeResponse(challenge=challenge, clinician_id=clinician.id, message="")
        db.session.add(response)
        _notify_company(challenge, N_("A clinician replied to your challenge \"%(title)s\"."))
    response.message, response.offer_help = message.strip(), bool(offer_help)
    db.session.flush()
    record("community.response_saved", response, actor=clinician, offer_help=response.offer_help)
    if share_contact and not response.contact_shared:
        share_contact_details(response, clinician)
    elif not share_contact and response.contact_shared:
        revoke_contact(response, clinician)
    return response


def _notify_company(challenge: Challenge, message: str) -> None:
    company = db.session.scalars(select(User).where(
        User.organization_id == challenge.org_id, User.role == Role.ENTERPRISE,
        User.status == AccountStatus.ACTIVE)).all()
    for person in company:
        notify(person, message, challenge_link(challenge), title=challenge.title)


def share_contact_details(response: ChallengeResponse, clinician) -> None:
    challenge = response.challenge
    org = challenge.organization
    response.consent = consents.grant(clinician, consents.CONTACT_SHARE, contact_consent_text(challenge),
                                      organization_id=org.id, organization=org.name, challenge_id=challenge.id)
    response.contact_shared, response.shared_at = True, utcnow()
    record("community.contact_shared", response, actor=clinician, organization_id=org.id)
    _notify_company(challenge, N_("A clinician shared contact details for your challenge \"%(title)s\"."))


def revoke_contact(response: ChallengeResponse, clinician) -> None:
    consents.withdraw(response.consent)
    response.contact_shared, response.shared_at = False, None
    record("community.contact_revoked", response, actor=clinician, organization_id=response.challenge.org_id)


def contact_for(response: ChallengeResponse) -> dict | None:
    """The clinician's contact details, only while their consent naming this company stands."""
    consent = response.consent
    if not response.contact_shared or consent is None or consent.revoked_at is not None:
        return None
    if consent.detail.get("organization_id") != response.challenge.org_id:
        return None
    person = response.clinician
    return {"name": person.name, "title": person.title, "hospital": person.org_name,
            "department": person.department, "phone": person.phone, "email": person.email}
