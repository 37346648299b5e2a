"""Accounts' rules, and the role tests every domain's rules build on."""

from __future__ import annotations

from typing import Any

from ..policy import rule
from .models import Role


def has_role(user: Any, *roles: Role) -> bool:
    return user.has_role(*roles)


def is_admin(user: Any) -> bool:
    return user.has_role(Role.ADMIN)


@rule("account.self")
def _signed_in(user, obj) -> bool:
    return True


@rule("notifications.view")
def _own_notifications(user, obj) -> bool:
    return obj is None or obj.user_id == user.id


def may_decide_join(user: Any, join: Any) -> bool:
    """An active member of the organisation asked to be joined (not the requester) or an administrator; without a
    request, any approved account (the page then lists only its own organisation's requests)."""
    if not user.is_approved:
        return False
    if join is None or user.is_admin:
        return True
    return user.organization_id == join.organization_id and user.id != join.user_id


@rule("account.join_decide")
def _member_or_admin(user, obj) -> bool:
    return may_decide_join(user, obj)


@rule("accounts.invite")
def _admin_invites(user, obj) -> bool:
    return is_admin(user)
