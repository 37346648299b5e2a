"""Success stories: the clinician's separate consent to show an approved project on the public results page."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import Consent
from ..core.services import record
from ..db import db, utcnow
from .errors import IncubationError
from .models import Incubation, IncubationStatus

SUCCESS_STORY = "success_story"
CONSENT_TEXT = _l(
    "I agree that the title, public summary, specialty, pathway and approval date of this project are shown as a "
    "success story on the platform's public results page. My name, hospital and the confidential details are not "
    "shown. I can withdraw this consent at any time.")


def set_success_story_consent(incubation: Incubation, user, consent: bool) -> None:
    """The clinician's consent to show the project as a public success story (kept as a Consent record)."""
    if incubation.project.owner_id != user.id:
        raise IncubationError(_("Only the doctor who submitted the project can decide this."))
    if consent == incubation.success_story_consent:
        return
    if consent:
        db.session.add(Consent(user_id=user.id, kind=SUCCESS_STORY, version="1", text=str(CONSENT_TEXT),
                               detail={"project_id": incubation.project_id}))
        if incubation.status == IncubationStatus.APPROVED:
            incubation.success_story_published_at = utcnow()
    else:
        for row in db.session.scalars(select(Consent).where(
                Consent.user_id == user.id, Consent.kind == SUCCESS_STORY, Consent.revoked_at.is_(None))):
            if row.detail.get("project_id") == incubation.project_id:
                row.revoked_at = utcnow()
        incubation.success_story_published_at = None
    incubation.success_story_consent = consent
    record("incubation.success_story_consent", incubation, actor=user, consent=consent)


def success_stories() -> list[Incubation]:
    return list(db.session.scalars(
        select(Incubation).options(selectinload(Incubation.project))
        .where(Incubation.status == IncubationStatus.APPROVED, Incubation.success_story_consent.is_(True),
               Incubation.success_story_published_at.is_not(None))
        .order_by(Incubation.approved_on.desc(), Incubation.id.desc())))
