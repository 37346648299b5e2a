"""Reviews due: the expert's list, and reminders an operator schedules (in-app, and e-mail when SMTP is set)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from ..accounts.models import User
from ..core import mail
from ..core.services import N_, Nn_, notify, record
from ..core.web import path_for
from ..db import db
from ..submissions.models import Project
from .assignment import project_titles
from .models import PENDING_FOR_EXPERT, Assignment, AssignmentStatus, ReviewRound, RoundStatus


def my_assignments(expert: User) -> list[Assignment]:
    """Everything sent to the expert and not withdrawn, open ones first, soonest due first."""
    found = db.session.scalars(_assignments_query(), {"expert_id": expert.id})
    return sorted(found, key=lambda a: (a.status not in PENDING_FOR_EXPERT, a.due_date, a.id))


@cache
def _assignments_query() -> Select:
    """Built once per process (a workspace panel runs it on every visit)."""
    hidden = (AssignmentStatus.PROPOSED, AssignmentStatus.CANCELLED)
    return (select(Assignment).where(Assignment.expert_id == bindparam("expert_id"), Assignment.status.not_in(hidden))
            .options(joinedload(Assignment.round, innerjoin=True),
                     # what the lists show of the project, not its long texts
                     joinedload(Assignment.project, innerjoin=True).load_only(
                         Project.id, Project.title, Project.specialty, Project.status, Project.device_class)))


def due_for(expert: User) -> list[Assignment]:
    return [a for a in my_assignments(expert) if a.status in PENDING_FOR_EXPERT and a.project_under_review]


def is_overdue(assignment: Assignment, today: date) -> bool:
    return assignment.status in PENDING_FOR_EXPERT and assignment.due_date < today


@dataclass
class ReminderRun:
    experts: int = 0
    assignments: int = 0
    emails: int = 0


def send_reminders(today: date, days_before: int = 3) -> ReminderRun:
    """Remind each expert once a day about reviews due within `days_before` days (or overdue): an in-app
    notification, and an e-mail when MAIL_SERVER is configured. Running it twice the same day sends nothing
    more."""
    horizon = today + timedelta(days=days_before)
    pending = db.session.scalars(
        select(Assignment).join(ReviewRound).where(
            Assignment.status.in_(PENDING_FOR_EXPERT), ReviewRound.status != RoundStatus.DRAFT)
        .options(selectinload(Assignment.round), selectinload(Assignment.expert)))
    by_expert: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in pending:
        if assignment.project_under_review and assignment.due_date <= horizon and assignment.last_reminded_on != today:
            by_expert[assignment.expert_id].append(assignment)
    run = ReminderRun()
    for items in by_expert.values():
        expert = items[0].expert
        soonest = min(a.due_date for a in items)
        notify(expert, Nn_("Reminder: %(num)d review is due on %(date)s: %(titles)s.",
                           "Reminder: %(num)d reviews are due, the first on %(date)s: %(titles)s."),
               path_for("reviews.mine"), num=len(items), date=soonest.isoformat(),
               titles=project_titles(sorted(items, key=lambda a: a.due_date)))
        if _send_mail(expert, items, today):
            run.emails += 1
        for assignment in items:
            assignment.last_reminded_on = today
        run.experts += 1
        run.assignments += len(items)
    record("review.reminders_sent", None, experts=run.experts, assignments=run.assignments, emails=run.emails)
    return run


def _send_mail(expert: User, items: list[Assignment], today: date) -> bool:
    return mail.notify_by_mail(expert, mail.REVIEW_INVITATION, N_("Reviews due on the Chunfeng platform"),
                               "reviews/mail/reminder.html", items=sorted(items, key=lambda a: a.due_date),
                               today=today, link=mail.site_url("reviews.mine"))
