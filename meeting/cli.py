"""The `hearth` command: serve, db upgrade, user create, check.

Each subcommand loads `Settings` once; a bad setting ends it with one line naming the
variable and exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit, urlunsplit

from meeting.settings import Settings, SettingsError

WS_MAX_SIZE = 16 * 1024


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args))
    except SettingsError as exc:
        print(f"hearth: configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="hearth",
        description="Hearth: live text meetings for support groups. Configure with HEARTH_* "
        "environment variables or a .env file (see README).",
    )
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    serve = sub.add_parser(
        "serve",
        help="run the web server (migrates the database first)",
        description="Serve Hearth over HTTP and WebSocket. With nothing "
        "configured: SQLite under ./data and the in-process broker.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes (more than 1 needs HEARTH_REDIS_URL and PostgreSQL)",
    )
    serve.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    serve.set_defaults(run=_serve)

    db = sub.add_parser("db", help="database maintenance").add_subparsers(required=True, metavar="ACTION")
    up = db.add_parser("upgrade", help="apply migrations up to the newest schema")
    up.set_defaults(run=_db_upgrade)

    user = sub.add_parser("user", help="manage accounts").add_subparsers(required=True, metavar="ACTION")
    create = user.add_parser(
        "create", help="create an account (password asked without echo, or read from stdin)"
    )
    create.add_argument("--email", required=True)
    create.add_argument("--role", choices=["admin", "host", "member"], default="member")
    create.add_argument(
        "--display-name", help="the name others see (default: the part of the email before @)"
    )
    create.set_defaults(run=_user_create)

    check = sub.add_parser("check", help="print the effective configuration and test the database and Redis")
    check.set_defaults(run=_check)
    return p


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers > 1 and not os.environ.get("HEARTH_REDIS_URL"):
        raise SettingsError("HEARTH_REDIS_URL must be set to run more than one worker")
    settings = Settings.load(default_base_url=f"http://{args.host}:{args.port}")
    os.environ.setdefault("HEARTH_BASE_URL", settings.base_url)  # workers load the same
    from meeting import logs

    logs.configure(settings)
    asyncio.run(_upgrade(settings))
    uvicorn.run(
        "meeting.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers if args.workers > 1 else None,
        reload=args.reload,
        ws="websockets-sansio",
        ws_max_size=WS_MAX_SIZE,
        ws_per_message_deflate=False,
        server_header=False,
        access_log=False,
        log_config=None,
        lifespan="on",
    )
    return 0


async def _upgrade(settings: Settings) -> None:
    from meeting.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
    finally:
        await db.close()


def _db_upgrade(args: argparse.Namespace) -> int:
    settings = Settings.load()
    asyncio.run(_upgrade(settings))
    print(f"database at {_mask(settings.database_url)} is up to date")
    return 0


def _user_create(args: argparse.Namespace) -> int:
    from meeting.accounts import service
    from meeting.accounts.models import Role
    from meeting.db import Database

    settings = Settings.load()
    if sys.stdin.isatty():
        password = getpass.getpass("Password (at least 15 characters): ")
        if getpass.getpass("Again: ") != password:
            print("hearth: the passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\r\n")

    async def create() -> str:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            async with db.session() as s:
                user = await service.register(
                    s,
                    email=args.email,
                    password=password,
                    client=None,
                    role=Role(args.role),
                    display_name=args.display_name or args.email.split("@")[0],
                )
            return f"created {user.role.value} {user.email} (id {user.id})"
        finally:
            await db.close()

    try:
        print(asyncio.run(create()))
    except service.AccountError as exc:
        print(f"hearth: {exc}", file=sys.stderr)
        return 1
    return 0


def _check(args: argparse.Namespace) -> int:
    from meeting.app import load_resources

    settings = Settings.load()
    load_resources(settings)
    rows = [
        ("HEARTH_ENV", settings.env),
        ("HEARTH_DATA_DIR", str(settings.data_dir)),
        ("HEARTH_DATABASE_URL", _mask(settings.database_url)),
        (
            "HEARTH_REDIS_URL",
            _mask(settings.redis_url) if settings.redis_url else "(none: in-process broker)",
        ),
        ("HEARTH_REDIS_PREFIX", settings.redis_prefix),
        ("HEARTH_SECRET_KEY", "set (hidden)" if settings.secret_key else "missing"),
        ("HEARTH_BASE_URL", settings.base_url),
        ("HEARTH_ALLOWED_ORIGINS", ", ".join(settings.allowed_origins)),
        ("HEARTH_SESSION_IDLE_MINUTES", str(settings.session_idle_minutes)),
        ("HEARTH_SESSION_MAX_HOURS", str(settings.session_max_hours)),
        ("HEARTH_SESSION_CHECK_SECONDS", str(settings.session_check_seconds)),
        ("HEARTH_LOG_LEVEL", settings.log_level),
        ("HEARTH_LOG_FORMAT", settings.log_format),
        ("HEARTH_CRISIS_RESOURCES", str(settings.crisis_resources or "(built-in defaults)")),
        ("HEARTH_ROOM_OPENS_MINUTES", str(settings.room_opens_minutes)),
        ("HEARTH_ROOM_GRACE_MINUTES", str(settings.room_grace_minutes)),
        ("HEARTH_SMTP_URL", _mask(settings.smtp_url) if settings.smtp_url else "(none: no email is sent)"),
        ("HEARTH_MAIL_FROM", settings.mail_from),
        ("HEARTH_REMINDERS", "on" if settings.reminders else "off"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    db_ok, redis_ok = asyncio.run(_probe(settings))
    print(f"{'database':<{width}}  {'answers' if db_ok else 'DOES NOT ANSWER'}")
    if settings.redis_url:
        print(f"{'redis':<{width}}  {'answers' if redis_ok else 'DOES NOT ANSWER'}")
    return 0 if db_ok and (redis_ok or not settings.redis_url) else 1


async def _probe(settings: Settings) -> tuple[bool, bool]:
    from meeting.db import Database

    db = Database(settings.database_url)
    try:
        db_ok = await db.ping()
    finally:
        await db.close()
    redis_ok = False
    if settings.redis_url:
        import redis.asyncio as aioredis

        client = aioredis.from_url(settings.redis_url, socket_connect_timeout=2)
        try:
            redis_ok = bool(await client.ping())
        except Exception:
            redis_ok = False
        finally:
            await client.aclose()
    return db_ok, redis_ok


def _mask(url: str) -> str:
    """The URL with any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


if __name__ == "__main__":
    sys.exit(main())
