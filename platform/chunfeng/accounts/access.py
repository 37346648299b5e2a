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
