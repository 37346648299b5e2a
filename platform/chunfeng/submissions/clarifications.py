"""Clarification questions to the clinician during the review, blind both ways.

An assigned expert (`access.assigned_expert`, answered by reviews through `hooks.project_experts`) or an
administrator asks while the project is under review, with a deadline (by default 7 days, a date on the
platform's calendar: open until the end of that day in the configured zone). The clinician is told in the app and
by e-mail and sees the asker only as "reviewing expert" (or "expert A", "expert B" when several ask); the expert
never sees the clinician. The answer, with an optional file, becomes a supplementary version (supplements.py) that
the panel reads; the asker is told. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from flask_babel import gettext as _
from sqlalchemy import update

from ..accounts.models import User
from ..core import hooks, mail
from ..core.clock import local_today
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db, utcnow
from . import status as machine
from .models import Clarification, Project, ProjectVersion
from .services import SubmissionError
from .supplements import may_supplement, supplement

QUESTION_DAYS = 7  # the default deadline
LONGEST_DAYS = 30
QUESTION_MAX, ANSWER_MAX = 2000, 5000
ASKED_AS_EXPERT, ASKED_AS_ADMIN = "expert", "admin"
MAIL_TEMPLATE = "submissions/mail/clarification_question.html"


class ClarificationClosed(SubmissionError):
    """The question can no longer be answered (answered already, past its deadline, the review is over)."""


def default_due() -> date:
    return local_today() + timedelta(days=QUESTION_DAYS)


def state(item: Clarification) -> str:
    """'answered', 'open' (until the end of its due day, while the project may still take material) or 'closed'."""
    if item.answered_at is not None:
        return "answered"
    return "open" if awaits_answer(item) else "closed"


def awaits_answer(item) -> bool:
    """Whether an unanswered question (anything with `due_on` and `project`) may still be answered: until the end
    of its due day, while the project may still take material."""
    return local_today() <= item.due_on and may_supplement(item.project)


def may_ask(project: Project) -> bool:
    return project.status == machine.Status.UNDER_REVIEW


def ask(project: Project, actor: User, question: str, due_on: date | None, as_expert: bool) -> Clarification:
    if not may_ask(project):
        raise SubmissionError(_("Questions to the applicant can be asked only while the project is under expert "
                                "review."))
    question = (question or "").strip()
    if not question:
        raise SubmissionError(_("Please write the question."))
    if len(question) > QUESTION_MAX:
        raise SubmissionError(_("Please shorten the question to at most %(max)d characters.", max=QUESTION_MAX))
    today = local_today()
    due_on = due_on or default_due()
    if not today < due_on <= today + timedelta(days=LONGEST_DAYS):
        raise SubmissionError(_("The deadline must fall between tomorrow and %(days)d days from today.",
                                days=LONGEST_DAYS))
    item = Clarification(asked_by_id=actor.id, asked_as=ASKED_AS_EXPERT if as_expert else ASKED_AS_ADMIN,
                         question=question, due_on=due_on, asked_at=utcnow())
    project.clarifications.append(item)
    db.session.flush()
    record("clarification.asked", project, actor=actor, clarification_id=item.id, due_on=due_on.isoformat())
    notify(project.owner, N_("The reviewing experts asked a question about “%(title)s”. Please answer by "
                             "%(date)s."), _project_link(project, item), title=project.title,
           date=due_on.isoformat())
    return item


def mail_question(item: Clarification) -> bool:
    """The e-mail to the clinician (sent once the question is committed); it never names the asker."""
    project = item.project
    return mail.notify_by_mail(
        project.owner, mail.CLARIFICATION_QUESTION, N_("A question from the reviewing experts about “%(title)s”"),
        MAIL_TEMPLATE, subject_params={"title": project.title}, title=project.title, question=item.question,
        due=item.due_on.isoformat(), link=mail.site_url("submissions.project", project_id=project.id))


def answer(item: Clarification, actor: User, text: str, uploads: list[tuple[str, IO[bytes]]],
           written: list[Path]) -> ProjectVersion:
    """Record the answer (once: a second answer meets the first) and add it, with its file, to the project as a
    supplementary version with the reason "answer to the experts' question"."""
    if item.answered_at is not None:
        raise ClarificationClosed(_("This question was already answered."))
    if state(item) != "open":
        raise ClarificationClosed(_("The time to answer this question is over (the deadline was %(date)s), or the "
                                    "review has ended. Nothing was saved.", date=item.due_on.isoformat()))
    text = (text or "").strip()
    if not text:
        raise SubmissionError(_("Please write your answer."))
    if len(text) > ANSWER_MAX:
        raise SubmissionError(_("Please shorten the answer to at most %(max)d characters.", max=ANSWER_MAX))
    now = utcnow()
    won = db.session.execute(
        update(Clarification).where(Clarification.id == item.id, Clarification.answered_at.is_(None))
        .values(answer=text, answered_at=now, answered_by_id=actor.id)).rowcount
    if not won:
        raise ClarificationClosed(_("This question was already answered."))
    project = item.project
    asker = db.session.get(User, item.asked_by_id) if item.asked_by_id else None
    version, _created = supplement(
        project, actor, _("Answer to the experts' question"), {}, uploads, project.lock_version, written,
        answered={"question": item.question, "answer": text}, spare=asker)
    item.version = version
    db.session.flush()
    record("clarification.answered", project, actor=actor, clarification_id=item.id, version=version.number)
    if asker is not None:
        notify(asker, N_("The applicant answered your question about “%(title)s” (version %(num)d)."),
               _asker_link(project, item, asker), title=project.title, num=version.number)
    return version


def _project_link(project: Project, item: Clarification) -> str:
    return path_for("submissions.project", project_id=project.id) + f"#clarification-{item.id}"


def _asker_link(project: Project, item: Clarification, asker: User) -> str:
    if item.asked_as == ASKED_AS_EXPERT:
        return next((link for expert, link in hooks.collect(hooks.project_experts, project=project)
                     if expert.id == asker.id), "")
    return _project_link(project, item)


# --- reading ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClarificationView:
    item: Clarification
    label: str  # who asked, as the clinician sees it: never a name
    state: str
    mine: bool  # asked by the viewer


def asker_labels(items: list[Clarification]) -> dict[int, str]:
    """Clarification id -> "Reviewing expert" (one expert asked), "Expert A", "Expert B"... (in the order they first
    asked) or "Platform administrators"."""
    experts: list[int | None] = []
    for item in items:
        if item.asked_as == ASKED_AS_EXPERT and item.asked_by_id not in experts:
            experts.append(item.asked_by_id)
    labels = {}
    for item in items:
        if item.asked_as != ASKED_AS_EXPERT:
            labels[item.id] = _("Platform administrators")
        elif len(experts) == 1:
            labels[item.id] = _("Reviewing expert")
        else:
            labels[item.id] = _("Expert %(letter)s", letter=chr(ord("A") + experts.index(item.asked_by_id) % 26))
    return labels


def views(project: Project, viewer: User) -> list[ClarificationView]:
    """The project's questions, newest first, as `viewer` may read them."""
    labels = asker_labels(project.clarifications)
    return [ClarificationView(item, labels[item.id], state(item), item.asked_by_id == viewer.id)
            for item in reversed(project.clarifications)]
