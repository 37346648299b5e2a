"""Clinicians suggested for a company challenge, with why, and the company's invitations.

Privacy: the suggestion pool uses only what clinicians wrote in the community and the title and public summary of
their published projects, never intake's confidential sections nor hidden content. Suggestions are stored so
pages do not refit the matcher; `flask refresh-challenge-suggestions` recomputes them all."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..accounts.models import AccountStatus, Role, User
from ..core.services import N_, notify, record
from ..db import db, utcnow
from ..matching.store import cached_embedder
from ..submissions.models import Project
from ..textengine.index import Doc, MatchIndex
from .links import challenge_link
from .models import Challenge, ChallengeStatus, ChallengeSuggestion, ClinicalNeed, Comment
from .text import same_specialty

SUGGESTION_LIMIT = 10
SPECIALTY_BONUS = 0.5  # added to the combined (z-scored) score of a clinician of the challenge's specialty
SPECIALTY_REASON = "specialty: "
# Where a clinician's words were found (the labels of the reasons shown to the company)
DEPARTMENT, NEED, COMMENT, PROJECT = "科室", "临床需求", "社区讨论", "公开项目"


def clinician_fields() -> list[Doc]:
    """Every approved clinician's documents, each labelled with where it comes from: department, each visible
    community need, each visible comment, each published project's title and public summary. Never intake's
    confidential sections, nor hidden content."""
    clinicians = db.session.scalars(
        select(User).where(User.role == Role.CLINICIAN, User.status == AccountStatus.ACTIVE)).all()
    docs = [Doc(c.id, DEPARTMENT, c.department) for c in clinicians]
    ids = [c.id for c in clinicians]
    if not ids:
        return []
    rows = db.session.execute(
        select(ClinicalNeed.author_id, ClinicalNeed.title, ClinicalNeed.problem, ClinicalNeed.specialty)
        .where(ClinicalNeed.author_id.in_(ids), ClinicalNeed.hidden.is_(False)))
    docs += [Doc(author_id, NEED, "\n".join(t for t in texts if t)) for author_id, *texts in rows]
    rows = db.session.execute(
        select(Comment.author_id, Comment.text)
        .outerjoin(ClinicalNeed, Comment.need_id == ClinicalNeed.id)
        .outerjoin(Challenge, Comment.challenge_id == Challenge.id)
        .where(Comment.author_id.in_(ids), Comment.hidden.is_(False),
               func.coalesce(ClinicalNeed.hidden, Challenge.hidden).is_(False)))
    docs += [Doc(author_id, COMMENT, text) for author_id, text in rows]
    rows = db.session.execute(
        select(Project.owner_id, Project.title, Project.public_summary)
        .where(Project.owner_id.in_(ids), Project.published_at.is_not(None)))
    docs += [Doc(owner_id, PROJECT, "\n".join(t for t in texts if t)) for owner_id, *texts in rows]
    return [doc for doc in docs if doc.text and doc.text.strip()]


def clinician_documents() -> list[tuple[int, str]]:
    """(clinician id, all their matchable text): what the suggestions may read of each clinician."""
    texts: dict[int, list[str]] = {}
    for doc in clinician_fields():
        texts.setdefault(doc.owner, []).append(doc.text)
    return [(uid, "\n".join(parts)) for uid, parts in texts.items()]


def clinician_index() -> MatchIndex | None:
    """The matching engine over every clinician's documents (the index's "profiles" side holds the clinicians),
    with the semantic stage where the model is configured; None when there is nothing to match on."""
    docs = clinician_fields()
    if not docs:
        return None
    return MatchIndex.build(docs, embedder=cached_embedder())


def suggest_clinicians(challenge: Challenge, limit: int = SUGGESTION_LIMIT,
                       index: MatchIndex | None = None) -> list[tuple[User, float, tuple]]:
    """Clinicians who may help with a challenge, best first, each with why (whole shared terms labelled with where
    they were found, and a matching specialty).

    Pass `index` (from clinician_index) to rank several challenges against one index."""
    index = index or clinician_index()
    if index is None:
        return []
    matches = index.match(challenge.text(), "profiles", k=limit * 3, n_reasons=4)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([m.target_id for m in matches])))}
    ranked = []
    for match in matches:
        user = users[match.target_id]
        score, reasons = match.score, [str(reason) for reason in match.reasons]
        if same_specialty(user.department, challenge.specialty):
            score += SPECIALTY_BONUS
            reasons.append(SPECIALTY_REASON + user.department)
        if reasons:  # a suggestion nobody can explain is no suggestion
            ranked.append((user, round(score, 6), tuple(reasons)))
    ranked.sort(key=lambda item: -item[1])
    return ranked[:limit]


def refresh_suggestions(challenge: Challenge, index: MatchIndex | None = None) -> list[ChallengeSuggestion]:
    """Recompute and store the suggestions; clinicians already invited stay on the list."""
    existing = {s.clinician_id: s for s in challenge.suggestions}
    fresh = suggest_clinicians(challenge, index=index)
    kept_ids = set()
    for rank, (user, score, reasons) in enumerate(fresh, start=1):
        row = existing.get(user.id) or ChallengeSuggestion(challenge=challenge, clinician_id=user.id)
        row.rank, row.score, row.reasons = rank, score, list(reasons)
        db.session.add(row)
        kept_ids.add(user.id)
    for clinician_id, row in existing.items():
        if clinician_id in kept_ids:
            continue
        if row.invited_at is None:
            challenge.suggestions.remove(row)
        else:
            row.rank = len(fresh) + row.rank
    challenge.suggestions_at = utcnow()
    db.session.flush()
    return challenge.suggestions


def refresh_open_challenges() -> int:
    """Recompute the suggestions of every open challenge with one fitted index; returns how many."""
    challenges = db.session.scalars(select(Challenge).where(
        Challenge.status == ChallengeStatus.OPEN, Challenge.hidden.is_(False))).all()
    index = clinician_index() if challenges else None
    for challenge in challenges:
        refresh_suggestions(challenge, index)
    return len(challenges)


def pseudonym(challenge: Challenge, user_id: int) -> str:
    """A handle that is stable within one challenge and unlinkable across challenges."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"community:{challenge.id}:{user_id}".encode(), hashlib.sha256).hexdigest()
    return _("Clinician %(code)s", code=digest[:6].upper())


def invite(suggestion: ChallengeSuggestion, actor) -> bool:
    """Notify a suggested clinician; False when they were invited before."""
    if suggestion.invited_at is not None:
        return False
    challenge = suggestion.challenge
    suggestion.invited_at = utcnow()
    notify(suggestion.clinician, N_("%(company)s invites you to share your clinical view on \"%(title)s\"."),
           challenge_link(challenge), company=challenge.organization.name, title=challenge.title)
    record("community.clinician_invited", challenge, actor=actor, suggestion_id=suggestion.id)
    return True
