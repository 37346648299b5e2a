"""Who may see or do what: the one place that decides.

Routes declare their rule with `@guard(action)` (or `@public`); objects are checked with `authorize(action, obj)`,
which answers 404 when the user may not even know the object exists. Rules are plain functions of
(user, obj) registered under an action name, grouped below by domain.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user

from .accounts.models import Role

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}
PUBLIC = "public"


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _RULES:
                raise ValueError(f"duplicate policy rule {action}")
            _RULES[action] = fn
        return fn
    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if action == PUBLIC:
        return True
    if user is None or not user.is_authenticated:
        return False
    return bool(_RULES[action](user, obj))


def known_actions() -> frozenset[str]:
    return frozenset(_RULES)


def _refuse(status: int):
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    abort(status)


def authorize(action: str, obj: Any = None) -> None:
    """Stop the request unless the current user may do `action` to `obj`: anonymous users are sent to log in,
    an object the user may not act on answers 404 (its existence is not revealed)."""
    if can(current_user, action, obj):
        return
    if not current_user.is_authenticated:
        abort(_refuse(401))
    abort(404 if obj is not None else 403)


def guard(action: str) -> Callable:
    """Route decorator: the user must pass `action` (without an object) before the view runs."""
    if action not in _RULES and action != PUBLIC:
        raise KeyError(f"no policy rule named {action}")

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, action):
                return _refuse(403)
            return view(*args, **kwargs)
        wrapped.policy_action = action
        return wrapped
    return decorate


def public(view: Callable) -> Callable:
    view.policy_action = PUBLIC
    return view


def has_role(user: Any, *roles: Role) -> bool:
    return user.has_role(*roles)


def is_admin(user: Any) -> bool:
    return user.has_role(Role.ADMIN)


# --- accounts ------------------------------------------------------------------------------------------

@rule("account.self")
def _signed_in(user, obj) -> bool:
    return True


@rule("admin.access", "accounts.manage", "audit.view")
def _admin(user, obj) -> bool:
    return is_admin(user)


@rule("notifications.view")
def _own_notifications(user, obj) -> bool:
    return obj is None or obj.user_id == user.id


# --- submissions (idea intake) ------------------------------------------------------------------------


# --- reviews (formal check, rounds, rubric, expert review, decisions, results) -----------------------


# --- matching (profiles, matches, browsing, connections and consent grants) --------------------------


# --- admin (accounts, audit, dashboard, privacy operations) ------------------------------------------


# --- incubation (officers, pathway milestones, service record) ---------------------------------------


# --- community (clinical needs, company challenges, consultations) -----------------------------------
