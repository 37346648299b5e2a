"""The expert's review: drafts, submission (which locks it), and what the expert may see of the others."""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.services import record
from ..db import db, utcnow
from . import assignment as assigning
from . import figures
from .aggregation import weighted_total
from .assignment import transition
from .errors import ReviewError
from .lifecycles import AssignmentEvent
from .models import Assignment, AssignmentStatus, GateAnswer, Review, ReviewScore

CONFIDENCE_LEVELS = (1, 2, 3)  # 1 = 熟悉 (expert in the field) ... 3 = 不熟悉
SCALE = (1, 2, 3, 4, 5)


@dataclass
class ReviewInput:
    scores: Mapping[str, int | None] = field(default_factory=dict)  # criterion key -> 1..5
    gates: Mapping[str, bool | None] = field(default_factory=dict)  # gate key -> passed
    overall: int | None = None
    confidence: int | None = None
    comment_panel: str = ""
    comment_submitter: str = ""


def save(assignment: Assignment, data: ReviewInput, expert, submit: bool = False) -> Review:
    """Save the expert's answers (a draft may be partial); `submit` requires them all and locks the review.

    The assignment row is locked first, so two saves of one review at the same moment (a double click, two tabs)
    run one after the other and the second sees what the first stored."""
    db.session.flush()
    db.session.refresh(assignment, with_for_update=True)
    if assignment.review is not None:
        db.session.refresh(assignment.review)
    if assignment.status != AssignmentStatus.ACCEPTED or assignment.review is None:
        raise ReviewError(_("This review is locked and can no longer be changed."))
    review = assignment.review
    write_answers(review, data)
    if submit:
        if missing := missing_answers(review):
            raise ReviewError(_("Please complete before submitting: %(items)s", items=", ".join(missing)))
        transition(assignment, AssignmentEvent.SUBMIT, expert)
        review.submitted_at = utcnow()
        review.total = total_of(review)
        record("review.submitted", review, actor=expert, assignment_id=assignment.id,
               project_id=assignment.project_id, total=review.total)
        figures.refresh_for(assignment)
    return review


def reopen(assignment: Assignment, actor) -> None:
    """An administrator unlocks a submitted review; the panel's figures no longer count it."""
    assigning.reopen(assignment, actor)
    figures.refresh_for(assignment)


def write_answers(review: Review, data: ReviewInput) -> None:
    """Put the answers into the review (a missing answer removes a stored one)."""
    rubric = review.rubric
    existing = {s.criterion.id: s for s in review.scores}
    for criterion in rubric.criteria:
        value = data.scores.get(criterion.key)
        if value is None:
            if criterion.id in existing:
                review.scores.remove(existing[criterion.id])
        elif value in SCALE:
            score = existing.get(criterion.id) or ReviewScore(criterion=criterion)
            score.value = value
            if score not in review.scores:
                review.scores.append(score)
    answers = {a.gate.id: a for a in review.gate_answers}
    for gate in rubric.gates:
        passed = data.gates.get(gate.key)
        if passed is None:
            if gate.id in answers:
                review.gate_answers.remove(answers[gate.id])
        else:
            answer = answers.get(gate.id) or GateAnswer(gate=gate)
            answer.passed = passed
            if answer not in review.gate_answers:
                review.gate_answers.append(answer)
    review.overall = data.overall if data.overall in SCALE else None
    review.confidence = data.confidence if data.confidence in CONFIDENCE_LEVELS else None
    review.comment_panel = (data.comment_panel or "").strip()
    review.comment_submitter = (data.comment_submitter or "").strip()


def missing_answers(review: Review) -> list[str]:
    scored = {s.criterion.id for s in review.scores}
    answered = {a.gate.id for a in review.gate_answers}
    missing = [c.text("name") for c in review.rubric.criteria if c.id not in scored]
    missing += [g.text("name") for g in review.rubric.gates if g.id not in answered]
    if review.overall is None:
        missing.append(_("Overall judgement"))
    if review.confidence is None:
        missing.append(_("Confidence"))
    if not review.comment_panel:
        missing.append(_("Comments to the panel"))
    return missing


def total_of(review: Review) -> float | None:
    return weighted_total(review.score_by_key(), review.rubric.weights)


def form_values(review: Review | None) -> dict:
    """The review's answers as the review form's field values."""
    data = as_input(review)
    values = {"overall": data.overall, "confidence": data.confidence, "comment_panel": data.comment_panel,
              "comment_submitter": data.comment_submitter}
    values |= {f"c_{key}": value for key, value in data.scores.items()}
    values |= {f"g_{key}": "yes" if passed else "no" for key, passed in data.gates.items()}
    return values


def form_input(form, rubric) -> ReviewInput:
    """The review form's answers (see form_values for the other way)."""
    return ReviewInput(
        scores={c.key: form[f"c_{c.key}"].data for c in rubric.criteria},
        gates={g.key: {"yes": True, "no": False}.get(form[f"g_{g.key}"].data) for g in rubric.gates},
        overall=form.overall.data, confidence=form.confidence.data,
        comment_panel=form.comment_panel.data or "", comment_submitter=form.comment_submitter.data or "",
    )


def as_input(review: Review | None) -> ReviewInput:
    if review is None:
        return ReviewInput()
    return ReviewInput(review.score_by_key(), review.gates_by_key(), review.overall, review.confidence,
                       review.comment_panel, review.comment_submitter)


# --- what an expert sees of the others ----------------------------------------------------------------------

def reviews_of_same_version(assignment: Assignment) -> list[Assignment]:
    """Every assignment on the same project version in the same round, in a stable order."""
    return list(db.session.scalars(select(Assignment).where(
        Assignment.round_id == assignment.round_id, Assignment.project_id == assignment.project_id,
        Assignment.version_id == assignment.version_id,
    ).order_by(Assignment.id)))


def letters(assignments: Sequence[Assignment]) -> dict[int, str]:
    """Anonymous labels (A, B, C, ...) for the reviewers of one project, stable across pages."""
    return {a.id: _letter(i) for i, a in enumerate(sorted(assignments, key=lambda a: a.id))}


def _letter(index: int) -> str:
    alphabet = string.ascii_uppercase
    return alphabet[index] if index < len(alphabet) else f"{alphabet[index % 26]}{index // 26}"


def submitted_peers(assignment: Assignment) -> list[Assignment]:
    return [a for a in reviews_of_same_version(assignment) if a.status == AssignmentStatus.SUBMITTED]
