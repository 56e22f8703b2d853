"""Hearth's configuration: one immutable `Settings`, read once from `HEARTH_*` variables.

Call `Settings.load()` at start-up (the CLI does); pass the result around rather than
reading the environment again. Every problem stops start-up with a `SettingsError` whose
message names the variable, so the operator sees one clear line.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

SECRET_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)
MIN_SECRET_LENGTH = 32


class SettingsError(ValueError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Effective configuration. Build with `Settings.load()`; tweak copies with `.with_()`."""

    env: str = "development"
    data_dir: Path = Path("data")
    database_url: str = ""
    redis_url: str | None = None
    redis_prefix: str = "hearth:"
    secret_key: str = field(default="", repr=False)
    base_url: str = "http://127.0.0.1:8000"
    allowed_origins: tuple[str, ...] = ()
    session_idle_minutes: int = 60
    session_max_hours: int = 12
    session_check_seconds: int = 30
    log_level: str = "INFO"
    log_format: str = "text"
    crisis_resources: Path | None = None
    room_opens_minutes: int = 10
    room_grace_minutes: int = 10
    smtp_url: str | None = field(default=None, repr=False)  # carries the SMTP password
    mail_from: str = ""
    reminders: bool = False

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def origin(self) -> str:
        return origin_of(self.base_url)

    def with_(self, **changes: object) -> Settings:
        """A copy with `changes` applied (for tests and for `serve --host/--port`)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def load(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        env_file: Path | None = Path(".env"),
        default_base_url: str | None = None,
    ) -> Settings:
        """Read `HEARTH_*` from `environ` (default `os.environ`), then from `env_file`.

        Real environment variables win over the file. `default_base_url` is used when
        `HEARTH_BASE_URL` is unset (`hearth serve --host/--port` passes its address).
        """
        values = dict(_read_env_file(env_file)) if env_file else {}
        values.update({k: v for k, v in (environ or os.environ).items() if k.startswith("HEARTH_")})
        return _build(values, default_base_url)


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, the form browsers send in `Origin`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _build(v: dict[str, str], default_base_url: str | None) -> Settings:
    env = v.get("HEARTH_ENV", "development").strip().lower()
    if env not in ("development", "production"):
        raise SettingsError(f"HEARTH_ENV must be 'development' or 'production', not {env!r}")
    data_dir = Path(v.get("HEARTH_DATA_DIR", "data")).expanduser()
    base_url = v.get("HEARTH_BASE_URL") or default_base_url or "http://127.0.0.1:8000"
    base_url = _check_base_url(base_url.rstrip("/"), production=env == "production")
    origins = tuple(
        _check_origin(o) for o in v.get("HEARTH_ALLOWED_ORIGINS", "").split(",") if o.strip()
    ) or (origin_of(base_url),)
    log_format = v.get("HEARTH_LOG_FORMAT", "text").strip().lower()
    if log_format not in ("text", "json"):
        raise SettingsError(f"HEARTH_LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    log_level = v.get("HEARTH_LOG_LEVEL", "INFO").strip().upper()
    if log_level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise SettingsError(f"HEARTH_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {log_level!r}")
    resources = v.get("HEARTH_CRISIS_RESOURCES")
    smtp_url = _smtp_url(v.get("HEARTH_SMTP_URL"))
    return Settings(
        env=env,
        data_dir=data_dir,
        database_url=_database_url(v.get("HEARTH_DATABASE_URL"), data_dir),
        redis_url=_redis_url(v.get("HEARTH_REDIS_URL")),
        redis_prefix=_redis_prefix(v.get("HEARTH_REDIS_PREFIX", "hearth:")),
        secret_key=_secret(v.get("HEARTH_SECRET_KEY"), data_dir, production=env == "production"),
        base_url=base_url,
        allowed_origins=origins,
        session_idle_minutes=_positive_int(v, "HEARTH_SESSION_IDLE_MINUTES", 60),
        session_max_hours=_positive_int(v, "HEARTH_SESSION_MAX_HOURS", 12),
        session_check_seconds=_positive_int(v, "HEARTH_SESSION_CHECK_SECONDS", 30),
        log_level=log_level,
        log_format=log_format,
        crisis_resources=Path(resources) if resources else None,
        room_opens_minutes=_bounded_int(v, "HEARTH_ROOM_OPENS_MINUTES", 10, least=0, most=1440),
        room_grace_minutes=_bounded_int(v, "HEARTH_ROOM_GRACE_MINUTES", 10, least=0, most=240),
        smtp_url=smtp_url,
        mail_from=_mail_from(v.get("HEARTH_MAIL_FROM"), base_url),
        reminders=_reminders(v.get("HEARTH_REMINDERS"), smtp=smtp_url is not None),
    )


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        out[key.strip()] = value.strip().strip("'\"")
    return out


def _check_base_url(url: str, *, production: bool) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"HEARTH_BASE_URL must be an http(s) URL, not {url!r}")
    if production and parts.scheme != "https":
        raise SettingsError(f"HEARTH_BASE_URL must use https when HEARTH_ENV=production, not {url!r}")
    return url


def _check_origin(origin: str) -> str:
    origin = origin.strip().rstrip("/").lower()
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
        raise SettingsError(
            f"HEARTH_ALLOWED_ORIGINS entries must look like https://host[:port], not {origin!r}"
        )
    return origin


def _database_url(raw: str | None, data_dir: Path) -> str:
    if not raw:
        return f"sqlite+aiosqlite:///{(data_dir / 'hearth.db').as_posix()}"
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme in ("postgres", "postgresql", "postgresql+asyncpg"):
        return "postgresql+asyncpg://" + raw.split("://", 1)[1]
    if scheme in ("sqlite", "sqlite+aiosqlite"):
        return "sqlite+aiosqlite://" + raw.split("://", 1)[1]
    raise SettingsError(
        f"HEARTH_DATABASE_URL must start with postgresql:// or sqlite:///, not {scheme or raw!r}"
    )


def _redis_url(raw: str | None) -> str | None:
    if not raw:
        return None
    if not raw.startswith(("redis://", "rediss://", "unix://")):
        raise SettingsError("HEARTH_REDIS_URL must start with redis://, rediss:// or unix://")
    return raw


def _redis_prefix(raw: str) -> str:
    if not raw or len(raw) > 64 or any(ch.isspace() for ch in raw):
        raise SettingsError(f"HEARTH_REDIS_PREFIX must be 1 to 64 characters without spaces, not {raw!r}")
    return raw


def _secret(raw: str | None, data_dir: Path, *, production: bool) -> str:
    if raw:
        if len(raw) < MIN_SECRET_LENGTH:
            raise SettingsError(f"HEARTH_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        return raw
    if production:
        raise SettingsError("HEARTH_SECRET_KEY must be set when HEARTH_ENV=production")
    path = data_dir / SECRET_FILE
    try:
        if path.is_file():
            return path.read_text(encoding="ascii").strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(key + "\n")
        return key
    except FileExistsError:  # another process created it a moment ago
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise SettingsError(f"HEARTH_DATA_DIR {str(data_dir)!r} is not usable: {exc.strerror}") from exc


def _positive_int(v: dict[str, str], name: str, default: int) -> int:
    raw = v.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name} must be positive, not {value}")
    return value


_SMTP_SCHEMES = {"smtp": 25, "smtps": 465}
_ON = ("1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off")


def _smtp_url(raw: str | None) -> str | None:
    """`smtp://[user:pass@]host[:port]` (STARTTLS when the server offers it and a password is
    sent) or `smtps://…` (TLS from the start); the message never repeats the password."""
    if raw is None or not raw.strip():
        return None
    raw = raw.strip()
    parts = urlsplit(raw)
    shown = f"{parts.scheme}://{parts.hostname or ''}"
    if parts.scheme not in _SMTP_SCHEMES or not parts.hostname:
        raise SettingsError(
            "HEARTH_SMTP_URL must look like smtp://user:password@host:port or smtps://host:465, "
            f"not {shown if parts.scheme else 'a value without a scheme'!r}"
        )
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 and parts.netloc.rpartition("@")[2].count(":"):
        raise SettingsError(f"HEARTH_SMTP_URL has a port that is not a number from 1 to 65535 ({shown})")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SettingsError(f"HEARTH_SMTP_URL takes no path or query ({shown})")
    if (parts.username is None) != (parts.password is None):
        raise SettingsError(f"HEARTH_SMTP_URL needs both a user name and a password, or neither ({shown})")
    return raw


def smtp_port(url: str) -> int:
    """The port of a checked `HEARTH_SMTP_URL`: as given, else 25 (smtp) or 465 (smtps)."""
    parts = urlsplit(url)
    return parts.port or _SMTP_SCHEMES[parts.scheme]


def _mail_from(raw: str | None, base_url: str) -> str:
    if raw is None or not raw.strip():
        host = urlsplit(base_url).hostname or ""
        named = "." in host and not host.replace(".", "").isdigit() and ":" not in host
        return f"Hearth <no-reply@{host if named else 'localhost'}>"
    value = raw.strip()
    address = value[value.find("<") + 1 : value.rfind(">")] if value.endswith(">") else value
    local, at, domain = address.partition("@")
    if not at or not local or not domain or any(ch.isspace() or ch in "<>" for ch in address):
        raise SettingsError(
            f"HEARTH_MAIL_FROM must be an address such as no-reply@example.org or "
            f"'Hearth <no-reply@example.org>', not {value!r}"
        )
    if any(ch in value for ch in "\r\n"):
        raise SettingsError("HEARTH_MAIL_FROM must be one line")
    return value


def _reminders(raw: str | None, *, smtp: bool) -> bool:
    if raw is None or not raw.strip():
        return smtp
    value = raw.strip().lower()
    if value in _OFF:
        return False
    if value not in _ON:
        raise SettingsError(f"HEARTH_REMINDERS must be 'on' or 'off', not {raw!r}")
    if not smtp:
        raise SettingsError("HEARTH_REMINDERS is on but HEARTH_SMTP_URL is not set: reminders need SMTP")
    return True


def _bounded_int(v: dict[str, str], name: str, default: int, *, least: int, most: int) -> int:
    raw = v.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if not least <= value <= most:
        raise SettingsError(f"{name} must be from {least} to {most}, not {value}")
    return value
