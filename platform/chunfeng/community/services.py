"""The community's logic, testable without HTTP: needs, challenges and suggestions, consultations, time slots,
moderation and search.

Privacy rules kept here: the community never reads a project's confidential intake sections (the suggestion
pool uses only what clinicians wrote in the community and the title and public summary of published
projects); a clinician's contact details reach a company only through a 'contact_share' consent naming it.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import to_utc
from sqlalchemy import Select, and_, false, func, or_, select

from ..accounts.models import AccountStatus, Consent, Role, User
from ..accounts.services import active_admins
from ..core.services import N_, notify, record
from ..db import db, utcnow
from ..policy import can
from ..submissions import services as intake
from ..submissions.models import Project
from ..textengine.engine import TextIndex
from .models import (
    Booking,
    BookingStatus,
    Challenge,
    ChallengeResponse,
    ChallengeStatus,
    ChallengeSuggestion,
    ClinicalNeed,
    Comment,
    Consultation,
    ConsultCategory,
    ConsultStatus,
    NeedFollow,
    NeedSeeToo,
    NeedStatus,
    NeedVisibility,
    Report,
    ReportReason,
    ReportStatus,
    ReportTarget,
    TimeSlot,
)

POSTS_PER_HOUR = 5  # needs, challenges and consultations together; config COMMUNITY_POSTS_PER_HOUR
COMMENTS_PER_HOUR = 20  # comments and challenge responses; config COMMUNITY_COMMENTS_PER_HOUR
QUESTION_MAX = 1000
SUGGESTION_LIMIT = 10
SPECIALTY_BONUS = 0.25  # relative: a matching department lifts the text score by a quarter
SPECIALTY_REASON = "specialty: "
GENERIC_REASONS = frozenset({"医学", "学科", "医学科"})  # shared by department names, says nothing


class CommunityError(ValueError):
    """A user-facing refusal, already translated; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class RateLimited(CommunityError):
    """Too many posts in the last hour."""


def _approved(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_approved)


# --- rate limits -------------------------------------------------------------------------------------------

def _count_since(column, owner_column, user_id: int, since: datetime) -> int:
    return db.session.scalar(select(func.count()).where(owner_column == user_id, column >= since)) or 0


def check_post_rate(user) -> None:
    """At most COMMUNITY_POSTS_PER_HOUR needs, challenges and consultations per person per hour."""
    limit = current_app.config.get("COMMUNITY_POSTS_PER_HOUR", POSTS_PER_HOUR)
    since = utcnow() - timedelta(hours=1)
    posted = (_count_since(ClinicalNeed.created_at, ClinicalNeed.author_id, user.id, since)
              + _count_since(Challenge.created_at, Challenge.author_id, user.id, since)
              + _count_since(Consultation.created_at, Consultation.asker_id, user.id, since))
    if posted >= limit:
        raise RateLimited(_("You can post at most %(num)d needs, challenges or questions per hour. "
                               "Nothing was lost: please copy your text and try again later.", num=limit))


def check_comment_rate(user) -> None:
    limit = current_app.config.get("COMMUNITY_COMMENTS_PER_HOUR", COMMENTS_PER_HOUR)
    since = utcnow() - timedelta(hours=1)
    written = (_count_since(Comment.created_at, Comment.author_id, user.id, since)
               + _count_since(ChallengeResponse.created_at, ChallengeResponse.clinician_id, user.id, since))
    if written >= limit:
        raise RateLimited(_("You can write at most %(num)d comments or replies per hour. "
                               "Please try again later.", num=limit))


# --- text matching helpers ------------------------------------------------------------------------------

def _terms(query: str) -> list[str]:
    """Search words: full-width letters folded (NFKC), split on spaces; Chinese substrings stay whole."""
    return unicodedata.normalize("NFKC", query or "").split()[:8]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_filter(columns: Iterable, query: str):
    """Every word must appear in one of the columns, case-insensitively; None when the query is empty."""
    columns = list(columns)
    conditions = [
        or_(*(column.ilike(f"%{_escape_like(term)}%", escape="\\") for column in columns))
        for term in _terms(query)
    ]
    return and_(*conditions) if conditions else None


def _folded_specialty(name: str) -> str:
    name = unicodedata.normalize("NFKC", name or "").strip().lower()
    trimmed = name.rstrip("科部室")
    return trimmed if len(trimmed) >= 2 else name


def same_specialty(department: str, specialty: str) -> bool:
    """'重症医学科' matches '重症医学' and 'ICU/重症医学科' matches '重症医学科'; empty never matches."""
    a, b = _folded_specialty(department), _folded_specialty(specialty)
    return bool(a and b) and (a in b or b in a)


# --- clinical needs -------------------------------------------------------------------------------------

NEED_FIELDS = ("title", "problem", "population", "outcome", "specialty", "visibility")


def create_need(author, **fields) -> ClinicalNeed:
    check_post_rate(author)
    need = ClinicalNeed(author_id=author.id, **_need_values(fields))
    db.session.add(need)
    db.session.flush()
    record("community.need_posted", need, actor=author, visibility=str(need.visibility))
    return need


def update_need(need: ClinicalNeed, actor, **fields) -> None:
    for key, value in _need_values(fields).items():
        setattr(need, key, value)
    record("community.need_edited", need, actor=actor)


def _need_values(fields: dict) -> dict:
    values = {key: (fields.get(key) or "").strip() for key in NEED_FIELDS if key != "visibility"}
    values["visibility"] = NeedVisibility(fields.get("visibility") or NeedVisibility.PUBLIC)
    return values


def visible_needs(user) -> Select:
    """Needs a person may see in lists: public ones for visitors, every one for approved accounts; never
    hidden ones (mirrors policy rule community.view_need)."""
    stmt = select(ClinicalNeed).where(ClinicalNeed.hidden.is_(False))
    if not _approved(user):
        stmt = stmt.where(ClinicalNeed.visibility == NeedVisibility.PUBLIC)
    return stmt


NEED_TEXT = (ClinicalNeed.title, ClinicalNeed.problem, ClinicalNeed.population, ClinicalNeed.outcome,
             ClinicalNeed.specialty)


def _see_too_count():
    return (select(func.count(NeedSeeToo.id)).where(NeedSeeToo.need_id == ClinicalNeed.id)
            .correlate(ClinicalNeed).scalar_subquery())


def need_listing(user, query: str = "", specialty: str = "", sort: str = "recent") -> Select:
    stmt = visible_needs(user)
    if (condition := text_filter(NEED_TEXT, query)) is not None:
        stmt = stmt.where(condition)
    if specialty:
        stmt = stmt.where(ClinicalNeed.specialty == specialty)
    if sort == "demand":
        return stmt.order_by(_see_too_count().desc(), ClinicalNeed.id.desc())
    return stmt.order_by(ClinicalNeed.id.desc())


@dataclass(frozen=True)
class NeedCounts:
    see_too: int = 0
    follows: int = 0
    comments: int = 0


def need_counts(need_ids: Iterable[int]) -> dict[int, NeedCounts]:
    ids = list(need_ids)
    if not ids:
        return {}

    def grouped(model) -> dict[int, int]:
        rows = db.session.execute(select(model.need_id, func.count()).where(model.need_id.in_(ids))
                                  .group_by(model.need_id))
        return dict(rows.all())

    comments = dict(db.session.execute(
        select(Comment.need_id, func.count()).where(Comment.need_id.in_(ids), Comment.hidden.is_(False))
        .group_by(Comment.need_id)).all())
    see_too, follows = grouped(NeedSeeToo), grouped(NeedFollow)
    return {i: NeedCounts(see_too.get(i, 0), follows.get(i, 0), comments.get(i, 0)) for i in ids}


def _toggle(model, need: ClinicalNeed, user) -> bool:
    """Add the user's mark (follow or see-too) or take it back; True when it is now set."""
    existing = db.session.scalar(select(model).where(model.need_id == need.id, model.user_id == user.id))
    if existing is not None:
        db.session.delete(existing)
        return False
    db.session.add(model(need_id=need.id, user_id=user.id))
    return True


def toggle_follow(need: ClinicalNeed, user) -> bool:
    return _toggle(NeedFollow, need, user)


def toggle_see_too(need: ClinicalNeed, user) -> bool:
    now_set = _toggle(NeedSeeToo, need, user)
    if now_set:
        notify(need.author, N_("Another clinician meets the problem of your need \"%(title)s\" too."),
               need_link(need), title=need.title)
    return now_set


def user_marks(need: ClinicalNeed, user) -> dict[str, bool]:
    if not _approved(user):
        return {"follow": False, "see_too": False}

    def has(model) -> bool:
        return db.session.scalar(
            select(model.id).where(model.need_id == need.id, model.user_id == user.id)) is not None

    return {"follow": has(NeedFollow), "see_too": has(NeedSeeToo)}


def need_link(need: ClinicalNeed) -> str:
    return f"/community/needs/{need.id}"


def challenge_link(challenge: Challenge) -> str:
    return f"/community/challenges/{challenge.id}"


def convert_need(need: ClinicalNeed, actor) -> Project:
    """Turn a need into a draft idea submission owned by its author, keeping the link both ways."""
    if need.status != NeedStatus.OPEN:
        raise CommunityError(_("This need has already been turned into a project."))
    project = intake.create_project(need.author, {"title": need.title, "specialty": need.specialty})
    intake.save_section(project, "need", {"need_problem": need.problem, "need_population": need.population,
                                          "need_outcome": need.outcome}, project.lock_version)
    need.status, need.converted_project_id, need.converted_at = NeedStatus.CONVERTED, project.id, utcnow()
    record("community.need_converted", need, actor=actor, project_id=project.id)
    for follow in need.follows:
        if follow.user_id != need.author_id:
            notify(db.session.get(User, follow.user_id),
                   N_("The clinical need \"%(title)s\" you follow has become a full project."),
                   need_link(need), title=need.title)
    return project


# --- comments -------------------------------------------------------------------------------------------

def add_comment(target: ClinicalNeed | Challenge, author, text: str) -> Comment:
    check_comment_rate(author)
    on_need = isinstance(target, ClinicalNeed)
    comment = Comment(need_id=target.id if on_need else None, challenge_id=None if on_need else target.id,
                      author_id=author.id, text=text.strip())
    db.session.add(comment)
    db.session.flush()
    record("community.comment_posted", comment, actor=author)
    link = need_link(target) if on_need else challenge_link(target)
    for person in _comment_audience(target, author):
        notify(person, N_("New comment on \"%(title)s\"."), link, title=target.title)
    return comment


def _comment_audience(target, author) -> list[User]:
    """Who hears about a new comment: the author of the need (or the company's poster) and the followers."""
    ids = {target.author_id} if target.author_id else set()
    if isinstance(target, ClinicalNeed):
        ids |= {f.user_id for f in target.follows}
    ids.discard(author.id)
    return list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []


def visible_comments(target: ClinicalNeed | Challenge, user) -> list[Comment]:
    """Comments in order; hidden ones only for administrators and their author."""
    column = Comment.need_id if isinstance(target, ClinicalNeed) else Comment.challenge_id
    comments = db.session.scalars(select(Comment).where(column == target.id).order_by(Comment.id)).all()
    signed_in = user is not None and user.is_authenticated
    viewer_id = user.id if signed_in else None
    moderator = signed_in and can(user, "community.moderate")
    return [c for c in comments if not c.hidden or moderator or c.author_id == viewer_id]


# --- company challenges ----------------------------------------------------------------------------------

CHALLENGE_FIELDS = ("title", "description", "kind", "specialty", "deadline")


def create_challenge(author, **fields) -> Challenge:
    check_post_rate(author)
    challenge = Challenge(org_id=author.organization_id, author_id=author.id, **_challenge_values(fields))
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


def set_challenge_status(challenge: Challenge, actor, status: ChallengeStatus) -> None:
    challenge.status = ChallengeStatus(status)
    record(f"community.challenge_{challenge.status.value}", challenge, actor=actor)


def visible_challenges(user) -> Select:
    if not _approved(user):
        return select(Challenge).where(false())
    return select(Challenge).where(Challenge.hidden.is_(False))


CHALLENGE_TEXT = (Challenge.title, Challenge.description, Challenge.specialty)


def challenge_listing(user, query: str = "", specialty: str = "", status: str = "open") -> Select:
    stmt = visible_challenges(user)
    if (condition := text_filter(CHALLENGE_TEXT, query)) is not None:
        stmt = stmt.where(condition)
    if specialty:
        stmt = stmt.where(Challenge.specialty == specialty)
    if status in {s.value for s in ChallengeStatus}:
        stmt = stmt.where(Challenge.status == status)
    return stmt.order_by(Challenge.id.desc())


# --- clinician suggestions for a challenge ----------------------------------------------------------------

def clinician_documents() -> list[tuple[int, str]]:
    """(clinician id, text) for every approved clinician: department, their visible community needs and
    comments, and the title and public summary of their published projects. Never intake's confidential
    sections, nor hidden content."""
    clinicians = db.session.scalars(
        select(User).where(User.role == Role.CLINICIAN, User.status == AccountStatus.ACTIVE)).all()
    parts: dict[int, list[str]] = {c.id: [c.department] for c in clinicians}
    if not parts:
        return []
    ids = list(parts)
    rows = db.session.execute(
        select(ClinicalNeed.author_id, ClinicalNeed.title, ClinicalNeed.problem, ClinicalNeed.specialty)
        .where(ClinicalNeed.author_id.in_(ids), ClinicalNeed.hidden.is_(False)))
    for author_id, *texts in rows:
        parts[author_id].extend(texts)
    rows = db.session.execute(
        select(Comment.author_id, Comment.text)
        .outerjoin(ClinicalNeed, Comment.need_id == ClinicalNeed.id)
        .outerjoin(Challenge, Comment.challenge_id == Challenge.id)
        .where(Comment.author_id.in_(ids), Comment.hidden.is_(False),
               func.coalesce(ClinicalNeed.hidden, Challenge.hidden).is_(False)))
    for author_id, text in rows:
        parts[author_id].append(text)
    rows = db.session.execute(
        select(Project.owner_id, Project.title, Project.public_summary)
        .where(Project.owner_id.in_(ids), Project.published_at.is_not(None)))
    for owner_id, *texts in rows:
        parts[owner_id].extend(texts)
    return [(uid, "\n".join(t for t in texts if t)) for uid, texts in parts.items()]


def clinician_index() -> TextIndex | None:
    """The matcher's index over every clinician's community text (None when there is nothing to match on)."""
    docs = [(uid, text) for uid, text in clinician_documents() if text.strip()]
    if not docs:
        return None
    try:
        return TextIndex(docs)
    except ValueError:  # nothing but stop words: no vocabulary to match on
        return None


def suggest_clinicians(challenge: Challenge, limit: int = SUGGESTION_LIMIT,
                       index: TextIndex | None = None) -> list[tuple[User, float, tuple]]:
    """Clinicians who may help with a challenge, best first, each with why (shared terms, matching specialty).

    Pass `index` (from clinician_index) to rank several challenges against one fitted index."""
    index = index or clinician_index()
    if index is None:
        return []
    matches = index.query([challenge.text()], k=min(limit * 3, len(index)), n_reasons=4)[0]
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_([m.target_id for m in matches])))}
    ranked = []
    for match in matches:
        user = users[match.target_id]
        score, reasons = match.score, [r for r in match.reasons if len(r) > 1 and r not in GENERIC_REASONS]
        if same_specialty(user.department, challenge.specialty):
            score *= 1 + SPECIALTY_BONUS
            reasons.append(SPECIALTY_REASON + user.department)
        if reasons:  # a suggestion nobody can explain (one shared character) is no suggestion
            ranked.append((user, round(score, 6), tuple(reasons)))
    ranked.sort(key=lambda item: -item[1])
    return ranked[:limit]


def refresh_suggestions(challenge: Challenge, index: TextIndex | None = None) -> list[ChallengeSuggestion]:
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


def invitations_for(user) -> list[ChallengeSuggestion]:
    """Open challenges a company invited this clinician to, not yet answered."""
    answered = select(ChallengeResponse.challenge_id).where(ChallengeResponse.clinician_id == user.id)
    return list(db.session.scalars(
        select(ChallengeSuggestion).join(Challenge)
        .where(ChallengeSuggestion.clinician_id == user.id, ChallengeSuggestion.invited_at.is_not(None),
               Challenge.hidden.is_(False), Challenge.status == ChallengeStatus.OPEN,
               Challenge.id.not_in(answered))
        .order_by(ChallengeSuggestion.invited_at.desc())))


# --- responses and contact consent ----------------------------------------------------------------------

CONTACT_SHARE = "contact_share"
FAQ_PUBLICATION = "faq_publication"


def contact_consent_text(challenge: Challenge) -> str:
    return _("Share my contact details (name, hospital, department, phone, e-mail) with %(company)s "
             "for this challenge. I can withdraw this at any time.", company=challenge.organization.name)


def own_response(challenge: Challenge, user) -> ChallengeResponse | None:
    if not _approved(user):
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


def _grant(user, kind: str, text: str, **detail) -> Consent:
    consent = Consent(user_id=user.id, kind=kind, detail=detail, text=text)
    db.session.add(consent)
    return consent


def _withdraw(consent: Consent | None) -> None:
    if consent is not None and consent.revoked_at is None:
        consent.revoked_at = utcnow()


def share_contact_details(response: ChallengeResponse, clinician) -> None:
    challenge = response.challenge
    org = challenge.organization
    response.consent = _grant(clinician, CONTACT_SHARE, contact_consent_text(challenge),
                              organization_id=org.id, organization=org.name, challenge_id=challenge.id)
    response.contact_shared, response.shared_at = True, utcnow()
    record("community.contact_shared", response, actor=clinician, organization_id=org.id)
    _notify_company(challenge, N_("A clinician shared contact details for your challenge \"%(title)s\"."))


def revoke_contact(response: ChallengeResponse, clinician) -> None:
    _withdraw(response.consent)
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


# --- consultations and the FAQ ---------------------------------------------------------------------------

def ask(asker, category: str, question: str, publish_consent: bool = False) -> Consultation:
    question = question.strip()
    if len(question) > QUESTION_MAX:
        raise CommunityError(_("Please keep the question within %(num)d characters.", num=QUESTION_MAX),
                             "question")
    check_post_rate(asker)
    consultation = Consultation(asker_id=asker.id, category=ConsultCategory(category), question=question)
    db.session.add(consultation)
    db.session.flush()
    record("community.question_asked", consultation, actor=asker, category=str(consultation.category))
    set_publish_consent(consultation, asker, publish_consent)
    return consultation


def answer(consultation: Consultation, answerer, text: str) -> None:
    first = consultation.status == ConsultStatus.OPEN
    consultation.answer, consultation.status = text.strip(), ConsultStatus.ANSWERED
    consultation.answered_by_id, consultation.answered_at = answerer.id, utcnow()
    record("community.question_answered", consultation, actor=answerer, first=first)
    notify(consultation.asker, N_("Your question has been answered.") if first
           else N_("The answer to your question has been updated."), consultation_link(consultation))


def consultation_link(consultation: Consultation) -> str:
    return f"/community/consultations/{consultation.id}"


def publish_consent_text() -> str:
    return _("The platform may publish my question and its answer in the public FAQ, edited so that "
             "nobody can tell who asked.")


def set_publish_consent(consultation: Consultation, asker, allow: bool) -> None:
    """The asker allows or withdraws FAQ publication; withdrawing takes a published entry down."""
    if bool(allow) == consultation.publish_consent:
        return
    if allow:
        _grant(asker, FAQ_PUBLICATION, publish_consent_text(), consultation_id=consultation.id)
        consultation.publish_consent, consultation.publish_consent_at = True, utcnow()
    else:
        for consent in _consents(asker, FAQ_PUBLICATION, consultation_id=consultation.id):
            _withdraw(consent)
        consultation.publish_consent, consultation.publish_consent_at = False, None
        if consultation.published_faq:
            unpublish_faq(consultation, asker)
    record("community.faq_consent", consultation, actor=asker, allow=bool(allow))


def _consents(user, kind: str, **detail) -> list[Consent]:
    rows = db.session.scalars(select(Consent).where(
        Consent.user_id == user.id, Consent.kind == kind, Consent.revoked_at.is_(None))).all()
    return [c for c in rows if all(c.detail.get(k) == v for k, v in detail.items())]


def identity_traces(consultation: Consultation, *texts: str) -> list[str]:
    """The asker's name, e-mail, phone or organisation if they still appear in the FAQ wording."""
    asker = consultation.asker
    candidates = [asker.name, asker.email, asker.phone, asker.org_name]
    joined = "\n".join(texts).lower()
    return [c for c in candidates if c and len(c) >= 2 and c.lower() in joined]


def publish_faq(consultation: Consultation, actor, faq_question: str, faq_answer: str) -> None:
    if consultation.status != ConsultStatus.ANSWERED:
        raise CommunityError(_("Only answered questions can be published."))
    if not consultation.publish_consent:
        raise CommunityError(_("The person who asked has not agreed to publication."))
    faq_question, faq_answer = faq_question.strip(), faq_answer.strip()
    if traces := identity_traces(consultation, faq_question, faq_answer):
        raise CommunityError(_("The text still identifies the person who asked (%(found)s). Please remove it.",
                               found=", ".join(traces)), "faq_question")
    consultation.faq_question, consultation.faq_answer = faq_question, faq_answer
    consultation.published_faq, consultation.published_at = True, utcnow()
    consultation.published_by_id = actor.id
    record("community.faq_published", consultation, actor=actor)
    notify(consultation.asker, N_("Your question was published in the FAQ without your identity."),
           "/community/faq")


def unpublish_faq(consultation: Consultation, actor) -> None:
    consultation.published_faq, consultation.published_at = False, None
    record("community.faq_unpublished", consultation, actor=actor)


FAQ_TEXT = (Consultation.faq_question, Consultation.faq_answer)


def faq_listing(query: str = "", category: str = "") -> Select:
    stmt = select(Consultation).where(Consultation.published_faq.is_(True))
    if (condition := text_filter(FAQ_TEXT, query)) is not None:
        stmt = stmt.where(condition)
    if category in {c.value for c in ConsultCategory}:
        stmt = stmt.where(Consultation.category == category)
    return stmt.order_by(Consultation.published_at.desc(), Consultation.id.desc())


def consultations_of(user) -> list[Consultation]:
    return list(db.session.scalars(
        select(Consultation).where(Consultation.asker_id == user.id).order_by(Consultation.id.desc())))


def consultation_queue(status: str = "open") -> list[Consultation]:
    stmt = select(Consultation)
    if status in {s.value for s in ConsultStatus}:
        stmt = stmt.where(Consultation.status == status)
    return list(db.session.scalars(stmt.order_by(Consultation.id)))


# --- time slots and bookings -----------------------------------------------------------------------------

def create_slot(officer, starts_local: datetime, minutes: int, capacity: int, online: bool, location: str,
                topic: str = "") -> TimeSlot:
    """A slot from a local (Asia/Shanghai) start time, stored in UTC like every other time."""
    starts_at = to_utc(starts_local)
    if starts_at <= utcnow():
        raise CommunityError(_("The slot must start in the future."), "starts_at")
    slot = TimeSlot(officer_id=officer.id, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes),
                    capacity=capacity, online=online, location=location.strip(), topic=topic.strip())
    db.session.add(slot)
    db.session.flush()
    record("community.slot_published", slot, actor=officer)
    return slot


def upcoming_slots() -> list[TimeSlot]:
    return list(db.session.scalars(
        select(TimeSlot).where(TimeSlot.cancelled_at.is_(None), TimeSlot.starts_at > utcnow())
        .order_by(TimeSlot.starts_at)))


def managed_slots(user) -> list[TimeSlot]:
    """An officer's own slots from a week ago on; administrators see every officer's."""
    stmt = select(TimeSlot).where(TimeSlot.starts_at > utcnow() - timedelta(days=7))
    if user.role != Role.ADMIN:
        stmt = stmt.where(TimeSlot.officer_id == user.id)
    return list(db.session.scalars(stmt.order_by(TimeSlot.starts_at)))


def book(slot: TimeSlot, user, topic: str) -> Booking:
    """Book a place: the slot must be open and not full, and the person must not be booked at that time."""
    slot = db.session.scalar(select(TimeSlot).where(TimeSlot.id == slot.id).with_for_update())
    if slot.cancelled_at is not None or slot.starts_at <= utcnow():
        raise CommunityError(_("This time slot is no longer available."))
    booking = next((b for b in slot.bookings if b.user_id == user.id), None)
    if booking is not None and booking.status == BookingStatus.BOOKED:
        raise CommunityError(_("You have already booked this time slot."))
    if slot.places_left <= 0:
        raise CommunityError(_("This time slot is fully booked. Please choose another one."))
    if _overlapping_booking(user, slot):
        raise CommunityError(_("You already have an appointment at this time."))
    if booking is None:
        booking = Booking(slot=slot, user_id=user.id, topic="")
        db.session.add(booking)
    booking.topic, booking.status, booking.cancelled_at = topic.strip(), BookingStatus.BOOKED, None
    db.session.flush()
    record("community.slot_booked", booking, actor=user, slot_id=slot.id)
    notify(slot.officer, N_("New appointment booked for %(when)s."), "/community/slots",
           when=_local_time(slot.starts_at))
    return booking


def _overlapping_booking(user, slot: TimeSlot) -> bool:
    return db.session.scalar(
        select(Booking.id).join(TimeSlot).where(
            Booking.user_id == user.id, Booking.status == BookingStatus.BOOKED, Booking.slot_id != slot.id,
            TimeSlot.cancelled_at.is_(None), TimeSlot.starts_at < slot.ends_at, TimeSlot.ends_at > slot.starts_at)
    ) is not None


def _local_time(value: datetime) -> str:
    from flask_babel import format_datetime

    return format_datetime(value, "yyyy-MM-dd HH:mm")


def cancel_booking(booking: Booking, actor) -> None:
    if booking.status == BookingStatus.CANCELLED:
        return
    booking.status, booking.cancelled_at = BookingStatus.CANCELLED, utcnow()
    record("community.booking_cancelled", booking, actor=actor)
    if actor.id == booking.user_id:
        notify(booking.slot.officer, N_("An appointment for %(when)s was cancelled."), "/community/slots",
               when=_local_time(booking.slot.starts_at))


def cancel_slot(slot: TimeSlot, actor) -> None:
    slot.cancelled_at = utcnow()
    for booking in slot.active_bookings:
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, utcnow()
        notify(booking.user, N_("Your appointment for %(when)s was cancelled by the platform. Please book "
                                "another time."), "/community/slots", when=_local_time(slot.starts_at))
    record("community.slot_cancelled", slot, actor=actor)


def bookings_of(user) -> list[Booking]:
    return list(db.session.scalars(
        select(Booking).join(TimeSlot).where(Booking.user_id == user.id, Booking.status == BookingStatus.BOOKED,
                                             TimeSlot.ends_at > utcnow())
        .order_by(TimeSlot.starts_at)))


# --- moderation ------------------------------------------------------------------------------------------

TARGET_MODELS = {ReportTarget.NEED: ClinicalNeed, ReportTarget.CHALLENGE: Challenge, ReportTarget.COMMENT: Comment}


def target_kind(obj) -> ReportTarget:
    return next(kind for kind, model in TARGET_MODELS.items() if isinstance(obj, model))


def load_target(kind: str, target_id: int):
    try:
        model = TARGET_MODELS[ReportTarget(kind)]
    except ValueError:
        return None
    return db.session.get(model, target_id)


def can_view_target(user, obj) -> bool:
    if isinstance(obj, Comment):
        return (not obj.hidden or can(user, "community.moderate") or obj.author_id == user.id) \
            and can_view_target(user, obj.target)
    action = "community.view_need" if isinstance(obj, ClinicalNeed) else "community.view_challenge"
    return can(user, action, obj)


def report(reporter, obj, reason_kind: str, reason: str = "") -> Report:
    """File (or update) the reporter's open report about a piece of content and tell the administrators."""
    kind = target_kind(obj)
    existing = db.session.scalar(select(Report).where(
        Report.reporter_id == reporter.id, Report.target_type == kind, Report.target_id == obj.id,
        Report.status == ReportStatus.OPEN))
    entry = existing or Report(reporter_id=reporter.id, target_type=kind, target_id=obj.id,
                               reason_kind=ReportReason(reason_kind))
    entry.reason_kind, entry.reason = ReportReason(reason_kind), reason.strip()
    db.session.add(entry)
    db.session.flush()
    record("community.reported", entry, actor=reporter, target=f"{kind.value}:{obj.id}")
    if existing is None:
        for admin in active_admins():
            notify(admin, N_("New community report awaiting moderation."), "/community/admin/reports")
    return entry


def set_hidden(obj, hidden: bool, admin) -> None:
    """Hide or show again; hiding settles the open reports about it and tells its author."""
    obj.hidden, obj.hidden_at, obj.hidden_by_id = hidden, utcnow() if hidden else None, admin.id if hidden else None
    kind = target_kind(obj)
    record("community.hidden" if hidden else "community.unhidden", obj, actor=admin)
    if not hidden:
        return
    for entry in open_reports_about(kind, obj.id):
        entry.status, entry.resolved_by_id, entry.resolved_at = ReportStatus.ACTIONED, admin.id, utcnow()
    if obj.author_id:
        notify(db.session.get(User, obj.author_id),
               N_("A moderator hid one of your community posts. Only you and the administrators can see it now."),
               target_link(obj))


def open_reports_about(kind: ReportTarget, target_id: int) -> list[Report]:
    return list(db.session.scalars(select(Report).where(
        Report.target_type == kind, Report.target_id == target_id, Report.status == ReportStatus.OPEN)))


def dismiss_report(entry: Report, admin) -> None:
    entry.status, entry.resolved_by_id, entry.resolved_at = ReportStatus.DISMISSED, admin.id, utcnow()
    record("community.report_dismissed", entry, actor=admin)


def target_link(obj) -> str:
    if isinstance(obj, Comment):
        return f"{target_link(obj.target)}#comment-{obj.id}"
    return need_link(obj) if isinstance(obj, ClinicalNeed) else challenge_link(obj)


def report_queue(status: str = "open") -> list[tuple[Report, object]]:
    stmt = select(Report).order_by(Report.id)
    if status in {s.value for s in ReportStatus}:
        stmt = stmt.where(Report.status == status)
    return [(entry, load_target(entry.target_type, entry.target_id)) for entry in db.session.scalars(stmt)]


def hidden_content() -> list[object]:
    found: list[object] = []
    for model in TARGET_MODELS.values():
        found.extend(db.session.scalars(select(model).where(model.hidden.is_(True)).order_by(model.id)))
    return found


# --- search ----------------------------------------------------------------------------------------------

SEARCH_KINDS = ("need", "challenge", "faq")


@dataclass
class SearchResults:
    needs: list[ClinicalNeed] = field(default_factory=list)
    challenges: list[Challenge] = field(default_factory=list)
    faqs: list[Consultation] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.needs) + len(self.challenges) + len(self.faqs)


def search(user, query: str = "", kind: str = "", specialty: str = "", limit: int = 50) -> SearchResults:
    """Needs, challenges and published FAQ entries matching every word, in what the person may see."""
    results = SearchResults()
    if not _terms(query) and not specialty:
        return results
    if kind in ("", "need"):
        results.needs = list(db.session.scalars(need_listing(user, query, specialty).limit(limit)))
    if kind in ("", "challenge"):
        results.challenges = list(db.session.scalars(challenge_listing(user, query, specialty, "").limit(limit)))
    if kind in ("", "faq") and not specialty:
        results.faqs = list(db.session.scalars(faq_listing(query).limit(limit)))
    return results


def known_specialties(user) -> list[str]:
    """Specialties used by the needs and challenges a person can see, for the filters."""
    needs = visible_needs(user).with_only_columns(ClinicalNeed.specialty)
    challenges = visible_challenges(user).with_only_columns(Challenge.specialty)
    values = set(db.session.scalars(needs)) | set(db.session.scalars(challenges))
    return sorted(v for v in values if v)


# --- workspace panel ------------------------------------------------------------------------------------

def panel_context(user) -> dict:
    ctx: dict = {"role": user.role.value}
    if user.role == Role.CLINICIAN:
        needs = list(db.session.scalars(select(ClinicalNeed).where(ClinicalNeed.author_id == user.id)
                                        .order_by(ClinicalNeed.id.desc()).limit(5)))
        ctx["needs"], ctx["counts"] = needs, need_counts(n.id for n in needs)
    if user.role == Role.ENTERPRISE and user.organization_id:
        ctx["challenges"] = list(db.session.scalars(
            select(Challenge).where(Challenge.org_id == user.organization_id).order_by(Challenge.id.desc()).limit(5)))
    if user.role in (Role.CLINICIAN, Role.ENTERPRISE, Role.INVESTOR):
        ctx["consultations"] = consultations_of(user)[:5]
        ctx["bookings"] = bookings_of(user)[:5]
    if user.role in (Role.OFFICER, Role.EXPERT, Role.ADMIN):
        ctx["open_questions"] = len(consultation_queue("open"))
    if user.role == Role.ADMIN:
        ctx["open_reports"] = len(report_queue("open"))
    return ctx
