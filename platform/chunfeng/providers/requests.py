"""Service requests: an incubated project's officer or clinician asks a provider for a service serving a milestone;
the provider accepts with a quote and a date or declines with a reason, then starts and delivers
(`lifecycles.request_lifecycle`). Every change tells the other side in the platform and by e-mail."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..core import mail
from ..core.clock import local_today
from ..core.services import N_, notify
from ..core.web import path_for
from ..db import db
from ..incubation.models import Incubation, IncubationStatus, MilestoneKey
from ..matching.models import ProfileStatus
from .errors import ProviderError
from .lifecycles import RequestEvent, request_lifecycle
from .models import ProviderProfile, RequestStatus, ServiceRequest
from .staff import staff_of
from .timers import needs_turnaround

MAIL_TEMPLATE = "providers/mail/request.html"


def send_request(incubation: Incubation, provider: ProviderProfile, sender, *, scope: str, milestone_key: str,
                 wanted_start: date | None = None, wanted_by: date | None = None) -> ServiceRequest:
    if incubation.status != IncubationStatus.ACTIVE:
        raise ProviderError(_("This incubation is no longer active: no new requests can be sent."))
    if provider.status != ProfileStatus.APPROVED:
        raise ProviderError(_("This provider is not approved on the platform."), "provider")
    if not (scope or "").strip():
        raise ProviderError(_("Please describe what you need."), "scope")
    if wanted_start and wanted_by and wanted_by < wanted_start:
        raise ProviderError(_("The wanted completion date cannot be before the wanted start."), "wanted_by")
    request = request_lifecycle.begin(ServiceRequest(
        incubation=incubation, incubation_id=incubation.id, provider=provider, provider_id=provider.id,
        milestone_key=MilestoneKey(milestone_key), scope=scope.strip(), wanted_start=wanted_start,
        wanted_by=wanted_by, sent_by_id=sender.id, sent_on=local_today()))
    db.session.add(request)
    db.session.flush()
    _tell_provider(request, N_("New service request from “%(title)s”"))
    return request


def accept(request: ServiceRequest, user, *, quote: str, agreed_date: date | None,
           turnaround_days: int | None = None) -> None:
    if not (quote or "").strip():
        raise ProviderError(_("Please give your quote."), "quote")
    if agreed_date is None:
        raise ProviderError(_("Please give the date you commit to."), "agreed_date")
    if agreed_date < local_today():
        raise ProviderError(_("The committed date cannot be in the past."), "agreed_date")
    if needs_turnaround(request.provider.kind) and not turnaround_days:
        raise ProviderError(_("Please give the turnaround in days you quote."), "turnaround_days")
    _apply(request, RequestEvent.ACCEPT, user)
    request.quote, request.agreed_date = quote.strip(), agreed_date
    request.turnaround_days = turnaround_days or None
    request.accepted_on, request.answered_by_id = local_today(), user.id
    _tell_requesters(request, N_("%(provider)s accepted your service request for “%(title)s”"))


def decline(request: ServiceRequest, user, reason: str) -> None:
    if not (reason or "").strip():
        raise ProviderError(_("Please give the reason for declining."), "reason")
    _apply(request, RequestEvent.DECLINE, user, note=reason.strip())
    request.reason, request.answered_by_id = reason.strip(), user.id
    _tell_requesters(request, N_("%(provider)s declined your service request for “%(title)s”"))


def record_ethics(request: ServiceRequest, user, on: date | None) -> None:
    """A trial site or CRO records the day the ethics committee approved the study."""
    on = on or local_today()
    if request.status not in (RequestStatus.ACCEPTED, RequestStatus.STARTED):
        raise ProviderError(_("Ethics approval can be recorded only on an accepted request."))
    if on > local_today() or (request.accepted_on and on < request.accepted_on):
        raise ProviderError(_("The date must lie between the acceptance and today."), "on")
    request.ethics_approved_on = on


def start(request: ServiceRequest, user, on: date | None = None) -> None:
    on = _checked_day(request, on)
    _apply(request, RequestEvent.START, user)
    request.started_on = on
    _tell_requesters(request, N_("%(provider)s started the service for “%(title)s”"))


def deliver(request: ServiceRequest, user, on: date | None = None) -> None:
    on = _checked_day(request, on)
    if request.started_on and on < request.started_on:
        raise ProviderError(_("The date must lie between the acceptance and today."), "on")
    _apply(request, RequestEvent.DELIVER, user)
    request.delivered_on = on
    _tell_requesters(request, N_("%(provider)s delivered the service for “%(title)s”"))


def withdraw(request: ServiceRequest, user, reason: str) -> None:
    if not (reason or "").strip():
        raise ProviderError(_("Please give the reason for withdrawing."), "reason")
    _apply(request, RequestEvent.WITHDRAW, user, note=reason.strip())
    request.reason = reason.strip()
    _tell_provider(request, N_("The service request from “%(title)s” was withdrawn"))


def _checked_day(request: ServiceRequest, on: date | None) -> date:
    on = on or local_today()
    if on > local_today() or (request.accepted_on and on < request.accepted_on):
        raise ProviderError(_("The date must lie between the acceptance and today."), "on")
    return on


def _apply(request: ServiceRequest, event: RequestEvent, user, note: str = "") -> None:
    if not request_lifecycle.allowed(request.status, event):
        raise ProviderError(_("This request has already moved on: reload the page to see where it stands."))
    request_lifecycle.apply(request, event, user, note=note, provider=request.provider.name)


def _params(request: ServiceRequest) -> dict:
    return {"title": request.project.title, "provider": request.provider.name}


def _tell(people, request: ServiceRequest, message: str) -> None:
    """In the platform and by e-mail (unless switched off), with the link to the request's page."""
    params = _params(request)
    for person in people:
        notify(person, message, path_for("providers.request", service_request_id=request.id), **params)
        mail.notify_by_mail(person, mail.SERVICE_REQUEST, message, MAIL_TEMPLATE, subject_params=params,
                            message=message, params=params,
                            link=mail.site_url("providers.request", service_request_id=request.id))


def _tell_provider(request: ServiceRequest, message: str) -> None:
    _tell(staff_of(request.provider.organization_id), request, message)


def _tell_requesters(request: ServiceRequest, message: str) -> None:
    """The project's clinician and its service officer (the sender is one of them)."""
    incubation = request.incubation
    people = {p.id: p for p in (incubation.project.owner, incubation.officer, request.sent_by) if p is not None}
    _tell(people.values(), request, message)


def requests_for_provider(provider: ProviderProfile) -> list[ServiceRequest]:
    return list(db.session.scalars(
        select(ServiceRequest).options(joinedload(ServiceRequest.incubation))
        .where(ServiceRequest.provider_id == provider.id).order_by(ServiceRequest.id.desc())))


def requests_for_incubation(incubation: Incubation) -> list[ServiceRequest]:
    return list(db.session.scalars(
        select(ServiceRequest).options(joinedload(ServiceRequest.provider))
        .where(ServiceRequest.incubation_id == incubation.id).order_by(ServiceRequest.id)))
