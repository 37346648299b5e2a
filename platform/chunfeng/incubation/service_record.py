"""The service record: the officer's dated entries (consultations, site visits, guidance) for chosen readers, and
the questions the clinician or a granted company asks, with their answers."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from ..accounts.models import User
from ..core.clock import local_today
from ..core.services import N_, notify, record
from ..db import db, utcnow
from . import status
from .errors import IncubationError
from .involvement import (
    AUDIENCES_OF,
    CLINICIAN,
    COMPANY,
    can_ask,
    company_members,
    granted_organization_ids,
    notify_staff,
    project_link,
    viewer_role,
)
from .models import Audience, EntryKind, Incubation, ServiceEntry


def add_entry(incubation: Incubation, author, *, kind: EntryKind | str, audience: Audience | str, text: str,
              occurred_on: date, organization_id: int | None = None) -> ServiceEntry:
    """An officer's (or administrator's) record of a consultation, site visit or guidance."""
    status.ensure_active(incubation)
    if occurred_on > local_today():
        raise IncubationError(_("The date cannot be in the future."), "occurred_on")
    audience = Audience(audience)
    if organization_id and (audience != Audience.COMPANY
                            or organization_id not in granted_organization_ids(incubation.project)):
        raise IncubationError(_("Choose a connected company, and the audience 'The connected company'."),
                              "organization")
    entry = ServiceEntry(incubation=incubation, kind=EntryKind(kind), audience=audience, text=text.strip(),
                         occurred_on=occurred_on, author_id=author.id, organization_id=organization_id or None)
    db.session.add(entry)
    db.session.flush()
    record("incubation.entry_added", entry, actor=author, kind=str(entry.kind), audience=str(audience))
    _tell_audience(entry)
    return entry


def _tell_audience(entry: ServiceEntry) -> None:
    project = entry.incubation.project
    readers: list[User] = []
    if entry.audience in AUDIENCES_OF[CLINICIAN]:
        readers.append(project.owner)
    if entry.audience in AUDIENCES_OF[COMPANY]:
        granted = granted_organization_ids(project)
        readers.extend(company_members({entry.organization_id} & granted if entry.organization_id else granted))
    for reader in readers:
        notify(reader, N_("New note from your service officer on %(title)s."), project_link(project),
               title=project.title)


def ask_question(incubation: Incubation, asker, text: str) -> ServiceEntry:
    """The clinician or a granted company asks the officer; the question is visible to the asking side only."""
    if not can_ask(asker, incubation):
        raise IncubationError(_("Only the doctor and the connected company can ask questions here."))
    company = viewer_role(asker, incubation) == COMPANY
    entry = ServiceEntry(incubation=incubation, kind=EntryKind.QUESTION, text=text.strip(),
                         occurred_on=local_today(), audience=Audience.COMPANY if company else Audience.CLINICIAN,
                         author_id=asker.id, organization_id=asker.organization_id if company else None)
    db.session.add(entry)
    db.session.flush()
    record("incubation.question_asked", entry, actor=asker)
    notify_staff(incubation, N_("New question on %(title)s."))
    return entry


def answer_question(entry: ServiceEntry, actor, text: str) -> None:
    if entry.kind != EntryKind.QUESTION:
        raise IncubationError(_("Only questions can be answered."))
    entry.answer, entry.answered_by_id, entry.answered_at = text.strip(), actor.id, utcnow()
    record("incubation.question_answered", entry, actor=actor)
    if entry.author is not None:
        notify(entry.author, N_("Your question on %(title)s has been answered."),
               project_link(entry.incubation.project), title=entry.incubation.project.title)
