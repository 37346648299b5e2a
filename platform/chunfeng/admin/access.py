"""Administration: accounts, audit, dashboard, privacy operations."""

from __future__ import annotations

from ..accounts.access import is_admin
from ..policy import rule


@rule("admin.access", "accounts.manage", "audit.view", "admin.settings")
def _admin(user, obj) -> bool:
    return is_admin(user)


@rule("privacy.self")
def _own_personal_data(user, obj) -> bool:
    """Every signed-in person, approved or not, may see, export and erase their own data (PIPL Art. 45, 47)."""
    return obj is None or getattr(obj, "user_id", None) == user.id
