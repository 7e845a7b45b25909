"""Configuration: defaults, then instance/config.py, then the environment, then the caller's overrides."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError


class ConfigError(Exception):
    """A setting is missing or malformed; the message says what to set."""


ENVIRONMENT_KEYS = (
    "OBJECTIONS_ENV",
    "DATABASE_URL",
    "SECRET_KEY",
    "DATA_KEY",
    "SMTP_URL",
    "MAIL_FROM",
    "BASE_URL",
    "PORT",
    "DEADLINE_POLICY",
    "RATELIMIT_ENABLED",
    "RATELIMIT_STORAGE_URI",
    "PROXY_FIX",
)

DEFAULTS: dict[str, Any] = {
    "OBJECTIONS_ENV": "development",
    "DATABASE_URL": None,  # SQLite under instance/ when unset
    "SECRET_KEY": None,
    "DATA_KEY": None,
    "SMTP_URL": None,
    "MAIL_FROM": "objections@localhost",
    "BASE_URL": "http://127.0.0.1:5000",
    "PORT": 5000,
    "DEADLINE_POLICY": "calendar_days",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_HEADERS_ENABLED": True,
    "PROXY_FIX": 0,
    "REMINDER_OFFSETS_HOURS": (24, 4),
    "SWEEP_INTERVAL_SECONDS": 60,
    "DISPATCH_INTERVAL_SECONDS": 20,
    "CLOSE_AFTER_DAYS": 30,
    "RETENTION_YEARS": 5,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "PERMANENT_SESSION_LIFETIME": 30 * 60,
    "REAUTH_MINUTES": 15,  # sensitive actions need the password given within this many minutes
    "SESSION_REFRESH_EACH_REQUEST": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "kk",
    "BABEL_DEFAULT_TIMEZONE": "Asia/Almaty",
    "LANGUAGES": ("kk", "ru", "en"),
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "APPEAL_ROUTES": {
        "kk": (
            "Дербес деректерді қорғау жөніндегі уәкілетті органға (Қазақстан Республикасы Цифрлық даму, "
            "инновациялар және аэроғарыш өнеркәсібі министрлігінің Ақпарат қауіпсіздігі комитеті) "
            "шағым беруге болады: www.gov.kz, e-otinish.kz. Сондай-ақ сотқа жүгінуге құқығыңыз бар."
        ),
        "ru": (
            "Вы можете обжаловать действия (бездействие) в уполномоченный орган по защите персональных данных "
            "(Комитет по информационной безопасности Министерства цифрового развития, инноваций и "
            "аэрокосмической промышленности РК): www.gov.kz, e-otinish.kz, а также в суд."
        ),
        "en": (
            "You may appeal the actions (or inaction) to the authorized body for personal data protection "
            "(the Information Security Committee of the Ministry of Digital Development, Innovations and "
            "Aerospace Industry of Kazakhstan): www.gov.kz, e-otinish.kz, or to a court."
        ),
    },
}


def _bool(value: str) -> bool:
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def _read_or_create_key(instance_path: Path, name: str) -> str:
    path = instance_path / name
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def load(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the configuration and check it; raises ConfigError naming what to set."""
    settings: dict[str, Any] = dict(DEFAULTS)
    instance_file = instance_path / "config.py"
    if instance_file.exists():
        namespace: dict[str, Any] = {}
        exec(compile(instance_file.read_text(), str(instance_file), "exec"), namespace)  # noqa: S102
        settings.update({k: v for k, v in namespace.items() if k.isupper()})
    for key in ENVIRONMENT_KEYS:
        if key in os.environ:
            settings[key] = os.environ[key]
    settings.update(overrides or {})

    settings["RATELIMIT_ENABLED"] = (
        _bool(settings["RATELIMIT_ENABLED"])
        if isinstance(settings["RATELIMIT_ENABLED"], str)
        else bool(settings["RATELIMIT_ENABLED"])
    )
    try:
        settings["PORT"] = int(settings["PORT"])
    except (TypeError, ValueError) as exc:
        raise ConfigError("PORT must be a number, e.g. PORT=5000") from exc

    try:
        settings["PROXY_FIX"] = int(settings["PROXY_FIX"] or 0)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            "PROXY_FIX must be the number of reverse proxies in front of the app, e.g. PROXY_FIX=1"
        ) from exc

    env = settings["OBJECTIONS_ENV"]
    if env not in {"development", "production", "testing"}:
        raise ConfigError("OBJECTIONS_ENV must be development, production or testing")
    production = env == "production"
    for key in ("SECRET_KEY", "DATA_KEY"):
        if not settings.get(key):
            if production:
                raise ConfigError(f"{key} is not set: set {key} in the environment (OBJECTIONS_ENV=production)")
            settings[key] = _read_or_create_key(instance_path, key.lower())
    if production:
        settings["SESSION_COOKIE_SECURE"] = True
        settings["TEST_CLOCK"] = None
    if settings["SESSION_COOKIE_SECURE"] and settings.get("SESSION_COOKIE_NAME", "session") == "session":
        # The __Host- prefix: browsers keep the cookie only when it is Secure, host-only and for the path "/", so a
        # sibling subdomain or a plain-HTTP page can never plant or overwrite the session.
        settings["SESSION_COOKIE_NAME"] = "__Host-session"
        settings["SESSION_COOKIE_DOMAIN"] = None
        settings["SESSION_COOKIE_PATH"] = "/"

    if settings["DEADLINE_POLICY"] not in {"calendar_days", "working_days"}:
        raise ConfigError("DEADLINE_POLICY must be calendar_days or working_days")

    url = settings["DATABASE_URL"] or f"sqlite:///{instance_path / 'objections.db'}"
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigError(
            "DATABASE_URL is malformed: set it like sqlite:///path/objections.db "
            "or postgresql+psycopg://user:password@host/dbname"
        ) from exc
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql+psycopg:// URL")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    settings["DATABASE_URL"] = url
    settings["SQLALCHEMY_DATABASE_URI"] = url
    # A database error's text leaves out the statement's values (names, e-mails, grounds): it reaches the logs.
    settings["SQLALCHEMY_ENGINE_OPTIONS"] = {"hide_parameters": True, **(settings["SQLALCHEMY_ENGINE_OPTIONS"] or {})}
    settings["RATELIMIT_STORAGE_URI"] = settings["RATELIMIT_STORAGE_URI"] or "memory://"
    settings["PREFERRED_URL_SCHEME"] = "https" if settings["BASE_URL"].startswith("https") else "http"
    return settings
