"""Who may see or do what: the one place that decides.

Routes declare their rule with `@guard(action)` (or `@public`); objects are checked with `authorize(action, obj)`,
which answers 404 when the user may not even know the object exists. Rules are plain functions of
(user, obj) registered under an action name, grouped below by domain.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from .accounts.models import Role

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}
PUBLIC = "public"


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _RULES:
                raise ValueError(f"duplicate policy rule {action}")
            _RULES[action] = fn
        return fn
    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if action == PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(_RULES[action](user, obj))


def known_actions() -> frozenset[str]:
    return frozenset(_RULES)


def _refuse(status: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(status)


def authorize(action: str, obj: Any = None) -> None:
    """Stop the request unless the current user may do `action` to `obj`: anonymous users are sent to log in,
    an object the user may not act on answers 404 (its existence is not revealed)."""
    if can(current_user, action, obj):
        return
    if not current_user.is_authenticated:
        abort(_refuse(401))
    abort(404 if obj is not None else 403)


def guard(action: str) -> Callable:
    """Route decorator: the user must pass `action` (without an object) before the view runs."""
    if action not in _RULES and action != PUBLIC:
        raise KeyError(f"no policy rule named {action}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                return _refuse(403)
            return view(*args, **kwargs)
        wrapped.policy_action = action
        return wrapped
    return decorate


def public(view: Callable) -> Callable:
    view.policy_action = PUBLIC
    return view


def has_role(user: Any, *roles: Role) -> bool:
    return user.has_role(*roles)


def is_admin(user: Any) -> bool:
    return user.has_role(Role.ADMIN)


# --- accounts ------------------------------------------------------------------------------------------

@rule("account.self")
def _signed_in(user, obj) -> bool:
    return True


@rule("admin.access", "accounts.manage", "audit.view")
def _admin(user, obj) -> bool:
    return is_admin(user)


@rule("notifications.view")
def _own_notifications(user, obj) -> bool:
    return obj is None or obj.user_id == user.id


# --- submissions (idea intake) ------------------------------------------------------------------------
# A project is seen by its owner and, once submitted, by administrators and officers; anyone else gets 404.
# Its confidential details (the sections beyond the public summary, earlier versions' content, attachments)
# are seen by the owner and administrators, and by whoever a hook below admits.
#
# CONFIDENTIAL_ACCESS: other domains widen "submission.view_confidential" (and so "submission.attachment")
# by appending fn(user, project) -> bool from their own section, e.g. matching: a member of a company holding
# the clinician's active share grant; incubation: the project's officer (experts read the blind review pages
# instead). A hook answers only for its own reason and returns False otherwise.
CONFIDENTIAL_ACCESS: list[Callable[[Any, Any], bool]] = []


def _owns(user, project) -> bool:
    return project is not None and project.owner_id == user.id and user.has_role(Role.CLINICIAN)


def _project_of(obj):
    """Rules about attachments accept the attachment or its project."""
    return getattr(obj, "project", obj)


def sent_to_platform(project) -> bool:
    """Submitted at least once. Until then "nothing is sent to anyone": staff do not see the owner's draft (nor a
    draft withdrawn before it was ever submitted)."""
    from .submissions.status import Status

    return project.status not in (Status.DRAFT, Status.WITHDRAWN) or bool(project.versions)


def _staff_sees(user, project, *roles: Role) -> bool:
    return has_role(user, *roles) and sent_to_platform(project)


@rule("submission.create", "submission.mine")
def _approved_clinician(user, obj) -> bool:
    return user.has_role(Role.CLINICIAN)


@rule("submission.view")
def _owner_or_staff(user, project) -> bool:
    """Without a project (route guard): any signed-in user; the project check then answers 404 or not."""
    return project is None or _owns(user, project) or _staff_sees(user, project, Role.ADMIN, Role.OFFICER)


@rule("submission.versions")
def _owner_or_admin(user, project) -> bool:
    return project is None or _owns(user, project) or _staff_sees(user, project, Role.ADMIN)


@rule("submission.view_confidential")
def _confidential_reader(user, project) -> bool:
    if project is None:
        return True
    if _owns(user, project) or _staff_sees(user, project, Role.ADMIN):
        return True
    return any(hook(user, project) for hook in CONFIDENTIAL_ACCESS)


@rule("submission.attachment")
def _attachment_reader(user, obj) -> bool:
    return can(user, "submission.view_confidential", _project_of(obj) if obj is not None else None)


@rule("submission.edit", "submission.submit")
def _owner_while_editable(user, project) -> bool:
    from .submissions.status import EDITABLE

    if project is None:
        return user.has_role(Role.CLINICIAN)
    return _owns(user, project) and project.status in EDITABLE


@rule("submission.withdraw")
def _owner_before_decision(user, project) -> bool:
    from .submissions.status import Event, allowed

    if project is None:
        return user.has_role(Role.CLINICIAN)
    return _owns(user, project) and allowed(project.status, Event.WITHDRAW)



# --- reviews (formal check, rounds, rubric, expert review, decisions, results) -----------------------
# Administrators run rubrics, rounds, the formal check, assignments, decisions and publication. An expert sees
# only the assignments sent to them (any other answers 404) and never the applicant's identity; the review form
# opens once they declared no conflict of interest, the other reviews of the project once their own is submitted.
# The doctor sees the outcome of their own project. Published results are public (routes use @public).

def _review_models():
    from .reviews import models

    return models


def _expert_owns(user, assignment) -> bool:
    models = _review_models()
    return (user.has_role(Role.EXPERT) and assignment.expert_id == user.id
            and assignment.status not in (models.AssignmentStatus.PROPOSED, models.AssignmentStatus.CANCELLED))


def _no_conflict(user, assignment) -> bool:
    from .reviews.conflicts import conflict_reason

    return conflict_reason(user, assignment.project) is None


@rule("reviews.admin")
def _review_administrator(user, obj) -> bool:
    return is_admin(user)


@rule("review.expert", "expert.profile")
def _approved_expert(user, obj) -> bool:
    return user.has_role(Role.EXPERT)


@rule("review.view")
def _assigned_expert(user, assignment) -> bool:
    """Without an assignment (route guard): any approved expert; with one: only the expert it was sent to."""
    return user.has_role(Role.EXPERT) if assignment is None else _expert_owns(user, assignment)


@rule("review.respond")
def _expert_may_answer(user, assignment) -> bool:
    models = _review_models()
    return (assignment is not None and _expert_owns(user, assignment) and assignment.project_under_review
            and assignment.status in (models.AssignmentStatus.INVITED, models.AssignmentStatus.ACCEPTED))


@rule("review.perform")
def _expert_may_review(user, assignment) -> bool:
    models = _review_models()
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status == models.AssignmentStatus.ACCEPTED and assignment.project_under_review
            and assignment.round.status != models.RoundStatus.DRAFT and _no_conflict(user, assignment))


@rule("review.materials")
def _expert_reads_materials(user, assignment) -> bool:
    models = _review_models()
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status in (models.AssignmentStatus.ACCEPTED, models.AssignmentStatus.SUBMITTED)
            and _no_conflict(user, assignment))


@rule("review.view_others")
def _expert_submitted_own(user, assignment) -> bool:
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status == _review_models().AssignmentStatus.SUBMITTED)


@rule("review.outcome")
def _doctor_or_admin_reads_outcome(user, project) -> bool:
    return project is None or _owns(user, project) or _staff_sees(user, project, Role.ADMIN)


# No CONFIDENTIAL_ACCESS hook for experts: they read a project's confidential details only through the blind
# review pages (review.materials). Admitting them to "submission.view_confidential" opened the intake's attachment
# downloads, which carry the original file names (often the applicant's name).


# --- matching (profiles, matches, browsing, connections and consent grants) --------------------------
# Companies (approved enterprise or investor accounts of an organisation) see summaries of matchable projects
# once an administrator approved their organisation's profile; confidential details and the clinician's contact
# only while their organisation holds the clinician's active share grant. Connections are seen by both parties
# and administrators.

def _matching():
    from .matching import services

    return services


@rule("matching.profile", "matching.browse", "connection.list")
def _company_member(user, obj) -> bool:
    """Any approved member of an enterprise or investor; with an object (profile, connection), of its org."""
    if not _matching().is_company_user(user):
        return False
    return obj is None or getattr(obj, "organization_id", None) == user.organization_id


@rule("matching.view_project", "connection.request")
def _company_sees_summary(user, project) -> bool:
    matching = _matching()
    if not matching.is_company_user(user) or not matching.profile_approved(user.organization_id):
        return False
    return project is None or matching.is_matchable(project)


@rule("matching.view_confidential")
def _company_holds_grant(user, project) -> bool:
    """A member of a company whose organisation holds the clinician's active share grant for the project."""
    return project is not None and _matching().has_confidential_access(user, project)


CONFIDENTIAL_ACCESS.append(_company_holds_grant)


@rule("matching.suggestions")
def _owner_sees_suggestions(user, project) -> bool:
    if is_admin(user):
        return project is None or sent_to_platform(project)
    return user.has_role(Role.CLINICIAN) and (project is None or project.owner_id == user.id)


@rule("connection.inbox")
def _clinician(user, obj) -> bool:
    return user.has_role(Role.CLINICIAN)


@rule("connection.decide", "grant.revoke", "grant.share")
def _owner_of_connected_project(user, obj) -> bool:
    """obj: a Connection or ShareGrant; the clinician who owns its project decides."""
    return user.has_role(Role.CLINICIAN) and (obj is None or obj.project.owner_id == user.id)


@rule("connection.view")
def _connection_party_or_admin(user, connection) -> bool:
    if is_admin(user):
        return True
    if connection is None:
        return user.has_role(Role.CLINICIAN) or _matching().is_company_user(user)
    return user.is_approved and _matching().is_party(user, connection)


@rule("connection.update")
def _connection_party(user, connection) -> bool:
    if connection is None:
        return user.has_role(Role.CLINICIAN) or _matching().is_company_user(user)
    return user.is_approved and _matching().is_party(user, connection)


@rule("connection.withdraw")
def _requesting_company(user, connection) -> bool:
    return _matching().is_company_user(user) and (
        connection is None or connection.organization_id == user.organization_id)


@rule("matching.admin")
def _matching_admin(user, obj) -> bool:
    return is_admin(user)


# --- admin (accounts, audit, dashboard, privacy operations) ------------------------------------------

@rule("privacy.self")
def _own_personal_data(user, obj) -> bool:
    """Every signed-in person, approved or not, may see, export and erase their own data (PIPL Art. 45, 47)."""
    return obj is None or getattr(obj, "user_id", None) == user.id


@rule("admin.settings")
def _platform_operations(user, obj) -> bool:
    return is_admin(user)


# --- incubation (officers, pathway milestones, service record) ---------------------------------------
# An incubation is seen by administrators, its assigned officer, the project's doctor and members of a
# connected company (accepted connection or active share grant); anyone else gets 404. Administrators and the
# assigned officer edit the plan and the service record; the doctor and connected companies ask questions and
# each reads the entries meant for them. The assigned officer also reads the project's confidential details.

def _incubation():
    from .incubation import services

    return services


@rule("incubation.admin")
def _incubation_admin(user, obj) -> bool:
    return is_admin(user)


@rule("incubation.officer")
def _service_officer(user, obj) -> bool:
    return has_role(user, Role.OFFICER)


@rule("incubation.progress")
def _doctor_following_incubation(user, obj) -> bool:
    return has_role(user, Role.CLINICIAN)


@rule("incubation.view")
def _incubation_party(user, incubation) -> bool:
    """Without an incubation (route guard): any approved user; the object check then answers 404 or not."""
    return user.is_approved if incubation is None else _incubation().viewer_role(user, incubation) is not None


@rule("incubation.edit")
def _incubation_staff(user, incubation) -> bool:
    if incubation is None:
        return has_role(user, Role.OFFICER, Role.ADMIN)
    return _incubation().can_edit(user, incubation)


@rule("incubation.ask")
def _incubation_asker(user, incubation) -> bool:
    return user.is_approved if incubation is None else _incubation().can_ask(user, incubation)


@rule("incubation.consent")
def _incubation_doctor(user, incubation) -> bool:
    return has_role(user, Role.CLINICIAN) and (incubation is None or incubation.project.owner_id == user.id)


def _assigned_officer_reads_details(user, project) -> bool:
    if not has_role(user, Role.OFFICER):
        return False
    found = _incubation().incubation_for(project)
    return found is not None and found.officer_id == user.id


CONFIDENTIAL_ACCESS.append(_assigned_officer_reads_details)


# --- community (clinical needs, company challenges, consultations) -----------------------------------
# Visitors who are not signed in see public clinical needs and the FAQ only. Needs marked for members
# ('companies') are seen by every approved account (companies, investors, clinicians, experts, staff);
# challenges by approved accounts too. Hidden content: administrators and its author (or the company) only.

COMMUNITY_ASKERS = (Role.CLINICIAN, Role.ENTERPRISE, Role.INVESTOR)
COMMUNITY_ANSWERERS = (Role.OFFICER, Role.EXPERT, Role.ADMIN)


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
            and need.status == "open")


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
    return challenge is None or (not challenge.hidden and challenge.status == "open")


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


@rule("community.own_booking")
def _own_booking(user, booking) -> bool:
    return booking is None or booking.user_id == user.id


@rule("community.moderate")
def _moderate(user, obj) -> bool:
    return is_admin(user)
