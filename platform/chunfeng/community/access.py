"""The community's rules: clinical needs, company challenges, consultations.

Visitors who are not signed in see public clinical needs and the FAQ only. Needs marked for members ('companies')
are seen by every approved account (companies, investors, clinicians, experts, staff); challenges by approved
accounts too. Hidden content: administrators and its author (or the company) only.
"""

from __future__ import annotations

from ..accounts.access import is_admin
from ..accounts.models import Role
from ..policy import can, rule
from .lifecycles import challenge_is_open, need_is_open

COMMUNITY_ASKERS = (Role.CLINICIAN, Role.ENTERPRISE, Role.INVESTOR)
COMMUNITY_ANSWERERS = (Role.OFFICER, Role.EXPERT, Role.ADMIN)


def approved_member(user) -> bool:
    """A signed-in, approved account (what members-only content asks for)."""
    return bool(user is not None and user.is_authenticated and user.is_approved)


def community_public(obj) -> bool:
    """What a visitor who is not signed in may see: public clinical needs that are not hidden."""
    return bool(getattr(obj, "is_public", False))


def community_may(user, action: str, obj=None) -> bool:
    """`can`, extended to visitors for the community's public content."""
    if user is None or not user.is_authenticated:
        return community_public(obj)
    return can(user, action, obj)


def _challenge_company(user, challenge) -> bool:
    return user.has_role(Role.ENTERPRISE) and user.organization_id == challenge.org_id


@rule("community.member", "community.report")
def _community_member(user, obj) -> bool:
    return user.is_approved


@rule("community.view_need")
def _view_need(user, need) -> bool:
    if need is None:
        return True
    if need.hidden:
        return is_admin(user) or need.author_id == user.id
    return need.is_public or need.author_id == user.id or user.is_approved


@rule("community.post_need")
def _post_need(user, obj) -> bool:
    return user.has_role(Role.CLINICIAN)


@rule("community.edit_need", "community.convert_need")
def _own_open_need(user, need) -> bool:
    if need is None:
        return user.has_role(Role.CLINICIAN)
    return (user.has_role(Role.CLINICIAN) and need.author_id == user.id and not need.hidden
            and need_is_open(need))


@rule("community.engage")
def _engage(user, item) -> bool:
    """Follow or comment: approved accounts, on a need or challenge they can see and that is not hidden."""
    if not user.is_approved:
        return False
    if item is None:
        return True
    action = "community.view_need" if item.__tablename__ == "community_needs" else "community.view_challenge"
    return not item.hidden and can(user, action, item)


@rule("community.see_too")
def _see_too(user, need) -> bool:
    if not user.has_role(Role.CLINICIAN, Role.EXPERT):
        return False
    return need is None or (need.author_id != user.id and _engage(user, need))


@rule("community.view_challenge")
def _view_challenge(user, challenge) -> bool:
    if challenge is None or not challenge.hidden:
        return user.is_approved
    return is_admin(user) or _challenge_company(user, challenge)


@rule("community.post_challenge")
def _post_challenge(user, obj) -> bool:
    return user.has_role(Role.ENTERPRISE) and user.organization_id is not None


@rule("community.manage_challenge")
def _manage_challenge(user, challenge) -> bool:
    if challenge is None:
        return _post_challenge(user, None)
    return _challenge_company(user, challenge) and not challenge.hidden


@rule("community.respond")
def _respond(user, challenge) -> bool:
    if not user.has_role(Role.CLINICIAN):
        return False
    return challenge is None or (not challenge.hidden and challenge_is_open(challenge))


@rule("community.own_response")
def _own_response(user, response) -> bool:
    return response is None or response.clinician_id == user.id


@rule("community.consult", "community.book")
def _consult(user, obj) -> bool:
    return user.has_role(*COMMUNITY_ASKERS)


@rule("community.answer")
def _answer(user, obj) -> bool:
    return user.has_role(*COMMUNITY_ANSWERERS)


@rule("community.consultations")
def _consultation_desk(user, obj) -> bool:
    return user.has_role(*COMMUNITY_ASKERS, *COMMUNITY_ANSWERERS)


@rule("community.view_consultation")
def _view_consultation(user, consultation) -> bool:
    return consultation is None or consultation.asker_id == user.id or _answer(user, consultation)


@rule("community.publish_faq")
def _publish_faq(user, obj) -> bool:
    return user.has_role(Role.OFFICER, Role.ADMIN)


@rule("community.manage_slots")
def _manage_slots(user, slot) -> bool:
    if slot is None:
        return user.has_role(Role.OFFICER, Role.ADMIN)
    return is_admin(user) or (user.has_role(Role.OFFICER) and slot.officer_id == user.id)


@rule("community.own_consultation")
def _own_consultation(user, consultation) -> bool:
    """The asker's own decisions about their question (FAQ publication)."""
    if consultation is None:
        return _consult(user, None)
    return consultation.asker_id == user.id


@rule("community.own_booking")
def _own_booking(user, booking) -> bool:
    if booking is None:
        return _consult(user, None)
    return booking.user_id == user.id


@rule("community.moderate")
def _moderate(user, obj) -> bool:
    return is_admin(user)
