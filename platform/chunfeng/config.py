"""Configuration read from the environment, with safe defaults for a local run."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_PATH = Path(os.environ.get("CHUNFENG_INSTANCE", REPO_ROOT / "instance"))


def _secret_key(instance: Path) -> str:
    """Use SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def load_config(instance: Path, overrides: dict | None = None) -> dict:
    overrides = overrides or {}
    instance = Path(overrides.get("INSTANCE_PATH", instance))
    config = {
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", f"sqlite:///{instance / 'chunfeng.db'}"),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER", str(instance / "uploads")),
        "BACKUP_FOLDER": os.environ.get("BACKUP_FOLDER", str(instance / "backups")),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "MAX_ATTACHMENTS_PER_PROJECT": _int("MAX_ATTACHMENTS_PER_PROJECT", 20),
        "MAX_ATTACHMENT_BYTES": _int("MAX_ATTACHMENT_MB", 10) * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "PROXY_HOPS": _int("PROXY_HOPS", 0),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "zh_Hans_CN",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": ("zh_Hans_CN", "en"),
        "PASSWORD_MIN_LENGTH": _int("PASSWORD_MIN_LENGTH", 10),
        # log-in throttling per (account, source) and per source: after LOGIN_MAX_FAILURES failures (four times as
        # many for a source across accounts) each further try waits LOGIN_DELAY_SECONDS, doubled per failure up to
        # LOGIN_MAX_DELAY_SECONDS; failures older than LOGIN_WINDOW_SECONDS are forgotten
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_DELAY_SECONDS": _int("LOGIN_DELAY_SECONDS", 30),
        "LOGIN_MAX_DELAY_SECONDS": _int("LOGIN_MAX_DELAY_SECONDS", 900),
        "LOGIN_WINDOW_SECONDS": _int("LOGIN_WINDOW_SECONDS", 86400),
        # sessions end on the server after SESSION_IDLE_MINUTES without a request or SESSION_MAX_HOURS after log-in
        # (0: no such limit)
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 120),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 24 * 7),
        "PASSWORD_RESET_MINUTES": _int("PASSWORD_RESET_MINUTES", 60),
        "EMAIL_VERIFY_HOURS": _int("EMAIL_VERIFY_HOURS", 48),
        "INVITATION_DAYS": _int("INVITATION_DAYS", 7),
        "ACCOUNT_MAILS_PER_HOUR": _int("ACCOUNT_MAILS_PER_HOUR", 5),
        # "auto": new accounts confirm their e-mail address whenever MAIL_SERVER is set; "1" always, "0" never
        "EMAIL_VERIFICATION": os.environ.get("EMAIL_VERIFICATION", "auto"),
        "CLINICIAN_APPROVAL_REQUIRED": os.environ.get("CLINICIAN_APPROVAL_REQUIRED", "0") == "1",
        "MATCH_TOP_K": _int("MATCH_TOP_K", 20),
        "MATCH_AUTO_REFRESH": os.environ.get("MATCH_AUTO_REFRESH", "1") == "1",
        "MATCH_MIN_SCORE": float(os.environ.get("MATCH_MIN_SCORE", "0.03")),
        "MATCH_REFIT_NEW_TERMS": float(os.environ.get("MATCH_REFIT_NEW_TERMS", "0.2")),
        "MATCH_SEMANTIC": os.environ.get("MATCH_SEMANTIC", "1") == "1",
        "MATCH_EMBED_IN_REQUESTS": os.environ.get("MATCH_EMBED_IN_REQUESTS", "0") == "1",
        "COMMUNITY_POSTS_PER_HOUR": _int("COMMUNITY_POSTS_PER_HOUR", 5),
        "COMMUNITY_COMMENTS_PER_HOUR": _int("COMMUNITY_COMMENTS_PER_HOUR", 20),
        "CATALOGUE_API_PER_MINUTE": _int("CATALOGUE_API_PER_MINUTE", 60),
        # how old figures the same for everyone may get (core/recent.py): the dashboard, shared workspace panels
        "RECENT_SECONDS": _int("RECENT_SECONDS", 60),
        "FRAGMENTS_KEPT": _int("FRAGMENTS_KEPT", 4096),
        "RETENTION_DAYS": _int("RETENTION_DAYS", 365 * 3),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "noreply@chunfeng.local"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 10),
        "SITE_URL": os.environ.get("SITE_URL", ""),  # e.g. https://chunfeng.example.cn: links in e-mails
        "PRIVACY_POLICY_VERSION": "2026-11",
    }
    config.update(overrides)
    return config
