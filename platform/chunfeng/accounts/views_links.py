"""Pages reached from e-mails and the requests that send them: forgotten password, set a password (reset or
invitation), confirm an address, ask for a new confirmation link, and an administrator's invitation form. Every
GET only shows a page; a change happens on POST."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import policy
from ..core.web import current_actor
from ..extensions import db
from . import services, tokens
from .forms import ConfirmForm, ForgotPasswordForm, InviteForm, SetPasswordForm
from .models import Role, TokenPurpose
from .routes import bp

NO_REFERRER = {"Referrer-Policy": "no-referrer"}  # the token in the address must not travel anywhere


def _address_form(ask, done: str, title: str, intro: str):
    """A form asking for an address and sending it a link: the same answer whether or not it has an account."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        ask(form.email.data, request.remote_addr or "")
        db.session.commit()
        flash(done, "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/address_form.html", form=form, title=title, intro=intro)


@bp.route("/password/forgot", methods=["GET", "POST"])
@policy.public
def forgot_password():
    return _address_form(
        services.request_password_reset,
        _("If an account exists for this address, we have sent it a link to choose a new password. "
          "Please check your mailbox."),
        _("Forgot password?"),
        _("Enter the e-mail address of your account. We send you a link to choose a new password; it works once "
          "and for a limited time."))


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@policy.public
def set_password(token: str):
    found = tokens.peek(token, *tokens.PASSWORD_PURPOSES)
    if found is None:
        flash(_("This link is invalid or has expired. Please ask for a new one."), "danger")
        return redirect(url_for("accounts.forgot_password"))
    form = SetPasswordForm()
    invitation = found.purpose == TokenPurpose.INVITATION
    if form.validate_on_submit():
        try:
            services.use_password_link(token, form.new.data)
        except services.AccountError as error:
            form.new.errors = [*form.new.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Your password has been set. Please log in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, account=found.user,
                           invitation=invitation), 200, NO_REFERRER


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@policy.public
def confirm_email(token: str):
    found = tokens.peek(token, TokenPurpose.VERIFY_EMAIL)
    if found is None:
        flash(_("This link is invalid or has expired. Please ask for a new one."), "danger")
        return redirect(url_for("accounts.resend_verification"))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.confirm_email(token)
        db.session.commit()
        flash(_("Your e-mail address is confirmed. You can log in now."), "success")
        return redirect(url_for("main.dashboard" if current_user.is_authenticated else "accounts.login"))
    return render_template("accounts/confirm_email.html", form=form, account=found.user), 200, NO_REFERRER


@bp.route("/confirm", methods=["GET", "POST"])
@policy.public
def resend_verification():
    return _address_form(
        services.resend_verification,
        _("If this address has an account that is not yet confirmed, we have sent it a new link."),
        _("Confirm your e-mail address"),
        _("Enter the address you registered with and we send you a new confirmation link."))


@bp.route("/invite", methods=["GET", "POST"])
@policy.guard("accounts.invite")
def invite():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            user, link = services.invite_user(form.email.data, form.name.data, Role(form.role.data),
                                              form.organization.data, current_actor())
        except services.AccountError as error:
            field = form[error.field or "email"]
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(_("The account of %(name)s was created and an invitation sent to %(email)s.", name=user.name,
                    email=user.email), "success")
            return render_template("accounts/invite.html", form=InviteForm(formdata=None), invited=user,
                                   link=link), 200, NO_REFERRER
    return render_template("accounts/invite.html", form=form, invited=None, link="")
