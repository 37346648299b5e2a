"""The e-mails of the accounts domain: confirm an address, reset a password, accept an invitation, and a word to
the owner when someone registers with their address. Each goes through core.mail in the recipient's language."""

from __future__ import annotations

from ..core import mail
from ..core.services import N_
from . import tokens
from .models import TokenPurpose, User


def _link(user: User, purpose: TokenPurpose, endpoint: str) -> str:
    return mail.site_url(endpoint, token=tokens.issue(user, purpose))


def send_verification(user: User) -> str:
    link = _link(user, TokenPurpose.VERIFY_EMAIL, "accounts.confirm_email")
    mail.send(user, N_("Confirm your e-mail address for Chunfeng"), "accounts/mail/verify.html", link=link,
              hours=tokens.lifetime(TokenPurpose.VERIFY_EMAIL).total_seconds() // 3600)
    return link


def send_password_reset(user: User) -> str:
    link = _link(user, TokenPurpose.RESET_PASSWORD, "accounts.set_password")
    mail.send(user, N_("Reset your Chunfeng password"), "accounts/mail/reset.html", link=link,
              minutes=tokens.lifetime(TokenPurpose.RESET_PASSWORD).total_seconds() // 60)
    return link


def send_invitation(user: User, inviter: User) -> str:
    link = _link(user, TokenPurpose.INVITATION, "accounts.set_password")
    mail.send(user, N_("You are invited to Chunfeng"), "accounts/mail/invitation.html", link=link, inviter=inviter,
              days=tokens.lifetime(TokenPurpose.INVITATION).days)
    return link


def send_registration_attempt(owner: User) -> None:
    mail.send(owner, N_("Someone tried to register with your e-mail address"),
              "accounts/mail/registration_attempt.html", login_link=mail.site_url("accounts.login"),
              reset_link=mail.site_url("accounts.forgot_password"))
