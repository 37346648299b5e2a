"""What the community offers the platform's shell: navigation links, the workspace panel and the pending
invitations shown to clinicians."""

from __future__ import annotations

from functools import cache

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select

from .. import policy
from ..accounts.models import Role
from ..core.shell import NavItem, Offer, Panel
from ..db import db
from .consultations import consultations_of
from .models import (
    Challenge,
    ChallengeResponse,
    Consultation,
    ConsultStatus,
    Report,
    ReportStatus,
)
from .needs import latest_of
from .slots import bookings_of
from .suggestions import invitations_for


def pending_invitations(_sender, user) -> list[tuple[str, str]]:
    return [(_("%(company)s invites you to share your clinical view on \"%(title)s\".",
               company=s.challenge.organization.name, title=s.challenge.title),
             url_for("community.challenge", challenge_id=s.challenge_id))
            for s in invitations_for(user)]


def panel_context(user) -> dict:
    ctx: dict = {"role": user.role.value}
    if user.role == Role.CLINICIAN:
        ctx["needs"], ctx["counts"] = latest_of(user.id)
    if user.role == Role.ENTERPRISE and user.organization_id:
        found = db.session.execute(_challenges_query(), {"org_id": user.organization_id}).all()
        ctx["challenges"], ctx["replies"] = [c for c, _n in found], {c.id: n for c, n in found}
    if user.role in (Role.CLINICIAN, Role.ENTERPRISE, Role.INVESTOR):
        ctx["consultations"] = consultations_of(user)[:5]
        ctx["bookings"] = bookings_of(user)[:5]
    if user.role in (Role.OFFICER, Role.EXPERT):
        ctx["open_questions"], = _open_counts(Consultation)
    if user.role == Role.ADMIN:
        ctx["open_questions"], ctx["open_reports"] = _open_counts(Consultation, Report)
    return ctx


@cache
def _challenges_query() -> Select:
    """The organisation's latest challenges with their replies counted; built once per process."""
    replies = (select(func.count()).select_from(ChallengeResponse)
               .where(ChallengeResponse.challenge_id == Challenge.id).correlate(Challenge).scalar_subquery())
    return (select(Challenge, replies).where(Challenge.org_id == bindparam("org_id"))
            .order_by(Challenge.id.desc()).limit(5))


def _open_counts(*models) -> tuple[int, ...]:
    """How many consultations wait for an answer, reports for moderation (each model's open ones): one
    statement, however many are counted."""
    return tuple(db.session.execute(_counts_query(models)).one())


@cache
def _counts_query(models: tuple) -> Select:
    """Built once per process for each set of models (staff workspaces run it on every visit)."""
    return select(*(select(func.count()).select_from(model).where(model.status == OPEN[model]).scalar_subquery()
                    for model in models))


OPEN = {Consultation: ConsultStatus.OPEN, Report: ReportStatus.OPEN}


NAV = Offer(
    NavItem("community.index", _l("Community"), policy.PUBLIC, order=60),
    NavItem("community.consultations", _l("Consultations"), "community.consultations", order=61),
)
PANELS = Offer(
    Panel("community/_panel.html", "community.member", panel_context, order=70),
)
