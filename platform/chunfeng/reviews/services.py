"""Review rounds, the formal check, decisions, publication and the clinician's view of the outcome.

What other domains call:
    ensure_default_rubric(actor=None) -> Rubric               the reference rubric v1 on an empty database
    conflict_reason(expert, project) -> str | None            why an expert may not review a project
    latest_decision(project, published_only=False) -> Decision | None   outcome, recommended_pathway, ...
    round_of(project) -> ReviewRound | None                   the round a project is (or was) reviewed in
Callers commit; every function here only flushes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased
from werkzeug.routing import BuildError

from ..accounts.models import Organization, User
from ..core import mail
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from ..submissions import services as intake
from ..submissions.models import PATHWAY_LABELS, Pathway, Project, ProjectVersion, VersionKind
from ..submissions.status import SELECTED_STATES, Event, Status, allowed, apply
from ..submissions.status import lifecycle as project_lifecycle
from . import aggregation as agg
from . import figures
from .assignment import cancel, entries_needing_review
from .conflicts import conflict_reason
from .errors import ReviewError
from .lifecycles import RoundEvent, round_lifecycle, step
from .models import (
    FINAL_OUTCOMES,
    OUTCOME_EVENTS,
    OUTCOME_LABELS,
    PENDING_FOR_EXPERT,
    ROUND_STATUS_LABELS,
    SELECTED_OUTCOMES,
    Assignment,
    AssignmentStatus,
    Decision,
    Outcome,
    ReviewRound,
    RoundEntry,
    RoundStatus,
    Rubric,
    RubricStatus,
)
from .panel import project_panel, sheet, thresholds
from .reviewing import letters
from .rubrics import ensure_default_rubric

__all__ = ["conflict_reason", "ensure_default_rubric", "latest_decision", "round_of"]


def clinician_project_link(project: Project) -> str:
    try:
        return path_for("submissions.project", project_id=project.id)
    except BuildError:  # the intake pages are not installed
        return path_for("reviews.outcome", project_id=project.id)


# --- rounds ------------------------------------------------------------------------------------------------

@dataclass
class RoundSettings:
    name: str
    opens_on: date
    closes_on: date
    review_deadline: date
    rubric_id: int | None = None
    description: str = ""
    experts_per_project: int = 3
    band_priority: float = 80.0
    band_selected: float = 60.0
    disagreement_sd: float = 15.0
    disagreement_range: int = 3
    calibration_min_reviews: int = 2


def all_rounds() -> list[ReviewRound]:
    return list(db.session.scalars(select(ReviewRound).order_by(ReviewRound.opens_on.desc(), ReviewRound.id.desc())))


def open_rounds() -> list[ReviewRound]:
    return list(db.session.scalars(
        select(ReviewRound).where(ReviewRound.status == RoundStatus.OPEN).order_by(ReviewRound.opens_on)))


def _check_settings(settings: RoundSettings, round_: ReviewRound | None = None) -> Rubric:
    clash = db.session.scalar(select(ReviewRound.id).where(ReviewRound.name == settings.name.strip()))
    if clash is not None and (round_ is None or clash != round_.id):
        raise ReviewError(_("A round with this name already exists."), "name")
    if not settings.opens_on <= settings.closes_on <= settings.review_deadline:
        raise ReviewError(_("The dates must follow each other: opening, closing, then the review deadline."),
                          "closes_on")
    if settings.band_selected >= settings.band_priority:
        raise ReviewError(_("The priority band must be above the selection band."), "band_priority")
    rubric = db.session.get(Rubric, settings.rubric_id) if settings.rubric_id else None
    if rubric is None or rubric.status != RubricStatus.ACTIVE:
        if round_ is not None and rubric is not None and rubric.id == round_.rubric_id:
            return rubric  # a round keeps its rubric even if that version was archived since
        raise ReviewError(_("Choose an active rubric version."), "rubric_id")
    return rubric


def create_round(settings: RoundSettings, actor: User) -> ReviewRound:
    """A round being set up; without a rubric (0 or None) it uses the newest active one, on an empty database
    the reference rubric, created now."""
    if not settings.rubric_id:
        settings.rubric_id = ensure_default_rubric(actor).id
    _check_settings(settings)
    round_ = round_lifecycle.begin(ReviewRound(created_by_id=actor.id))
    _apply_settings(round_, settings)
    db.session.add(round_)
    db.session.flush()
    record("round.created", round_, actor=actor, name=round_.name, rubric_id=round_.rubric_id)
    return round_


def update_round(round_: ReviewRound, settings: RoundSettings, actor: User) -> None:
    _check_settings(settings, round_)
    if settings.rubric_id != round_.rubric_id and has_reviews(round_):
        raise ReviewError(_("Reviews have started in this round: its rubric can no longer change."), "rubric_id")
    before = (round_.disagreement_sd, round_.disagreement_range)
    _apply_settings(round_, settings)
    if (round_.disagreement_sd, round_.disagreement_range) != before:
        figures.refresh_round(round_)  # the stored disagreement flags follow the new thresholds
    record("round.updated", round_, actor=actor)


def _apply_settings(round_: ReviewRound, settings: RoundSettings) -> None:
    for name, value in vars(settings).items():
        setattr(round_, name, value.strip() if isinstance(value, str) else value)


def has_reviews(round_: ReviewRound) -> bool:
    return db.session.scalar(select(func.count()).select_from(Assignment).where(
        Assignment.round_id == round_.id,
        Assignment.status.in_((AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)))) > 0


STATUS_EVENTS = (RoundEvent.OPEN, RoundEvent.CLOSE_INTAKE, RoundEvent.CONCLUDE)  # publishing: publish()


def status_events(round_: ReviewRound) -> list[RoundEvent]:
    """What an administrator may do to the round's status now (publication included)."""
    return [event for event in RoundEvent if round_lifecycle.allowed(round_.status, event)]


def change_round_status(round_: ReviewRound, event: RoundEvent | str, actor: User) -> None:
    event = RoundEvent(event)
    if event not in STATUS_EVENTS:
        raise ValueError("publish through publish(), which also releases the results")
    old = round_.status
    new = step(round_lifecycle, round_, event, actor,
               _("The round has changed in the meantime. Please reload the page."))
    record("round.status", round_, actor=actor, change=event.value, from_status=str(old), to_status=str(new))
    if event != RoundEvent.OPEN and _settle(round_, actor):
        record("round.status", round_, actor=actor, change=RoundEvent.PUBLISH.value, from_status=str(new),
               to_status=str(round_.status))


def _settle(round_: ReviewRound, actor: User) -> bool:
    """A round whose intake is closed, with every project decided and every decision published (in one batch or
    several), is marked published. Returns whether it was marked now."""
    if (round_.published_at is None or round_.status == RoundStatus.PUBLISHED
            or not round_lifecycle.allowed(round_.status, RoundEvent.PUBLISH)
            or entries_needing_review(round_) or publishable(round_)):
        return False
    round_lifecycle.apply(round_, RoundEvent.PUBLISH, actor)
    return True


def round_of(project: Project) -> ReviewRound | None:
    return db.session.scalar(select(ReviewRound).join(RoundEntry).where(RoundEntry.project_id == project.id)
                             .order_by(RoundEntry.id.desc()).limit(1))


def entry_for(round_: ReviewRound, project: Project) -> RoundEntry | None:
    return db.session.scalar(select(RoundEntry).where(
        RoundEntry.round_id == round_.id, RoundEntry.project_id == project.id))


# --- formal check and entering a round --------------------------------------------------------------------

def formal_check_queue() -> Select:
    """Submissions waiting for the formal check, the longest waiting first, as the queue shows them: one row each
    with the clinician, the hospital and the number of versions submitted."""
    versions = (select(func.count()).where(ProjectVersion.project_id == Project.id)
                .correlate(Project).scalar_subquery())
    return (select(Project.id, Project.title, Project.specialty, Project.device_class, Project.submitted_at,
                   User.name.label("owner_name"), Organization.name.label("hospital"), versions.label("versions"))
            .join(User, User.id == Project.owner_id).outerjoin(Organization, Organization.id == User.organization_id)
            .where(Project.status == Status.SUBMITTED).order_by(Project.submitted_at, Project.id))


def count_in_status(status: Status) -> int:
    return db.session.scalar(select(func.count()).select_from(Project).where(Project.status == status)) or 0


def counts_in_status(*statuses: Status) -> dict[Status, int]:
    """How many projects are in each of `statuses`, in one grouped statement."""
    found = dict(db.session.execute(_status_counts_query(), {"statuses": list(statuses)}).all())
    return {status: found.get(status, 0) for status in statuses}


@cache
def _status_counts_query() -> Select:
    return (select(Project.status, func.count()).where(Project.status.in_(bindparam("statuses", expanding=True)))
            .group_by(Project.status))


def accepted_waiting(limit: int | None = None) -> list[Project]:
    """Projects that passed the formal check and are in no round yet (the first `limit` of them)."""
    return list(db.session.scalars(
        select(Project).where(Project.status == Status.ACCEPTED).order_by(Project.submitted_at, Project.id)
        .limit(limit)))


def accepted_titles(limit: int) -> list[str]:
    """The titles of the first `limit` projects that passed the formal check and are in no round yet."""
    return list(db.session.scalars(select(Project.title).where(Project.status == Status.ACCEPTED)
                                   .order_by(Project.submitted_at, Project.id).limit(limit)))


def similar_to(project: Project) -> list:
    """Near duplicates found by the intake domain."""
    return intake.similar_projects(project)


def pass_formal_check(project: Project, actor: User, round_: ReviewRound | None = None, note: str = "") -> None:
    if project.status != Status.SUBMITTED:
        raise ReviewError(_("This project is no longer waiting for the formal check."))
    apply(project, Event.PASS_FORMAL_CHECK, actor, note=note.strip())
    notify(project.owner, N_("“%(title)s” passed the formal check and goes on to expert review."),
           clinician_project_link(project), title=project.title)
    if round_ is not None:
        enter_round(round_, project, actor)


def return_formal_check(project: Project, actor: User, reasons: str) -> None:
    if not reasons.strip():
        raise ReviewError(_("Please tell the clinician what to complete or correct."), "reasons")
    if project.status != Status.SUBMITTED:
        raise ReviewError(_("This project is no longer waiting for the formal check."))
    apply(project, Event.RETURN_FORMAL_CHECK, actor, note=reasons.strip())
    record("formal_check.returned", project, actor=actor, reasons=reasons.strip())
    notify(project.owner, N_("“%(title)s” was returned at the formal check: %(reasons)s"),
           clinician_project_link(project), title=project.title, reasons=reasons.strip())


def enter_round(round_: ReviewRound, project: Project, actor: User) -> RoundEntry:
    """An accepted project enters the round (status: under review), with its latest version."""
    if not round_.accepts_projects:
        raise ReviewError(_("The round %(name)s no longer accepts projects.", name=round_.name))
    if project.status != Status.ACCEPTED:
        raise ReviewError(_("Only projects that passed the formal check can enter a round."))
    apply(project, Event.START_REVIEW, actor, note=round_.name)
    entry = RoundEntry(round=round_, project=project, entered_by_id=actor.id,
                       version_id=project.latest_submission.id if project.latest_submission else None)
    db.session.add(entry)
    db.session.flush()
    record("round.project_entered", round_, actor=actor, project_id=project.id, version_id=entry.version_id)
    return entry


# --- decisions ---------------------------------------------------------------------------------------------

@dataclass
class DecisionInput:
    outcome: Outcome
    pathways: list[str]
    override_reason: str = ""
    comment_to_clinician: str = ""


def decide(round_: ReviewRound, entry: RoundEntry, data: DecisionInput, actor: User) -> Decision:
    """Record the administrators' decision and move the project on. Departing from the rubric's suggestion
    needs a reason; a revision request needs to say what to revise (the clinician is told at once)."""
    project = entry.project
    if project.status != Status.UNDER_REVIEW or entry.round_id != round_.id:
        raise ReviewError(_("This project is not waiting for a decision in this round."))
    panel = project_panel(round_, entry)
    pathways = _valid_pathways(data)
    suggested = panel.suggestion
    differences = suggested.differences(data.outcome.value, pathways)
    if differences and not data.override_reason.strip():
        raise ReviewError(_(
            "Your choice differs from the rubric's suggestion in %(fields)s (suggested: %(suggested)s; yours: "
            "%(chosen)s): please give the reason.",
            fields=_(" and ").join(str(DECISION_FIELDS[name]) for name in differences),
            suggested=describe_choice(suggested.outcome, suggested.pathways, alternatives=True),
            chosen=describe_choice(data.outcome.value, pathways)), "override_reason")
    if data.outcome == Outcome.REVISION_REQUESTED and not data.comment_to_clinician.strip():
        raise ReviewError(_("Please tell the clinician what to revise."), "comment_to_clinician")
    decision = Decision(
        round_id=round_.id, project_id=project.id, version_id=entry.version_id, outcome=data.outcome,
        recommended_pathway=pathways, suggested_outcome=suggested.outcome or "",
        suggested_pathway=list(suggested.pathways), override_reason=data.override_reason.strip(),
        comment_to_clinician=data.comment_to_clinician.strip(), decided_by_id=actor.id, decided_at=utcnow(),
        scores=_snapshot(panel),
    )
    db.session.add(decision)
    apply(project, OUTCOME_EVENTS[data.outcome], actor, note=decision.comment_to_clinician)
    for pending in (a for a in panel.assignments if a.status in PENDING_FOR_EXPERT):
        cancel(pending, actor, N_("The panel has decided on “%(title)s”, which you were asked to review in "
                                  "%(round)s; your review is no longer needed. Thank you."))
    db.session.flush()
    record("decision.made", decision, actor=actor, project_id=project.id, outcome=data.outcome.value,
           pathways=pathways, suggested=suggested.outcome, override_reason=decision.override_reason)
    if data.outcome == Outcome.REVISION_REQUESTED:
        tell_decision(decision, N_("The panel asks you to revise “%(title)s”: %(comment)s"),
                      clinician_project_link(project))
    return decision


DECISION_FIELDS = {"outcome": _l("the decision"), "pathways": _l("the recommended pathway")}


def describe_choice(outcome: str | None, pathways, alternatives: bool = False) -> str:
    """A decision or a suggestion in words, with its pathway for selected outcomes: "推荐重点培育，审评前置或优先审批",
    "推荐培育，不推荐注册路径". `alternatives`: the pathways are options (a suggestion), joined by "or"."""
    if not outcome:
        return _("none")
    label = str(OUTCOME_LABELS[Outcome(outcome)])
    if Outcome(outcome) not in SELECTED_OUTCOMES:
        return label
    names = [str(PATHWAY_LABELS.get(value, value)) for value in pathways]
    if not names:
        return _("%(outcome)s, no pathway", outcome=label)
    joiner = _(" or ") if alternatives else "、"
    return _("%(outcome)s, %(pathways)s", outcome=label, pathways=joiner.join(names))


def _valid_pathways(data: DecisionInput) -> list[str]:
    known = {p.value for p in Pathway}
    pathways = [p for p in data.pathways if p in known]
    if pathways and data.outcome not in SELECTED_OUTCOMES:
        raise ReviewError(_("A regulatory pathway is recommended only for selected projects."), "pathways")
    return pathways


def _snapshot(panel) -> dict:
    total = panel.aggregate.total
    return {"n": panel.aggregate.n, "mean": total.mean, "median": total.median, "sd": total.sd,
            "calibrated": panel.calibrated, "gates_failed": panel.aggregate.gates_failed,
            "criteria": {k: s.mean for k, s in panel.aggregate.criteria.items()}}


def latest_decision(project: Project, published_only: bool = False) -> Decision | None:
    """The most recent decision on the project in any round (for incubation: outcome, recommended_pathway)."""
    query = select(Decision).where(Decision.project_id == project.id)
    if published_only:
        query = query.where(Decision.published_at.is_not(None))
    return db.session.scalar(query.order_by(Decision.decided_at.desc(), Decision.id.desc()).limit(1))


# --- publication -------------------------------------------------------------------------------------------

OUTCOME_NOTICES = {
    Outcome.SELECTED_PRIORITY: N_("Results of %(round)s: “%(title)s” is selected for priority incubation."),
    Outcome.SELECTED: N_("Results of %(round)s: “%(title)s” is selected for incubation."),
    Outcome.NOT_SELECTED: N_("Results of %(round)s: “%(title)s” was not selected this time. The experts' "
                             "comments are on the results page of your project."),
}


def unpublished_decisions(round_: ReviewRound) -> list[Decision]:
    return list(db.session.scalars(select(Decision).where(
        Decision.round_id == round_.id, Decision.published_at.is_(None),
        Decision.outcome.in_(FINAL_OUTCOMES)).order_by(Decision.id)))


def publishable(round_: ReviewRound) -> list[Decision]:
    """The final decisions of the round that the next publication releases (each project's latest, in any
    round), in two queries."""
    pending = unpublished_decisions(round_)
    if not pending:
        return []
    latest: dict[int, int] = {}
    for decision_id, project_id in db.session.execute(
            select(Decision.id, Decision.project_id).where(Decision.project_id.in_(
                select(Decision.project_id).where(Decision.round_id == round_.id)))
            .order_by(Decision.decided_at, Decision.id)):
        latest[project_id] = decision_id
    return [d for d in pending if latest.get(d.project_id) == d.id]


def can_publish(round_: ReviewRound) -> bool:
    """Decisions may be published once the round is open, whether or not its intake has closed."""
    return round_.status != RoundStatus.DRAFT


def publish(round_: ReviewRound, actor: User) -> list[Decision]:
    """Publish the round's final decisions not yet published, as a batch: the selected projects appear on the public
    results page and move on to matching; every clinician concerned is told the outcome (in-app and by e-mail).
    The intake may still be open: the round keeps its status (open, reviewing or decided) while projects are
    undecided or may still enter, and later batches publish the others; with the intake closed and every project
    decided, it is marked published."""
    if not can_publish(round_):
        raise ReviewError(_("Open the round before publishing its results."))
    decisions = publishable(round_)
    if not decisions:
        raise ReviewError(_("There is no new decision to publish in this round."))
    now = utcnow()
    for decision in decisions:
        decision.published_at = now
        project = decision.project
        if decision.outcome in SELECTED_OUTCOMES:
            project.published_at = project.published_at or now
            if project.status in SELECTED_STATES and allowed(project.status, Event.RELEASE_FOR_MATCHING):
                apply(project, Event.RELEASE_FOR_MATCHING, actor, note=round_.name)
        tell_decision(decision, OUTCOME_NOTICES[decision.outcome], path_for("reviews.outcome", project_id=project.id))
    round_.published_at = round_.published_at or now
    _settle(round_, actor)
    record("round.published", round_, actor=actor, projects=[d.project_id for d in decisions],
           selected=sum(1 for d in decisions if d.outcome in SELECTED_OUTCOMES), round_status=str(round_.status))
    return decisions


def tell_decision(decision: Decision, message: str, link: str) -> None:
    """The clinician learns the decision on their project: a notification, and an e-mail unless switched off."""
    project = decision.project
    params = {"round": decision.round.name, "title": project.title, "comment": decision.comment_to_clinician}
    notify(project.owner, message, link, **params)
    mail.notify_by_mail(project.owner, mail.PROJECT_DECISION, N_("The panel's decision on “%(title)s”"),
                        "reviews/mail/decision.html", subject_params={"title": project.title}, decision=decision,
                        message=message, params=params, link=mail.site_url("reviews.outcome", project_id=project.id))


def reopen_decision(round_: ReviewRound, entry: RoundEntry, actor: User) -> Decision:
    """Take back a final decision recorded by mistake, before it is published: the project waits for a decision
    again. The decision is removed; its audit entry (decision.reopened) keeps what it said."""
    decision = latest_decision(entry.project)
    if (decision is None or decision.round_id != round_.id or decision.published_at is not None
            or not decision.is_final):
        raise ReviewError(_("Only a decision not yet published can be reopened."))
    step(project_lifecycle, entry.project, Event.REOPEN_DECISION, actor,
         _("This project has moved on since its decision: it can no longer be reopened."), note=round_.name)
    record("decision.reopened", decision, actor=actor, project_id=decision.project_id, outcome=decision.outcome.value,
           pathways=decision.recommended_pathway, decided_by_id=decision.decided_by_id,
           override_reason=decision.override_reason)
    db.session.delete(decision)
    db.session.flush()
    return decision


@dataclass
class RoundCounts:
    """What a confirmation states before the round's status changes or its results are published."""

    projects: int
    undecided: int  # waiting for the panel's decision
    revision: int  # revision requested, waiting for the clinician
    publishable: int
    selected: int  # among the publishable
    formal_check: int  # submitted projects still at the formal check (in no round yet)
    waiting: int  # passed the formal check, in no round yet


def round_counts(round_: ReviewRound) -> RoundCounts:
    ready = publishable(round_)
    statuses = list(db.session.scalars(select(Project.status).join(RoundEntry, RoundEntry.project_id == Project.id)
                                       .where(RoundEntry.round_id == round_.id)))
    return RoundCounts(
        projects=len(statuses), undecided=statuses.count(Status.UNDER_REVIEW),
        revision=statuses.count(Status.REVISION_REQUESTED), publishable=len(ready),
        selected=sum(1 for d in ready if d.outcome in SELECTED_OUTCOMES),
        formal_check=count_in_status(Status.SUBMITTED), waiting=count_in_status(Status.ACCEPTED))


def published_rounds() -> list[tuple[ReviewRound, int]]:
    rows = db.session.execute(
        select(ReviewRound, func.count(Decision.id)).join(Decision, Decision.round_id == ReviewRound.id)
        .where(Decision.published_at.is_not(None), Decision.outcome.in_(SELECTED_OUTCOMES))
        .group_by(ReviewRound.id).order_by(ReviewRound.published_at.desc()))
    return [(round_, count) for round_, count in rows]


def published_results(round_: ReviewRound) -> list[Decision]:
    """The selected projects of a round, as published (priority first)."""
    decisions = db.session.scalars(select(Decision).where(
        Decision.round_id == round_.id, Decision.published_at.is_not(None),
        Decision.outcome.in_(SELECTED_OUTCOMES)).order_by(Decision.id))
    order = {Outcome.SELECTED_PRIORITY: 0, Outcome.SELECTED: 1}
    return sorted(decisions, key=lambda d: (order[d.outcome], d.project.title))


# --- the clinician's view of the outcome -------------------------------------------------------------------

@dataclass
class ClinicianOutcome:
    decision: Decision | None
    round: ReviewRound | None
    aggregate: agg.Aggregate | None
    comments: list[tuple[str, str]]  # (anonymous letter, comment to the submitter)


def outcome_for_clinician(project: Project) -> ClinicianOutcome:
    """What the clinician may know: the decision once published (a revision request at once), the recommended
    pathway, the aggregate figures and the experts' comments meant for them, anonymised. Never the panel
    comments, never an individual expert's scores."""
    decision = latest_decision(project)
    round_ = decision.round if decision else round_of(project)
    visible = decision is not None and (decision.published_at or decision.outcome == Outcome.REVISION_REQUESTED)
    if not visible:
        return ClinicianOutcome(None, round_, None, [])
    reviewed = [a for a in _assignments_of_version(decision) if a.status == AssignmentStatus.SUBMITTED]
    labels = letters(reviewed)
    comments = [(labels[a.id], a.review.comment_submitter) for a in reviewed if a.review.comment_submitter]
    aggregate = agg.aggregate([sheet(a) for a in reviewed], decision.round.rubric.weights,
                              thresholds(decision.round))
    return ClinicianOutcome(decision, decision.round, aggregate, comments)


def _assignments_of_version(decision: Decision) -> list[Assignment]:
    return list(db.session.scalars(select(Assignment).where(
        Assignment.round_id == decision.round_id, Assignment.project_id == decision.project_id,
        Assignment.version_id == decision.version_id).order_by(Assignment.id)))


@dataclass
class RoundProgress:
    round_id: int
    name: str
    status: RoundStatus
    projects: int
    invited: int  # assignments sent (invited, accepted or submitted)
    submitted: int
    decided: int
    resubmitted: int  # revised versions waiting for re-review

    @property
    def status_label(self):
        return ROUND_STATUS_LABELS[self.status]


@cache
def _round_progress_query() -> Select:
    """Built once per process (the administrator's workspace runs it on every visit)."""
    this_round = ReviewRound.id

    def counted(query):
        return query.correlate(ReviewRound).scalar_subquery()

    sent = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED, AssignmentStatus.SUBMITTED)
    reviewed, newer = aliased(ProjectVersion), aliased(ProjectVersion)
    figures = (
        counted(select(func.count()).select_from(RoundEntry).where(RoundEntry.round_id == this_round)),
        counted(select(func.count()).select_from(Assignment).where(Assignment.round_id == this_round,
                                                                   Assignment.status.in_(sent))),
        counted(select(func.count()).select_from(Assignment).where(Assignment.round_id == this_round,
                                                                   Assignment.status == AssignmentStatus.SUBMITTED)),
        counted(select(func.count(func.distinct(Decision.project_id))).where(Decision.round_id == this_round)),
        counted(  # as assignment.needs_re_review: a newer submitted version waits
            select(func.count(func.distinct(RoundEntry.id))).select_from(RoundEntry)
            .join(Project, Project.id == RoundEntry.project_id)
            .join(reviewed, reviewed.id == RoundEntry.version_id)
            .join(newer, (newer.project_id == RoundEntry.project_id) & (newer.number > reviewed.number)
                  & (newer.kind != VersionKind.SUPPLEMENT))
            .where(RoundEntry.round_id == this_round, Project.status == Status.UNDER_REVIEW)),
    )
    return (select(ReviewRound.id, ReviewRound.name, ReviewRound.status, *figures)
            .where(ReviewRound.status != RoundStatus.PUBLISHED)
            .order_by(ReviewRound.opens_on))


def active_round_progress() -> list[RoundProgress]:
    """Rounds not yet published, with how far their reviews and decisions are: one statement, each figure a count
    beside its round, however many rounds and projects (the administrator's workspace)."""
    found = db.session.execute(_round_progress_query())
    return [RoundProgress(round_id, name, status, *(n or 0 for n in counts))
            for round_id, name, status, *counts in found]
