from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import policy
from ..core.web import safe_next
from ..extensions import db, login_manager
from . import services
from .forms import LoginForm, PasswordChangeForm, ProfileForm, RegistrationForm
from .models import Role

bp = Blueprint("accounts", __name__, url_prefix="/account")


@login_manager.user_loader
def load_user(token: str):
    return services.load_session_user(token)


login_manager.login_view = "accounts.login"
login_manager.login_message = None





def _start_session(user) -> None:
    login = services.open_session(user, request.user_agent.string, request.remote_addr or "")
    user.session_token = login.token
    db.session.commit()
    session.clear()
    login_user(user)


@bp.route("/register", methods=["GET", "POST"])
@policy.public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = RegistrationForm()
    if request.method == "GET" and request.args.get("role") in {r.value for r in services.SELF_REGISTER}:
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        try:
            user = services.register(
                privacy_version=policy_version(), email=form.email.data, name=form.name.data,
                password=form.password.data, role=Role(form.role.data), organization=form.organization.data,
                province=form.province.data or "", department=form.department.data or "",
                title=form.title.data or "", phone=form.phone.data or "",
            )
        except services.AccountError as error:
            field = form[error.field or "password"]
            field.errors = [*field.errors, str(error)]
        else:
            _start_session(user)
            if user.is_approved:
                flash(_("Welcome! Your account is ready."), "success")
            else:
                flash(_("Your account was created and is awaiting an administrator's approval."), "info")
            return redirect(url_for("main.dashboard"))
    return render_template("accounts/register.html", form=form)


def policy_version() -> str:
    from flask import current_app

    return current_app.config["PRIVACY_POLICY_VERSION"]


@bp.route("/login", methods=["GET", "POST"])
@policy.public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except services.AccountError as error:
            flash(str(error), "danger")
            status = 429 if services.login_blocked(form.email.data, request.remote_addr or "") else 200
        else:
            _start_session(user)
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@policy.guard("account.self")
def logout():
    services.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/profile", methods=["GET", "POST"])
@policy.guard("account.self")
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        session.pop("lang", None)
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=PasswordChangeForm())


@bp.route("/password", methods=["POST"])
@policy.guard("account.self")
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user._get_current_object(), form.current.data, form.new.data)
        except services.AccountError as error:
            flash(str(error), "danger")
        else:
            # every other session, and this browser's old cookie, are now void: start a fresh one here
            _start_session(current_user._get_current_object())
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    profile_form = ProfileForm(obj=current_user)
    return render_template("accounts/profile.html", form=profile_form, password_form=form), 400
