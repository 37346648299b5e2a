from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

from .. import policy
from ..accounts.models import Organization, User
from ..accounts.services import AccountError
from ..core.services import record
from ..core.shell import NavItem, Offer, Panel
from ..core.web import current_actor, next_from_request
from ..db import db, utcnow
from ..exports import csv_response
from ..i18n import in_locale
from . import activity, dashboard_page, privacy, services
from . import audit as audit_words
from .forms import (
    ORG_KIND_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
    AccountFilterForm,
    AuditFilterForm,
    CloseAccountForm,
    MergeForm,
    OrganizationFilterForm,
    OrganizationForm,
    SettingsForm,
)

bp = Blueprint("admin", __name__)

# In the shell's administration drop-down, first of all, as the platform-wide pages.


def _panel_context(user) -> dict:
    return {"pending": services.pending_count(), "recent": activity.recent_activity(6)}




@bp.context_processor
def admin_labels():
    return in_locale(LABELS)


LABELS = {"account_status_labels": STATUS_LABELS, "role_labels": ROLE_LABELS, "org_kind_labels": ORG_KIND_LABELS}


def _page() -> int:
    return request.args.get("page", 1, type=int)


# --- dashboard -------------------------------------------------------------------------------------------

@bp.route("/admin")
@policy.guard("admin.access")
def dashboard():
    return dashboard_page.page()


@bp.route("/admin/dashboard/<chart>.csv")
@policy.guard("admin.access")
def dashboard_csv(chart: str):
    return dashboard_page.chart_csv(chart)


# --- accounts --------------------------------------------------------------------------------------------

@bp.route("/admin/accounts")
@policy.guard("accounts.manage")
def accounts():
    form = AccountFilterForm(request.args)
    filters = services.AccountFilter()
    if form.validate():
        filters = services.AccountFilter(status=form.status.data or "", role=form.role.data or "",
                                         organization_id=form.org.data, q=form.q.data or "")
    organization = db.session.get(Organization, filters.organization_id) if filters.organization_id else None
    page = services.paginate(services.accounts_query(filters), _page())
    return render_template("admin/accounts.html", form=form, page=page, organization=organization,
                           pending=services.pending_count())


@bp.route("/admin/accounts/<int:user_id>")
@policy.guard("accounts.manage")
def account(user_id: int):
    user = policy.load(User, user_id)
    return render_template("admin/account.html", user=user, activity=services.user_activity(user))


DECISION_MESSAGES = {
    "approve": _l("%(name)s's account has been approved."),
    "reject": _l("%(name)s's application has been rejected."),
    "suspend": _l("%(name)s's account has been suspended and signed out everywhere."),
    "reinstate": _l("%(name)s's account has been reinstated."),
}


@bp.route("/admin/accounts/<int:user_id>/<any(approve, reject, suspend, reinstate):decision>", methods=["POST"])
@policy.guard("accounts.manage")
def decide(user_id: int, decision: str):
    user = policy.load(User, user_id)
    try:
        services.DECISIONS[decision](user, current_actor())
    except services.AdminError as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(str(DECISION_MESSAGES[decision]) % {"name": user.name}, "success")
    return redirect(next_from_request(url_for("admin.account", user_id=user.id)))


# --- organisations ---------------------------------------------------------------------------------------

@bp.route("/admin/organizations")
@policy.guard("accounts.manage")
def organizations():
    form = OrganizationFilterForm(request.args)
    query = (services.organizations_with_counts(form.q.data or "", form.kind.data or "") if form.validate()
             else services.organizations_with_counts())
    return render_template("admin/organizations.html", form=form, page=services.paginate(query, _page()))


@bp.route("/admin/organizations/<int:org_id>", methods=["GET", "POST"])
@policy.guard("accounts.manage")
def organization(org_id: int):
    org = policy.load(Organization, org_id)
    form = OrganizationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.update_organization(org, current_actor(), name=form.name.data.strip(), kind=form.kind.data,
                                         province=form.province.data or "", city=(form.city.data or "").strip())
        except services.AdminError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The organisation has been saved."), "success")
            return redirect(url_for("admin.organization", org_id=org.id))
    members = services.paginate(services.accounts_query(services.AccountFilter(organization_id=org.id)), 1, 100)
    return render_template("admin/organization.html", org=org, form=form, merge_form=MergeForm(), members=members)


@bp.route("/admin/organizations/<int:org_id>/merge", methods=["POST"])
@policy.guard("accounts.manage")
def merge_organization(org_id: int):
    duplicate = policy.load(Organization, org_id)
    form = MergeForm()
    keep = db.session.get(Organization, form.keep_id.data) if form.validate_on_submit() else None
    if keep is None:
        flash(_("There is no organisation with this number."), "warning")
        return redirect(url_for("admin.organization", org_id=duplicate.id))
    try:
        services.merge_organizations(duplicate, keep, current_actor())
    except services.AdminError as error:
        flash(str(error), "warning")
        return redirect(url_for("admin.organization", org_id=duplicate.id))
    db.session.commit()
    flash(_("The organisations have been merged into %(name)s.", name=keep.name), "success")
    return redirect(url_for("admin.organization", org_id=keep.id))


# --- audit log -------------------------------------------------------------------------------------------

def _audit_filters() -> tuple[AuditFilterForm, services.AuditFilter]:
    form = AuditFilterForm(request.args)
    form.object_type.choices = [("", _("All")), *((t, f"{audit_words.object_label(t)} ({t})")
                                                  for t in services.audit_object_types())]
    if not form.validate():
        return form, services.AuditFilter()
    return form, services.AuditFilter(
        action=form.action.data or "", actor=form.actor.data or "", object_type=form.object_type.data or "",
        object_id=form.object_id.data, date_from=form.date_from.data, date_to=form.date_to.data)


@bp.route("/admin/audit")
@policy.guard("audit.view")
def audit():
    form, filters = _audit_filters()
    page = services.paginate(services.audit_query(filters), _page())
    return render_template("admin/audit.html", form=form, page=page, csv_args=request.args.to_dict(flat=True),
                           action_label=audit_words.action_label, object_label=audit_words.object_label,
                           local_time=audit_words.local_time)


@bp.route("/admin/audit.csv")
@policy.guard("audit.view")
def audit_csv():
    _form, filters = _audit_filters()
    header, rows = audit_words.csv_table(filters, readable=request.args.get("readable") == "1")
    return csv_response(f"audit-{utcnow():%Y%m%d-%H%M}.csv", header, rows)


# --- settings --------------------------------------------------------------------------------------------

@bp.route("/admin/settings", methods=["GET", "POST"])
@policy.guard("admin.settings")
def settings():
    form = SettingsForm(data={key: services.get_setting(key) for key in services.SETTINGS})
    if form.validate_on_submit():
        for key in services.SETTINGS:
            services.set_setting(key, form[key].data, current_actor())
        db.session.commit()
        flash(_("The settings have been saved."), "success")
        return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form,
                           clinician_approval=current_app.config["CLINICIAN_APPROVAL_REQUIRED"])


# --- my data and privacy (every signed-in person) --------------------------------------------------------

CONSENT_LABELS = {
    "privacy_policy": _l("Privacy policy (at registration)"),
    "share_grant": _l("Sharing a project's details with an organisation"),
    "contact_share": _l("Sharing my contact details with a company"),
    "faq_publication": _l("Publishing a consultation in the public questions and answers"),
    "success_story": _l("Publishing my project as a success story"),
}


def _privacy_page(close_form: CloseAccountForm, status: int = 200):
    from ..accounts.models import Consent

    consents = db.session.scalars(
        db.select(Consent).where(Consent.user_id == current_user.id).order_by(Consent.granted_at.desc()))
    return render_template("admin/privacy.html", consents=list(consents), close_form=close_form,
                           consent_labels=CONSENT_LABELS), status


@bp.route("/account/privacy")
@policy.guard("privacy.self")
def my_privacy():
    return _privacy_page(CloseAccountForm())


@bp.route("/account/privacy/export", methods=["POST"])
@policy.guard("privacy.self")
def export_my_data():
    data = privacy.export_user_data(current_actor())
    record("privacy.exported", current_actor(), actor=current_actor())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    filename = f"chunfeng-my-data-{utcnow():%Y%m%d}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/account/privacy/close", methods=["POST"])
@policy.guard("privacy.self")
def close_account():
    form = CloseAccountForm()
    if not form.validate_on_submit():
        return _privacy_page(form, 400)
    try:
        privacy.close_own_account(current_actor(), form.password.data)
    except AccountError as error:
        form.password.errors = [*form.password.errors, str(error)]
        return _privacy_page(form, 400)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Your account has been closed and your personal data erased. Thank you for taking part."), "info")
    return redirect(url_for("main.index"))


NAV = Offer(
    NavItem("admin.dashboard", _l("Dashboard"), "admin.access", order=1, group="admin"),
    NavItem("admin.accounts", _l("Accounts"), "accounts.manage", order=2, group="admin"),
    NavItem("admin.organizations", _l("Organisations"), "accounts.manage", order=3, group="admin"),
    NavItem("admin.audit", _l("Audit log"), "audit.view", order=4, group="admin"),
    NavItem("admin.settings", _l("Retention settings"), "admin.settings", order=5, group="admin"),
)
PANELS = Offer(
    Panel("admin/_panel.html", "admin.access", _panel_context, order=5, shared=True),
)
