"""Registration, log-in, log-out, profile, password change and e-mail preferences. Links sent by e-mail (confirm,
reset, invitation) and joining an organisation are in views_links.py and views_join.py."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadData, URLSafeTimedSerializer

from .. import policy
from ..core.web import current_actor, safe_next
from ..extensions import db, login_manager
from . import services
from .forms import LoginForm, PasswordChangeForm, ProfileForm, RegistrationForm, mail_preferences_form
from .models import Role

bp = Blueprint("accounts", __name__, url_prefix="/account")

DEVICE_COOKIE = "known_device"
DEVICE_DAYS = 180


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


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="known-device")


def _known_device(email: str) -> str:
    """The id of this browser when it logged in to `email`'s account before (a signed cookie), else ""."""
    try:
        found = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""), max_age=DEVICE_DAYS * 86400)
    except BadData:
        return ""
    return found.get("d", "") if found.get("e") == email.strip().lower() else ""


def _remember_device(response, email: str):
    import secrets

    value = _devices().dumps({"e": email.strip().lower(), "d": _known_device(email) or secrets.token_urlsafe(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_DAYS * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], path=url_for("accounts.login"))
    return response


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
            result = services.register(
                privacy_version=policy_version(), email=form.email.data, name=form.name.data,
                password=form.password.data, role=Role(form.role.data), organization=form.organization.data,
                province=form.province.data or "", department=form.department.data or "",
                title=form.title.data or "", phone=form.phone.data or "",
            )
        except services.AccountError as error:
            field = form[error.field or "password"]
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            if result.user is None or services.needs_verification(result.user):
                # the same answer whether or not the address already had an account
                return render_template("accounts/registered.html", email=form.email.data, result=result)
            _start_session(result.user)
            if result.user.is_approved:
                flash(_("Welcome! Your account is ready."), "success")
            else:
                flash(_("Your account was created and is awaiting an administrator's approval."), "info")
            if result.joins_existing:
                flash(join_warning(result.organization), "warning")
            return redirect(url_for("main.dashboard"))
    return render_template("accounts/register.html", form=form)


def join_warning(organization: str) -> str:
    return _("“%(organization)s” is already on the platform. You have asked to join it: until one of its members "
             "or an administrator approves, you do not act for it nor see what was shared with it.",
             organization=organization)


def policy_version() -> str:
    return current_app.config["PRIVACY_POLICY_VERSION"]


@bp.route("/login", methods=["GET", "POST"])
@policy.public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("accounts/login.html", form=form)
    source = request.remote_addr or ""
    try:
        user = services.authenticate(form.email.data, form.password.data, source, _known_device(form.email.data))
    except services.LoginThrottled as error:
        flash(str(error), "danger")
        return render_template("accounts/login.html", form=form), 429, {"Retry-After": str(error.retry_after)}
    except services.AccountError as error:
        flash(str(error), "danger")
        return render_template("accounts/login.html", form=form)
    if services.needs_verification(user):
        return render_template("accounts/login.html", form=form, unverified=user.email)
    _start_session(user)
    response = redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
    return _remember_device(response, user.email)


@bp.route("/logout", methods=["POST"])
@policy.guard("account.self")
def logout():
    services.end_session(current_user.session_token)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("main.index"))


def _profile_page(form=None, password_form=None, mail_form=None, status: int = 200):
    user = current_actor()
    return render_template(
        "accounts/profile.html", form=form or ProfileForm(obj=user), password_form=password_form or
        PasswordChangeForm(), mail_form=mail_form or mail_preferences_form(user),
        join_requests=services.own_join_requests(user)), status


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
    return _profile_page(form=form)


@bp.route("/password", methods=["POST"])
@policy.guard("account.self")
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_actor(), form.current.data, form.new.data)
        except services.AccountError as error:
            flash(str(error), "danger")
        else:
            # every other session, and this browser's old cookie, are now void: start a fresh one here
            _start_session(current_actor())
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"))
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
    return _profile_page(password_form=form, status=400)


@bp.route("/mail", methods=["POST"])
@policy.guard("account.self")
def mail_preferences():
    form = mail_preferences_form(current_actor())
    if form.validate_on_submit():
        services.set_mail_preferences(current_actor(), form.chosen())
        db.session.commit()
        flash(_("Your e-mail choices have been saved."), "success")
    return redirect(url_for("accounts.profile"))
