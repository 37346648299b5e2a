"""Who sees and edits a project.

A project is seen by its owner and, once submitted, by administrators and officers; anyone else gets 404. Its
confidential details (the sections beyond the public summary, earlier versions' content, attachments) are seen by
the owner and administrators, and by whoever answers `hooks.confidential_access` for a reason of their own domain
(matching: a member of a company holding the clinician's active share grant; incubation: the project's officer).
Experts read the blind review pages instead: admitting them here would open attachments with their file names.
What intake shows them there (supplementary material without file names or the team, clarification questions) is
for the experts who read the project's review materials now: `assigned_expert`, answered by reviews through
`hooks.project_experts`.
"""

from __future__ import annotations

from ..accounts.access import has_role
from ..accounts.models import Role
from ..core import hooks
from ..policy import can, rule
from .status import EDITABLE, SUPPLEMENTABLE, Event, Status, lifecycle


def owns(user, project) -> bool:
    return project is not None and project.owner_id == user.id and user.has_role(Role.CLINICIAN)


def _project_of(obj):
    """Rules about attachments accept the attachment or its project."""
    return getattr(obj, "project", obj)


def sent_to_platform(project) -> bool:
    """Submitted at least once. Until then "nothing is sent to anyone": staff do not see the owner's draft (nor a
    draft withdrawn before it was ever submitted)."""
    return project.status not in (Status.DRAFT, Status.WITHDRAWN) or bool(project.versions)


def withdrawn_unsent(project) -> bool:
    """A draft withdrawn before it was ever submitted: the owner's "My projects" keeps it apart, collapsed."""
    return project.status == Status.WITHDRAWN and not sent_to_platform(project)


def staff_sees(user, project, *roles: Role) -> bool:
    return has_role(user, *roles) and sent_to_platform(project)


@rule("submission.create", "submission.mine")
def _clinician(user, obj) -> bool:
    return user.has_role(Role.CLINICIAN)


@rule("submission.view")
def _owner_or_staff(user, project) -> bool:
    """Without a project (route guard): any signed-in user; the project check then answers 404 or not."""
    return project is None or owns(user, project) or staff_sees(user, project, Role.ADMIN, Role.OFFICER)


@rule("submission.versions")
def _owner_or_admin(user, project) -> bool:
    return project is None or owns(user, project) or staff_sees(user, project, Role.ADMIN)


@rule("submission.view_confidential")
def _confidential_reader(user, project) -> bool:
    if project is None:
        return True
    if owns(user, project) or staff_sees(user, project, Role.ADMIN):
        return True
    return hooks.any_true(hooks.confidential_access, user=user, project=project)


@rule("submission.attachment")
def _attachment_reader(user, obj) -> bool:
    return can(user, "submission.view_confidential", _project_of(obj) if obj is not None else None)


@rule("submission.edit", "submission.submit")
def _owner_while_editable(user, project) -> bool:
    if project is None:
        return user.has_role(Role.CLINICIAN)
    return owns(user, project) and project.status in EDITABLE


@rule("submission.withdraw")
def _owner_before_decision(user, project) -> bool:
    """Withdrawing stops a formal check or a review: for sent projects; a draft never sent is deleted instead."""
    if project is None:
        return user.has_role(Role.CLINICIAN)
    return owns(user, project) and sent_to_platform(project) and lifecycle.allowed(project.status, Event.WITHDRAW)


@rule("submission.delete")
def _owner_of_unsent(user, project) -> bool:
    if project is None:
        return user.has_role(Role.CLINICIAN)
    return owns(user, project) and not sent_to_platform(project)


def assigned_expert(user, project) -> bool:
    """The user is an expert who reads this project's review materials now."""
    return user.has_role(Role.EXPERT) and any(
        expert.id == user.id for expert, _link in hooks.collect(hooks.project_experts, project=project))


@rule("submission.supplement")
def _owner_after_submitting(user, project) -> bool:
    if project is None:
        return user.has_role(Role.CLINICIAN)
    return owns(user, project) and project.status in SUPPLEMENTABLE


@rule("submission.clarifications")
def _question_reader(user, project) -> bool:
    """The clarification questions of a project: its owner, administrators and the assigned experts. Without a
    project (route guard): any signed-in user; the project check then answers 404 or not."""
    if project is None:
        return True
    return owns(user, project) or staff_sees(user, project, Role.ADMIN) or assigned_expert(user, project)


@rule("submission.ask")
def _panel_asks(user, project) -> bool:
    """The panel (administrators, assigned experts) asks the clinician; while the project is under review only
    (clarifications.may_ask). Without a project (route guard): any signed-in user, the project check answers 404."""
    if project is None:
        return True
    return staff_sees(user, project, Role.ADMIN) or assigned_expert(user, project)


@rule("submission.answer")
def _owner_answers(user, clarification) -> bool:
    return clarification is None or owns(user, clarification.project)


@rule("submission.panel_material")
def _assigned_expert(user, project) -> bool:
    """A file a supplementary version added, under a neutral name, for the experts reading the project."""
    return project is None or assigned_expert(user, project)
