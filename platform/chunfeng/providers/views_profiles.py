"""Provider profiles: the staff's own profile page, and the administrators' approval queue."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import policy
from ..core.web import current_actor
from .blueprint import bp, saved
from .forms import DecideForm, ProfileForm
from .models import ProviderProfile
from .profiles import decide_profile, new_profile, profile_of, profiles_for_review, save_profile


@bp.route("/providers/profile", methods=["GET", "POST"])
@policy.guard("providers.staff")
def profile():
    user = current_actor()
    found = profile_of(user.organization_id)
    current = found or new_profile(user)
    form = ProfileForm(obj=current) if request.method == "GET" else ProfileForm()
    if form.validate_on_submit() and saved(lambda: save_profile(current, form.data, user), form,
                                           _("Your provider profile has been saved.")):
        return redirect(url_for("providers.profile"))
    status = 400 if request.method == "POST" else 200
    return render_template("providers/profile.html", form=form, profile=found), status


@bp.route("/admin/providers")
@policy.guard("providers.admin")
def admin_profiles():
    return render_template("providers/admin_profiles.html", profiles=profiles_for_review())


@bp.route("/admin/providers/<int:provider_id>", methods=["GET", "POST"])
@policy.guard("providers.admin")
def admin_profile(provider_id: int):
    found = policy.load(ProviderProfile, provider_id)
    form = DecideForm()
    if request.method == "POST":
        approve = form.decision.data == "approve"
        if form.decision.data not in ("approve", "return"):
            flash(_("Please choose to approve or return the profile."), "danger")
        elif form.validate_on_submit() and saved(
                lambda: decide_profile(found, approve, current_actor(), form.note.data or ""), form,
                _("The profile has been approved.") if approve else _("The profile has been returned.")):
            return redirect(url_for("providers.admin_profiles"))
        return render_template("providers/admin_profile.html", profile=found, form=form), 400
    return render_template("providers/admin_profile.html", profile=found, form=form)
