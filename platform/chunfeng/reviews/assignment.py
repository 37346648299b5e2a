"""Who reviews what: proposals (the round's assignment problem, solved in solver.py on the affinity and specialty
fit of affinity.py), manual changes, sending invitations, the experts' answers, and re-review after a revision."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import AccountStatus, Role, User
from ..accounts.services import active_admins
from ..core import mail
from ..core.services import N_, Nn_, notify, person, record
from ..core.web import path_for
from ..db import db, utcnow
from ..submissions.models import Project
from ..submissions.status import Status
from .affinity import Expertise, expertise
from .bids import CANNOT, EAGER, round_bids
from .conflicts import conflict_reason, declare_project, declared_by_expert
from .errors import ReviewError
from .lifecycles import AssignmentEvent, assignment_lifecycle, step
from .models import (
    ACTIVE_ASSIGNMENT,
    Assignment,
    AssignmentStatus,
    DeclineReason,
    ExpertProfile,
    Review,
    ReviewRound,
    RoundEntry,
    RoundStatus,
)
from .solver import Candidate, Problem, solve

A = AssignmentStatus
RE_REVIEW_DAYS = 14


def transition(assignment: Assignment, event: AssignmentEvent, actor) -> AssignmentStatus:
    """Apply one event of the assignment lifecycle or refuse it (the assignment changed since the page loaded)."""
    return step(assignment_lifecycle, assignment, event, actor,
                _("This review assignment has changed in the meantime. Please reload the page."))


# --- experts, profiles and load ----------------------------------------------------------------------------

def expert_pool() -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == Role.EXPERT, User.status == AccountStatus.ACTIVE).order_by(User.id)))


def profile_of(expert: User) -> ExpertProfile:
    """The expert's profile, created empty on first use (not flushed until the session is)."""
    profile = db.session.scalar(select(ExpertProfile).where(ExpertProfile.user_id == expert.id))
    if profile is None:
        profile = ExpertProfile.blank(expert)
        db.session.add(profile)
    return profile


def profile_saved(profile: ExpertProfile, actor: User) -> None:
    db.session.flush()
    record("expert.profile_saved", profile, actor=actor, expert_id=profile.user_id,
           max_load=profile.max_load_per_round)


def profiles_by_expert(experts: Sequence[User]) -> dict[int, ExpertProfile]:
    found = {p.user_id: p for p in db.session.scalars(
        select(ExpertProfile).where(ExpertProfile.user_id.in_([e.id for e in experts])))}
    return {e.id: found.get(e.id) or ExpertProfile.blank(e) for e in experts}


def round_loads(round_: ReviewRound) -> Counter:
    """expert id -> assignments in the round that still count (proposed, invited, accepted, submitted)."""
    rows = db.session.execute(select(Assignment.expert_id).where(
        Assignment.round_id == round_.id, Assignment.status.in_(ACTIVE_ASSIGNMENT)))
    return Counter(expert_id for (expert_id,) in rows)


def round_assignments(round_: ReviewRound) -> list[Assignment]:
    return list(db.session.scalars(
        select(Assignment).where(Assignment.round_id == round_.id).order_by(Assignment.project_id, Assignment.id)
        .options(selectinload(Assignment.expert).selectinload(User.organization))))


# --- proposals ---------------------------------------------------------------------------------------------

@dataclass
class ProposalResult:
    created: list[Assignment] = field(default_factory=list)
    short: dict[int, int] = field(default_factory=dict)  # project id -> experts still missing
    short_titles: list[str] = field(default_factory=list)  # the titles of those projects, in the round's order
    outside: int = 0  # proposals outside the project's specialty (flagged on the proposal)


@dataclass
class Plan:
    """What the solver is given for a round (the pairs it may choose, with affinity and specialty fit), and what
    the chosen pairs need to become proposals."""

    problem: Problem
    expertise: Expertise
    entries: dict[int, RoundEntry]
    experts: dict[int, User]


def round_entries(round_: ReviewRound) -> list[RoundEntry]:
    """The round's projects with what the panel pages read, loaded in a few queries rather than one per row."""
    return list(db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == round_.id).order_by(RoundEntry.id)
        .options(selectinload(RoundEntry.version),
                 selectinload(RoundEntry.project).selectinload(Project.versions),
                 selectinload(RoundEntry.project).selectinload(Project.owner).selectinload(User.organization))))


def entries_needing_review(round_: ReviewRound) -> list[RoundEntry]:
    return [e for e in round_entries(round_) if e.project.status == Status.UNDER_REVIEW]


def plan(round_: ReviewRound, per_project: int | None = None) -> Plan:
    """The assignment problem of the round's projects under review that lack experts (reads, writes nothing).

    Allowed pairs only: never a conflicted expert, never an expert who was already asked about the project in this
    round (e.g. declined it), never an expert who bid 不能 on it; a 想评 bid marks the pair eager (a bonus in the
    solver); places and load count what is already proposed, invited, accepted or submitted."""
    per_project = per_project or round_.experts_per_project
    entries = {e.project_id: e for e in entries_needing_review(round_)}
    asked: dict[int, set[int]] = defaultdict(set)
    active = Counter()
    for a in round_assignments(round_):
        asked[a.project_id].add(a.expert_id)
        entry = entries.get(a.project_id)
        if entry is not None and a.version_id == entry.version_id and a.status in ACTIVE_ASSIGNMENT:
            active[a.project_id] += 1
    need = {pid: per_project - active[pid] for pid in entries if active[pid] < per_project}
    experts = expert_pool()
    profiles = profiles_by_expert(experts)
    declared = declared_by_expert([e.id for e in experts])
    fit = expertise([entries[pid].project for pid in need], profiles,
                    reviewed_texts([e.id for e in experts], exclude=set(entries)))
    bids = round_bids(round_)
    candidates = [
        Candidate(pid, e.id, fit.of(pid, e.id), fit.inside(pid, e.id), eager=bids.get((pid, e.id)) == EAGER)
        for pid in need for e in experts
        if e.id not in asked[pid] and bids.get((pid, e.id)) != CANNOT
        and conflict_reason(e, entries[pid].project, declared[e.id]) is None
    ]
    problem = Problem(need=need, have=dict(active), load=dict(round_loads(round_)),
                      max_load={e.id: profiles[e.id].max_load_per_round for e in experts}, candidates=candidates)
    return Plan(problem, fit, entries, {e.id: e for e in experts})


def reviewed_texts(expert_ids: Sequence[int], exclude: set[int]) -> dict[int, list[str]]:
    """expert id -> the texts of the projects they reviewed (submitted), latest first, except `exclude`."""
    rows = db.session.execute(
        select(Assignment.expert_id, Project).join(Project, Assignment.project_id == Project.id)
        .where(Assignment.expert_id.in_(expert_ids), Assignment.status == A.SUBMITTED)
        .order_by(Assignment.id.desc()))
    texts: dict[int, list[str]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for expert_id, project in rows:
        if project.id not in exclude and (expert_id, project.id) not in seen:
            seen.add((expert_id, project.id))
            texts[expert_id].append(project.full_text())
    return texts


def propose(round_: ReviewRound, actor: User, per_project: int | None = None) -> ProposalResult:
    """Propose experts so each project under review has `per_project` (default: the round's setting).

    The optimal choice under the constraints (see solver.py): every place that can be filled is, experts inside
    the project's specialty first (someone outside only when no one inside is free, flagged on the proposal),
    then the closest expertise, the load shared among equally close experts; never a conflict, never beyond an
    expert's maximum load, never an expert already asked about the project in this round."""
    planned = plan(round_, per_project)
    result = ProposalResult()
    for choice in sorted(solve(planned.problem), key=lambda c: (c.project_id, -c.affinity, c.expert_id)):
        entry = planned.entries[choice.project_id]
        reasons = planned.expertise.reasons(choice.project_id, choice.expert_id)
        result.created.append(_new_assignment(
            round_, entry, planned.experts[choice.expert_id], choice.affinity,
            [*reasons, {"bid": EAGER}] if choice.eager else reasons, actor))
        result.outside += not choice.inside
    filled = Counter(a.project_id for a in result.created)
    result.short = {pid: n - filled[pid] for pid, n in planned.problem.need.items() if filled[pid] < n}
    result.short_titles = [entry.project.title for pid, entry in planned.entries.items() if pid in result.short]
    db.session.flush()
    record("assignment.proposed", round_, actor=actor, count=len(result.created), short=len(result.short),
           outside=result.outside)
    return result


def _new_assignment(round_: ReviewRound, entry: RoundEntry, expert: User, score: float, reasons: list,
                    actor) -> Assignment:
    """A proposal (the lifecycle's first status), seen by administrators only until it is sent."""
    assignment = assignment_lifecycle.begin(Assignment(
        round_id=round_.id, project_id=entry.project_id, expert_id=expert.id, version_id=entry.version_id,
        affinity=round(score, 4), affinity_terms=reasons, assigned_by_id=actor.id,
    ))
    assignment.round, assignment.project, assignment.expert = round_, entry.project, expert
    db.session.add(assignment)
    return assignment


def current_assignments(round_: ReviewRound, entry: RoundEntry) -> list[Assignment]:
    """The project's assignments for the version currently under review in this round."""
    return list(db.session.scalars(select(Assignment).where(
        Assignment.round_id == round_.id, Assignment.project_id == entry.project_id,
        Assignment.version_id == entry.version_id,  # None compiles to IS NULL
    ).order_by(Assignment.id)))


# --- manual changes by administrators --------------------------------------------------------------------

def add_expert(round_: ReviewRound, entry: RoundEntry, expert: User, actor: User) -> tuple[Assignment, str]:
    """Add one expert by hand (as a proposal). Refused for a conflict or a duplicate; returns the assignment
    and a warning (e.g. beyond the expert's maximum load) or ''."""
    if expert.role != Role.EXPERT or not expert.is_approved:
        raise ReviewError(_("Only approved experts can be assigned."))
    if reason := conflict_reason(expert, entry.project):
        raise ReviewError(_("%(name)s cannot review this project: %(reason)s", name=expert.name, reason=reason))
    if any(a.expert_id == expert.id and a.status in ACTIVE_ASSIGNMENT for a in current_assignments(round_, entry)):
        raise ReviewError(_("%(name)s is already assigned to this project.", name=expert.name))
    profile = profile_of(expert)
    warning = ""
    if round_loads(round_)[expert.id] >= profile.max_load_per_round:
        warning = _("%(name)s is now above the maximum load of %(max)s projects in this round.",
                    name=expert.name, max=profile.max_load_per_round)
    fit = expertise([entry.project], profiles_by_expert([*expert_pool(), expert]))
    assignment = _new_assignment(round_, entry, expert, fit.of(entry.project_id, expert.id),
                                 fit.reasons(entry.project_id, expert.id), actor)
    db.session.flush()
    record("assignment.added", assignment, actor=actor, expert_id=expert.id, project_id=entry.project_id)
    return assignment, warning


def remove_proposal(assignment: Assignment, actor: User) -> None:
    if assignment.status != A.PROPOSED:
        raise ReviewError(_("Only proposals that were not sent can be removed; cancel a sent invitation instead."))
    record("assignment.removed", assignment, actor=actor, expert_id=assignment.expert_id,
           project_id=assignment.project_id)
    db.session.delete(assignment)


WITHDRAWN_NOTICE = N_("The invitation to review “%(title)s” in %(round)s was withdrawn by the administrator.")


def cancel(assignment: Assignment, actor: User, notice: str = WITHDRAWN_NOTICE) -> None:
    """Withdraw a sent invitation (or an accepted review not yet submitted) and tell the expert why."""
    transition(assignment, AssignmentEvent.CANCEL, actor)
    record("assignment.cancelled", assignment, actor=actor, expert_id=assignment.expert_id)
    notify(assignment.expert, notice, path_for("reviews.mine"), round=assignment.round.name,
           title=assignment.project.title)


def send_proposals(round_: ReviewRound, actor: User) -> int:
    """Turn every proposal of the round into an invitation and tell each expert once."""
    if round_.status == RoundStatus.DRAFT:
        raise ReviewError(_("Open the round before sending invitations."))
    proposals = [a for a in round_assignments(round_) if a.status == A.PROPOSED]
    for assignment in proposals:
        _invite(assignment, actor)
        record("assignment.sent", assignment, actor=actor, expert_id=assignment.expert_id,
               project_id=assignment.project_id)
    by_expert: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in proposals:
        by_expert[assignment.expert_id].append(assignment)
    for items in by_expert.values():
        _tell_invited(items[0].expert, round_, items)
    return len(proposals)


def _tell_invited(expert: User, round_: ReviewRound, items: list[Assignment]) -> None:
    """One notification naming the projects, and an e-mail unless the expert switched invitations off."""
    notify(expert, Nn_("You are invited to review %(num)d project in %(round)s: %(titles)s; due %(date)s.",
                       "You are invited to review %(num)d projects in %(round)s: %(titles)s; due %(date)s."),
           path_for("reviews.mine"), num=len(items), round=round_.name, titles=project_titles(items),
           date=round_.review_deadline.isoformat())
    mail.notify_by_mail(expert, mail.REVIEW_INVITATION, N_("Invitation to review in %(round)s"),
                        "reviews/mail/invitation.html", subject_params={"round": round_.name}, round=round_,
                        items=items, link=mail.site_url("reviews.mine"))


def project_titles(items) -> str:
    """“title”、“title” for the projects of assignments, entries or decisions, in their order."""
    return "、".join(f"“{item.project.title}”" for item in items)


def _invite(assignment: Assignment, actor: User) -> None:
    transition(assignment, AssignmentEvent.SEND, actor)
    assignment.invited_at = utcnow()


def reopen(assignment: Assignment, actor: User) -> None:
    """Unlock a submitted review (e.g. submitted by mistake); the expert may change it and submit again."""
    transition(assignment, AssignmentEvent.REOPEN, actor)
    assignment.review.submitted_at = None
    record("review.reopened", assignment, actor=actor, expert_id=assignment.expert_id)
    notify(assignment.expert, N_("Your review of “%(title)s” in %(round)s was reopened by the administrator."),
           path_for("reviews.assignment_page", assignment_id=assignment.id), round=assignment.round.name,
           title=assignment.project.title)


# --- the expert's answer ------------------------------------------------------------------------------------

def accept(assignment: Assignment, expert: User) -> Review:
    """The expert declares no conflict of interest: the review form opens."""
    if reason := conflict_reason(expert, assignment.project):
        raise ReviewError(_("The platform found a conflict of interest: %(reason)s Please decline this review.",
                            reason=reason))
    transition(assignment, AssignmentEvent.ACCEPT, expert)
    assignment.no_conflict_declared_at = assignment.responded_at = utcnow()
    review = assignment.review or Review(assignment=assignment, rubric=assignment.round.rubric)
    db.session.add(review)
    record("assignment.accepted", assignment, actor=expert, no_conflict_declared=True)
    return review


def decline(assignment: Assignment, expert: User, reason: DeclineReason, note: str) -> None:
    if reason in (DeclineReason.CONFLICT, DeclineReason.OTHER) and not note.strip():
        raise ReviewError(_("Please say briefly why."), "note")
    transition(assignment, AssignmentEvent.DECLINE, expert)
    assignment.decline_reason, assignment.decline_note = reason.value, note.strip()
    assignment.responded_at = utcnow()
    if reason == DeclineReason.CONFLICT:
        declare_project(expert, assignment.project, note)
    record("assignment.declined", assignment, actor=expert, reason=reason.value)
    for admin in active_admins():
        notify(admin, N_("%(expert)s declined to review “%(title)s” in %(round)s; please reassign it."),
               path_for("reviews.assignments", round_id=assignment.round_id), expert=person(expert),
               title=assignment.project.title, round=assignment.round.name)


# --- re-review after a revision ---------------------------------------------------------------------------

def needs_re_review(entry: RoundEntry) -> bool:
    """The clinician resubmitted after a revision request: a newer version than the one reviewed is waiting
    (supplementary material joins the version under review: no re-review)."""
    latest = entry.project.latest_submission
    return entry.project.status == Status.UNDER_REVIEW and latest is not None and latest.id != entry.version_id


def invite_re_review(round_: ReviewRound, entry: RoundEntry, actor: User, today: date) -> list[Assignment]:
    """Move the entry to the new version and invite the experts who reviewed the previous one."""
    if not needs_re_review(entry):
        raise ReviewError(_("There is no new version to review."))
    previous = [a for a in current_assignments(round_, entry) if a.status == A.SUBMITTED]
    entry.version_id = entry.project.latest_submission.id
    due = max(round_.review_deadline, today + timedelta(days=RE_REVIEW_DAYS))
    invited = []
    for old in previous:
        if conflict_reason(old.expert, entry.project):
            continue
        assignment = _new_assignment(round_, entry, old.expert, old.affinity, list(old.affinity_terms), actor)
        _invite(assignment, actor)
        assignment.due_on = due
        invited.append(assignment)
        notify(old.expert, N_("A revised version of “%(title)s”, which you reviewed in %(round)s, awaits your "
                              "re-review."), path_for("reviews.mine"), round=round_.name, title=entry.project.title)
    db.session.flush()
    record("assignment.re_review", entry.project, actor=actor, round_id=round_.id, version_id=entry.version_id,
           experts=[a.expert_id for a in invited])
    return invited


def open_loads() -> Counter:
    """expert id -> assignments still counting in rounds whose results are not published yet."""
    rows = db.session.execute(select(Assignment.expert_id).join(ReviewRound).where(
        Assignment.status.in_(ACTIVE_ASSIGNMENT), ReviewRound.status != RoundStatus.PUBLISHED))
    return Counter(expert_id for (expert_id,) in rows)
