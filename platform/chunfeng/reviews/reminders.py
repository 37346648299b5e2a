"""Reviews due: the expert's list, and reminders an operator schedules (in-app, and e-mail when SMTP is set)."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..core.services import N_, notify, record
from ..core.web import path_for
from ..db import db
from .models import PENDING_FOR_EXPERT, Assignment, AssignmentStatus, ReviewRound, RoundStatus


def my_assignments(expert: User) -> list[Assignment]:
    """Everything sent to the expert and not withdrawn, open ones first, soonest due first."""
    hidden = (AssignmentStatus.PROPOSED, AssignmentStatus.CANCELLED)
    found = db.session.scalars(
        select(Assignment).where(Assignment.expert_id == expert.id, Assignment.status.not_in(hidden))
        .options(selectinload(Assignment.round), selectinload(Assignment.project)))
    return sorted(found, key=lambda a: (a.status not in PENDING_FOR_EXPERT, a.due_date, a.id))


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
        notify(expert, N_("Reminder: %(count)s reviews are due, the first on %(date)s."), path_for("reviews.mine"),
               count=len(items), date=soonest.isoformat())
        if current_app.config.get("MAIL_SERVER") and _send_mail(expert, items, today):
            run.emails += 1
        for assignment in items:
            assignment.last_reminded_on = today
        run.experts += 1
        run.assignments += len(items)
    record("review.reminders_sent", None, experts=run.experts, assignments=run.assignments, emails=run.emails)
    return run


def _send_mail(expert: User, items: list[Assignment], today: date) -> bool:
    with force_locale(expert.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        lines = [_("Dear %(name)s,", name=expert.name), "",
                 _("The following reviews on the Chunfeng platform are waiting for you:"), ""]
        for a in sorted(items, key=lambda a: a.due_date):
            line = _("- %(round)s: %(title)s, due %(date)s", round=a.round.name, title=a.project.title,
                     date=a.due_date.isoformat())
            lines.append(line + (_(" (overdue)") if a.due_date < today else ""))
        lines += ["", _("Please sign in and open “My reviews”."), ""]
        subject = _("Reviews due on the Chunfeng platform")
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, current_app.config["MAIL_FROM"], expert.email
    message.set_content("\n".join(lines))
    try:
        with smtplib.SMTP(current_app.config["MAIL_SERVER"], current_app.config["MAIL_PORT"], timeout=30) as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("review reminder e-mail to %s failed: %s", expert.email, error)
        return False
    return True
