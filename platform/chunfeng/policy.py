"""Who may see or do what: the registry and its enforcement. The rules themselves live beside their domains
(`<domain>/access.py`), registered with `@rule` when the domain is set up.

Routes declare their rule with `@guard(action)` (or `@public`); the app refuses to start while a route has none or
names an action no domain registered. Objects are loaded and checked in one call with `load(Model, id)`, which
answers 404 both for a missing object and for one the user may not even know exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.local import LocalProxy

from .extensions import db

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}
PUBLIC = "public"


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _RULES and _RULES[action] is not fn:
                raise ValueError(f"duplicate policy rule {action}")
            _RULES[action] = fn
        return fn
    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    if action == PUBLIC:
        return True
    # `current_user` is a proxy that looks the user up again on every attribute a rule reads: resolve it once
    user = user._get_current_object() if isinstance(user, LocalProxy) else user
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


def current_action() -> str:
    """The action the running view declared with @guard."""
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "policy_action", PUBLIC)


def load(model: type, object_id: Any, action: str | None = None):
    """Load `model` by primary key and authorize `action` on it (by default the action the view's @guard named):
    404 for a missing object and for one the user may not see."""
    found = db.session.get(model, object_id) if object_id is not None else None
    if found is None:
        abort(404)
    action = action or current_action()
    if action != PUBLIC:
        authorize(action, found)
    return found


def guard(action: str) -> Callable:
    """Route decorator: the user must pass `action` (without an object) before the view runs."""

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


def check_routes(app) -> None:
    """Every view must declare who may use it, with an action some domain registered: fail at start-up otherwise."""
    missing, unknown = [], []
    for endpoint, view in app.view_functions.items():
        if endpoint == "static":
            continue
        action = getattr(view, "policy_action", None)
        if action is None:
            missing.append(endpoint)
        elif action != PUBLIC and action not in _RULES:
            unknown.append(f"{endpoint} ({action})")
    if missing:
        raise RuntimeError(f"routes without a policy rule: {', '.join(sorted(missing))}")
    if unknown:
        raise RuntimeError(f"routes naming an unregistered policy rule: {', '.join(sorted(unknown))}")
