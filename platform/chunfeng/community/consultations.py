"""Consultations (我要咨询): questions to the platform's officers and experts, their answers, and the anonymous FAQ
entries made from them with the asker's consent."""

from __future__ import annotations

from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, select

from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from . import consents
from .errors import CommunityError
from .lifecycles import ConsultEvent, consultation_lifecycle
from .limits import check_post_rate
from .links import consultation_link
from .models import Consultation, ConsultCategory, ConsultStatus
from .text import text_filter

QUESTION_MAX = 1000
FAQ_TEXT = (Consultation.faq_question, Consultation.faq_answer)


def ask(asker, category: str, question: str, publish_consent: bool = False) -> Consultation:
    question = question.strip()
    if len(question) > QUESTION_MAX:
        raise CommunityError(_("Please keep the question within %(num)d characters.", num=QUESTION_MAX),
                             "question")
    check_post_rate(asker)
    consultation = consultation_lifecycle.begin(
        Consultation(asker_id=asker.id, category=ConsultCategory(category), question=question))
    db.session.add(consultation)
    db.session.flush()
    record("community.question_asked", consultation, actor=asker, category=str(consultation.category))
    set_publish_consent(consultation, asker, publish_consent)
    return consultation


def answer(consultation: Consultation, answerer, text: str) -> None:
    """Answer, or update the answer; the asker is notified either way."""
    first = consultation.status == ConsultStatus.OPEN
    consultation.answer = text.strip()
    consultation.answered_by_id, consultation.answered_at = answerer.id, utcnow()
    consultation_lifecycle.apply(consultation, ConsultEvent.ANSWERED, answerer, first=first)
    notify(consultation.asker, N_("Your question has been answered.") if first
           else N_("The answer to your question has been updated."), consultation_link(consultation))


def publish_consent_text() -> str:
    return _("The platform may publish my question and its answer in the public FAQ, edited so that "
             "nobody can tell who asked.")


def set_publish_consent(consultation: Consultation, asker, allow: bool) -> None:
    """The asker allows or withdraws FAQ publication; withdrawing takes a published entry down."""
    if bool(allow) == consultation.publish_consent:
        return
    if allow:
        consents.grant(asker, consents.FAQ_PUBLICATION, publish_consent_text(), consultation_id=consultation.id)
        consultation.publish_consent, consultation.publish_consent_at = True, utcnow()
    else:
        for consent in consents.standing(asker, consents.FAQ_PUBLICATION, consultation_id=consultation.id):
            consents.withdraw(consent)
        consultation.publish_consent, consultation.publish_consent_at = False, None
        if consultation.published_faq:
            unpublish_faq(consultation, asker)
    record("community.faq_consent", consultation, actor=asker, allow=bool(allow))


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
           path_for("community.faq"))


def unpublish_faq(consultation: Consultation, actor) -> None:
    consultation.published_faq, consultation.published_at = False, None
    record("community.faq_unpublished", consultation, actor=actor)


def faq_listing(query: str = "", category: str = "") -> Select:
    stmt = select(Consultation).where(Consultation.published_faq.is_(True))
    if (condition := text_filter(FAQ_TEXT, query)) is not None:
        stmt = stmt.where(condition)
    if category in {c.value for c in ConsultCategory}:
        stmt = stmt.where(Consultation.category == category)
    return stmt.order_by(Consultation.published_at.desc(), Consultation.id.desc())


def consultations_of(user) -> list[Consultation]:
    return list(db.session.scalars(_asked_query(), {"asker_id": user.id}))


@cache
def _asked_query() -> Select:
    """Built once per process (a workspace panel runs it on every visit)."""
    return select(Consultation).where(Consultation.asker_id == bindparam("asker_id")).order_by(Consultation.id.desc())


def consultation_queue(status: str = "open") -> list[Consultation]:
    stmt = select(Consultation)
    if status in {s.value for s in ConsultStatus}:
        stmt = stmt.where(Consultation.status == status)
    return list(db.session.scalars(stmt.order_by(Consultation.id)))
