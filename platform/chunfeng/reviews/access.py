"""Expert review's rules.

Administrators run rubrics, rounds, the formal check, assignments, decisions and publication. An expert sees only
the assignments sent to them (any other answers 404) and never the applicant's identity; the review form opens once
they declared no conflict of interest, the other reviews of the project once their own is submitted; the conflicts
they declared are theirs alone. The discussion of a project is its submitted reviewers' and the administrators';
a reviewer may revise a submitted review until the decision. The clinician sees the outcome of their own project.
Published results are public (routes use @public).
"""

from __future__ import annotations

from ..accounts.access import is_admin
from ..accounts.models import Role
from ..policy import rule
from ..submissions.access import owns, staff_sees
from .bids import bidding_open
from .conflicts import conflict_reason
from .deliberation import takes_part, under_review_version
from .models import AssignmentStatus, RoundStatus


def _expert_owns(user, assignment) -> bool:
    return (user.has_role(Role.EXPERT) and assignment.expert_id == user.id
            and assignment.status not in (AssignmentStatus.PROPOSED, AssignmentStatus.CANCELLED))


def _no_conflict(user, assignment) -> bool:
    return conflict_reason(user, assignment.project) is None


@rule("reviews.admin")
def _review_administrator(user, obj) -> bool:
    return is_admin(user)


@rule("review.expert", "expert.profile")
def _approved_expert(user, obj) -> bool:
    return user.has_role(Role.EXPERT)


@rule("expert.declaration")
def _expert_declared(user, conflict) -> bool:
    """Without a declaration (route guard): any approved expert; with one: only the expert who made it."""
    return user.has_role(Role.EXPERT) and (conflict is None or conflict.expert_id == user.id)


@rule("review.view")
def _assigned_expert(user, assignment) -> bool:
    """Without an assignment (route guard): any approved expert; with one: only the expert it was sent to."""
    return user.has_role(Role.EXPERT) if assignment is None else _expert_owns(user, assignment)


@rule("review.respond")
def _expert_may_answer(user, assignment) -> bool:
    return (assignment is not None and _expert_owns(user, assignment) and assignment.project_under_review
            and assignment.status in (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED))


@rule("review.perform")
def _expert_may_review(user, assignment) -> bool:
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status == AssignmentStatus.ACCEPTED and assignment.project_under_review
            and assignment.round.status != RoundStatus.DRAFT and _no_conflict(user, assignment))


@rule("review.materials")
def _expert_reads_materials(user, assignment) -> bool:
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status in (AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)
            and _no_conflict(user, assignment))


@rule("review.view_others")
def _expert_submitted_own(user, assignment) -> bool:
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status == AssignmentStatus.SUBMITTED)


@rule("review.outcome")
def _clinician_or_admin_reads_outcome(user, project) -> bool:
    return project is None or owns(user, project) or staff_sees(user, project, Role.ADMIN)


@rule("review.revise")
def _expert_may_revise(user, assignment) -> bool:
    """A submitted review may be revised during the panel's discussion, until the decision is recorded."""
    return (assignment is not None and _expert_owns(user, assignment)
            and assignment.status == AssignmentStatus.SUBMITTED and assignment.project_under_review
            and under_review_version(assignment) and _no_conflict(user, assignment))


@rule("review.discuss")
def _discussion_participant(user, entry) -> bool:
    """Without an entry (route guard): administrators and experts; with one: administrators, and the experts who
    submitted a review of the project in that round."""
    if is_admin(user):
        return True
    if not user.has_role(Role.EXPERT):
        return False
    return entry is None or takes_part(user, entry)


@rule("review.bid")
def _expert_bids(user, round_) -> bool:
    """Experts bid on the projects of a round open or reviewing (before assignment); other rounds answer 404."""
    return user.has_role(Role.EXPERT) and (round_ is None or bidding_open(round_))
