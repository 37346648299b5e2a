"""Service requests: the provider's list and answers, the request page, and the project's provider search from
which the officer or the clinician sends a request."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import policy
from ..core.clock import local_today
from ..core.web import current_actor
from ..db import db
from ..forms import choices
from ..incubation.models import Incubation
from ..incubation.plan import KEY_LABELS
from ..incubation.starting import incubation_id_for
from ..submissions.models import DEVICE_CLASS_LABELS, DeviceClass
from . import requests as service
from . import suggestions, timers
from .blueprint import bp, saved
from .forms import AcceptForm, DayForm, FilterForm, ReasonForm, RequestForm
from .models import ProviderProfile, RequestStatus, ServiceRequest
from .profiles import approved_profiles, profile_of
from .staff import is_staff_of


@bp.route("/providers/requests")
@policy.guard("providers.staff")
def my_requests():
    found = profile_of(current_actor().organization_id)
    items = service.requests_for_provider(found) if found is not None else []
    today = local_today()
    return render_template("providers/my_requests.html", profile=found, items=items,
                           late={r.id: timers.overdue(r, today) for r in items})


def _request_page(item: ServiceRequest, status: int = 200, **forms):
    user = current_actor()
    return render_template(
        "providers/request.html", item=item, project=item.project, today=local_today(),
        clocks=timers.clocks(item, local_today()), is_provider=is_staff_of(user, item.provider.organization_id),
        accept_form=forms.get("accept_form") or AcceptForm(formdata=None),
        decline_form=forms.get("decline_form") or ReasonForm(formdata=None, prefix="decline"),
        withdraw_form=forms.get("withdraw_form") or ReasonForm(formdata=None, prefix="withdraw"),
        day_form=forms.get("day_form") or DayForm(formdata=None),
        may_withdraw=policy.can(user, "providers.request.send", item) and item.status in (
            RequestStatus.SENT, RequestStatus.ACCEPTED),
        needs_turnaround=timers.needs_turnaround(item.provider.kind),
    ), status


def _back(item: ServiceRequest):
    return redirect(url_for("providers.request", service_request_id=item.id))


@bp.route("/providers/requests/<int:service_request_id>", endpoint="request")
@policy.guard("providers.request.view")
def request_view(service_request_id: int):
    return _request_page(policy.load(ServiceRequest, service_request_id))


@bp.route("/providers/requests/<int:service_request_id>/accept", methods=["POST"])
@policy.guard("providers.request.answer")
def accept(service_request_id: int):
    item = policy.load(ServiceRequest, service_request_id)
    form = AcceptForm()
    if form.validate_on_submit() and saved(
            lambda: service.accept(item, current_actor(), quote=form.quote.data, agreed_date=form.agreed_date.data,
                                   turnaround_days=form.turnaround_days.data), form,
            _("You accepted the request; the project has been told.")):
        return _back(item)
    return _request_page(item, 400, accept_form=form)


@bp.route("/providers/requests/<int:service_request_id>/decline", methods=["POST"])
@policy.guard("providers.request.answer")
def decline(service_request_id: int):
    item = policy.load(ServiceRequest, service_request_id)
    form = ReasonForm(prefix="decline")
    if form.validate_on_submit() and saved(lambda: service.decline(item, current_actor(), form.reason.data), form,
                                           _("You declined the request; the project has been told.")):
        return _back(item)
    return _request_page(item, 400, decline_form=form)


# The provider's progress steps: ethics approval recorded (trial sites, CROs), started, delivered.
STEPS = {"ethics": service.record_ethics, "start": service.start, "deliver": service.deliver}


@bp.route("/providers/requests/<int:service_request_id>/step/<step>", methods=["POST"])
@policy.guard("providers.request.answer")
def step(service_request_id: int, step: str):
    item = policy.load(ServiceRequest, service_request_id)
    if step not in STEPS:
        abort(404)
    form = DayForm()
    if form.validate_on_submit() and saved(lambda: STEPS[step](item, current_actor(), form.on.data), form,
                                           _("The request has been updated.")):
        return _back(item)
    return _request_page(item, 400, day_form=form)


@bp.route("/providers/requests/<int:service_request_id>/withdraw", methods=["POST"])
@policy.guard("providers.request.send")
def withdraw(service_request_id: int):
    item = policy.load(ServiceRequest, service_request_id)
    form = ReasonForm(prefix="withdraw")
    if form.validate_on_submit() and saved(lambda: service.withdraw(item, current_actor(), form.reason.data), form,
                                           _("The request has been withdrawn; the provider has been told.")):
        return _back(item)
    return _request_page(item, 400, withdraw_form=form)


# --- the project's provider search and the request form --------------------------------------------------------

def _incubation(project_id: int) -> Incubation:
    return policy.load(Incubation, incubation_id_for(project_id))


def _filters(form: FilterForm, incubation: Incubation) -> suggestions.Filters:
    device_class = form.device_class.data if form.device_class.data is not None else str(
        incubation.project.device_class)
    return suggestions.Filters(device_class=device_class or "", region=(form.region.data or "").strip(),
                               specialty=(form.specialty.data or "").strip(),
                               category=(form.category.data or "").strip())


def _find_page(incubation: Incubation, status: int = 200, request_form: RequestForm | None = None):
    filter_form = FilterForm(request.args)
    filter_form.device_class.choices = choices(
        [("", _("Any device class"))] + [(c.value, DEVICE_CLASS_LABELS[c]) for c in DeviceClass
                                         if c != DeviceClass.UNKNOWN])
    filters = _filters(filter_form, incubation)
    found = {key: suggestions.suggest(incubation, key, filters, limit=None) for key in suggestions.MILESTONE_KINDS}
    form = request_form or RequestForm(formdata=None, milestone=request.args.get("milestone", ""),
                                       provider=request.args.get("provider", ""))
    _request_choices(form, incubation)
    return render_template("providers/find.html", incubation=incubation, project=incubation.project, found=found,
                           filter_form=filter_form, form=form,
                           requests=service.requests_for_incubation(incubation)), status


def _request_choices(form: RequestForm, incubation: Incubation) -> None:
    form.provider.choices = choices([("", _("Choose a provider"))] + [
        (str(p.id), p.name) for p in approved_profiles()])
    form.milestone.choices = choices([("", _("Choose the milestone"))] + [
        (m.key.value, KEY_LABELS[m.key]) for m in incubation.milestones if not m.closed])


@bp.route("/providers/project/<int:project_id>")
@policy.guard("providers.request.send")
def find(project_id: int):
    return _find_page(_incubation(project_id))


@bp.route("/providers/project/<int:project_id>/requests", methods=["POST"])
@policy.guard("providers.request.send")
def send(project_id: int):
    incubation = _incubation(project_id)
    form = RequestForm()
    _request_choices(form, incubation)
    if form.validate_on_submit():
        provider = db.session.get(ProviderProfile, int(form.provider.data))  # one of the approved choices
        if saved(lambda: service.send_request(
                incubation, provider, current_actor(), scope=form.scope.data, milestone_key=form.milestone.data,
                wanted_start=form.wanted_start.data, wanted_by=form.wanted_by.data), form,
                _("The request has been sent to the provider.")):
            return redirect(url_for("incubation.project", project_id=project_id, _anchor="providers"))
    return _find_page(incubation, 400, request_form=form)
