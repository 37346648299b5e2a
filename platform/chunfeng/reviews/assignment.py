"""Who reviews what: expertise affinity (the matcher's TF-IDF engine), proposals balanced on load and free of
conflicts, manual changes, sending invitations, the experts' answers, and re-review after a revision."""

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
from ..core.services import N_, notify, person, record
from ..core.web import path_for
from ..db import db, utcnow
from ..submissions.models import Project
from ..submissions.status import Status
from ..textengine.engine import TextIndex
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

A = AssignmentStatus
# Greedy proposal: an expert's affinity counts minus this much per unit of load used (load / max load), so
# that among similarly qualified experts the less loaded one is chosen. Cosine affinities run about 0-0.5.
LOAD_PENALTY = 0.15
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


# --- affinity ----------------------------------------------------------------------------------------------

@dataclass
class Affinity:
    """Expertise affinity of each (project, expert) pair: cosine of the TF-IDF vectors of the project's text and
    the expert's specialties, keywords, department and biography (one IDF fitted over both sides)."""

    scores: dict[tuple[int, int], float]
    index: TextIndex | None
    project_texts: dict[int, str]

    def of(self, project_id: int, expert_id: int) -> float:
        return self.scores.get((project_id, expert_id), 0.0)

    def terms(self, project_id: int, expert_id: int, n: int = 4) -> list[str]:
        """The shared terms that explain the affinity; single characters explain nothing to a reader."""
        if self.index is None or not self.of(project_id, expert_id):
            return []
        return [t for t in self.index.explain(self.project_texts[project_id], expert_id, n=n) if len(t) > 1]


def affinity(projects: Sequence[Project], profiles: dict[int, ExpertProfile]) -> Affinity:
    project_texts = {p.id: p.full_text() for p in projects}
    expert_docs = [(expert_id, profile.expertise_text()) for expert_id, profile in profiles.items()]
    if not projects or not expert_docs:
        return Affinity({}, None, project_texts)
    try:
        experts, queries = TextIndex.pair(expert_docs, list(project_texts.items()))
    except ValueError:  # no usable term on either side (empty profiles and texts)
        return Affinity({}, None, project_texts)
    scores = {}
    for project_id, matches in zip(queries.ids, experts.top_k(queries, k=len(expert_docs)), strict=True):
        for match in matches:
            scores[(project_id, match.target_id)] = match.score
    return Affinity(scores, experts, project_texts)


# --- proposals ---------------------------------------------------------------------------------------------

@dataclass
class ProposalResult:
    created: list[Assignment] = field(default_factory=list)
    short: dict[int, int] = field(default_factory=dict)  # project id -> experts still missing


def round_entries(round_: ReviewRound) -> list[RoundEntry]:
    """The round's projects with what the panel pages read, loaded in a few queries rather than one per row."""
    return list(db.session.scalars(
        select(RoundEntry).where(RoundEntry.round_id == round_.id).order_by(RoundEntry.id)
        .options(selectinload(RoundEntry.version),
                 selectinload(RoundEntry.project).selectinload(Project.versions),
                 selectinload(RoundEntry.project).selectinload(Project.owner).selectinload(User.organization))))


def entries_needing_review(round_: ReviewRound) -> list[RoundEntry]:
    return [e for e in round_entries(round_) if e.project.status == Status.UNDER_REVIEW]


def propose(round_: ReviewRound, actor: User, per_project: int | None = None) -> ProposalResult:
    """Propose experts so each project under review has `per_project` (default: the round's setting).

    Greedy passes, one expert per project per pass (so every project gets its first expert before any gets a
    second), most constrained projects first; the best affinity wins, less a penalty for load already used.
    Never a conflicted expert, never beyond an expert's maximum load, never an expert who was already asked
    about the project in this round (e.g. declined it)."""
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
    scores = affinity([entries[pid].project for pid in need], profiles)
    loads = round_loads(round_)
    candidates = {
        pid: [e for e in experts if e.id not in asked[pid]
              and conflict_reason(e, entries[pid].project, declared[e.id]) is None]
        for pid in need
    }
    result = ProposalResult()
    for _pass in range(per_project):
        waiting = sorted((pid for pid in need if need[pid] > 0),
                         key=lambda pid: (len(_with_capacity(candidates[pid], profiles, loads)), pid))
        for pid in waiting:
            chosen = _best_expert(pid, _with_capacity(candidates[pid], profiles, loads), scores, profiles, loads)
            if chosen is None:
                continue
            # by id: Flask-Login's UserMixin makes users compare equal by session token, not identity
            candidates[pid] = [e for e in candidates[pid] if e.id != chosen.id]
            loads[chosen.id] += 1
            need[pid] -= 1
            result.created.append(_new_assignment(round_, entries[pid], chosen, scores, actor))
    result.short = {pid: missing for pid, missing in need.items() if missing > 0}
    db.session.flush()
    record("assignment.proposed", round_, actor=actor, count=len(result.created), short=len(result.short))
    return result


def _with_capacity(experts: list[User], profiles: dict[int, ExpertProfile], loads: Counter) -> list[User]:
    return [e for e in experts if loads[e.id] < profiles[e.id].max_load_per_round]


def _best_expert(project_id: int, experts: list[User], scores: Affinity, profiles, loads) -> User | None:
    def value(expert: User) -> tuple[float, int]:
        used = loads[expert.id] / max(profiles[expert.id].max_load_per_round, 1)
        return (scores.of(project_id, expert.id) - LOAD_PENALTY * used, -expert.id)

    return max(experts, key=value, default=None)


def _new_assignment(round_: ReviewRound, entry: RoundEntry, expert: User, scores: Affinity, actor) -> Assignment:
    """A proposal (the lifecycle's first status), seen by administrators only until it is sent."""
    assignment = assignment_lifecycle.begin(Assignment(
        round_id=round_.id, project_id=entry.project_id, expert_id=expert.id, version_id=entry.version_id,
        affinity=round(scores.of(entry.project_id, expert.id), 4),
        affinity_terms=scores.terms(entry.project_id, expert.id), assigned_by_id=actor.id,
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
    scores = affinity([entry.project], profiles_by_expert(expert_pool()))
    assignment = _new_assignment(round_, entry, expert, scores, actor)
    db.session.flush()
    record("assignment.added", assignment, actor=actor, expert_id=expert.id, project_id=entry.project_id)
    return assignment, warning


def remove_proposal(assignment: Assignment, actor: User) -> None:
    if assignment.status != A.PROPOSED:
        raise ReviewError(_("Only proposals that were not sent can be removed; cancel a sent invitation instead."))
    record("assignment.removed", assignment, actor=actor, expert_id=assignment.expert_id,
           project_id=assignment.project_id)
    db.session.delete(assignment)


WITHDRAWN_NOTICE = N_("A review invitation in %(round)s was withdrawn by the administrator.")


def cancel(assignment: Assignment, actor: User, notice: str = WITHDRAWN_NOTICE) -> None:
    """Withdraw a sent invitation (or an accepted review not yet submitted) and tell the expert why."""
    transition(assignment, AssignmentEvent.CANCEL, actor)
    record("assignment.cancelled", assignment, actor=actor, expert_id=assignment.expert_id)
    notify(assignment.expert, notice, path_for("reviews.mine"), round=assignment.round.name)


def send_proposals(round_: ReviewRound, actor: User) -> int:
    """Turn every proposal of the round into an invitation and tell each expert once."""
    if round_.status == RoundStatus.DRAFT:
        raise ReviewError(_("Open the round before sending invitations."))
    proposals = [a for a in round_assignments(round_) if a.status == A.PROPOSED]
    for assignment in proposals:
        _invite(assignment, actor)
        record("assignment.sent", assignment, actor=actor, expert_id=assignment.expert_id,
               project_id=assignment.project_id)
    for expert_id, count in Counter(a.expert_id for a in proposals).items():
        notify(db.session.get(User, expert_id),
               N_("You are invited to review %(count)s projects in %(round)s, due %(date)s."),
               path_for("reviews.mine"), count=count, round=round_.name, date=round_.review_deadline.isoformat())
    return len(proposals)


def _invite(assignment: Assignment, actor: User) -> None:
    transition(assignment, AssignmentEvent.SEND, actor)
    assignment.invited_at = utcnow()


def reopen(assignment: Assignment, actor: User) -> None:
    """Unlock a submitted review (e.g. submitted by mistake); the expert may change it and submit again."""
    transition(assignment, AssignmentEvent.REOPEN, actor)
    assignment.review.submitted_at = None
    record("review.reopened", assignment, actor=actor, expert_id=assignment.expert_id)
    notify(assignment.expert, N_("Your review in %(round)s was reopened by the administrator."),
           path_for("reviews.assignment_page", assignment_id=assignment.id), round=assignment.round.name)


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
    """The clinician resubmitted after a revision request: a newer version than the one reviewed is waiting."""
    latest = entry.project.latest_version
    return entry.project.status == Status.UNDER_REVIEW and latest is not None and latest.id != entry.version_id


def invite_re_review(round_: ReviewRound, entry: RoundEntry, actor: User, today: date) -> list[Assignment]:
    """Move the entry to the new version and invite the experts who reviewed the previous one."""
    if not needs_re_review(entry):
        raise ReviewError(_("There is no new version to review."))
    previous = [a for a in current_assignments(round_, entry) if a.status == A.SUBMITTED]
    entry.version_id = entry.project.latest_version.id
    due = max(round_.review_deadline, today + timedelta(days=RE_REVIEW_DAYS))
    invited = []
    for old in previous:
        if conflict_reason(old.expert, entry.project):
            continue
        scores = Affinity({(entry.project_id, old.expert_id): old.affinity}, None, {})
        assignment = _new_assignment(round_, entry, old.expert, scores, actor)
        _invite(assignment, actor)
        assignment.affinity_terms, assignment.due_on = old.affinity_terms, due
        invited.append(assignment)
        notify(old.expert, N_("A revised version of a project you reviewed in %(round)s awaits your re-review."),
               path_for("reviews.mine"), round=round_.name)
    db.session.flush()
    record("assignment.re_review", entry.project, actor=actor, round_id=round_.id, version_id=entry.version_id,
           experts=[a.expert_id for a in invited])
    return invited


def open_loads() -> Counter:
    """expert id -> assignments still counting in rounds whose results are not published yet."""
    rows = db.session.execute(select(Assignment.expert_id).join(ReviewRound).where(
        Assignment.status.in_(ACTIVE_ASSIGNMENT), ReviewRound.status != RoundStatus.PUBLISHED))
    return Counter(expert_id for (expert_id,) in rows)
