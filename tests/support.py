"""Shared test support (fixtures registered by conftest.py): databases, Redis, app, servers.

Database tests run twice, on SQLite and on the local PostgreSQL (a fresh database per run).
Under CI=true a missing PostgreSQL, Redis or Chromium fails the run; elsewhere it skips with
the reason shown.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa
from sqlmodel import SQLModel

from meeting.app import create_app
from meeting.db import Database
from meeting.settings import Settings

T = TypeVar("T")
CI = os.environ.get("CI") == "true"
PG_ADMIN_DSN = os.environ.get("HEARTH_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("HEARTH_TEST_REDIS", "redis://127.0.0.1:6379/0")
CHROMIUM = os.environ.get("HEARTH_TEST_CHROMIUM", "/usr/bin/chromium")
BASE_URL = "http://127.0.0.1:8000"
STRONG_PASSWORD = "quiet lantern over the river"


def unavailable(what: str) -> None:
    """Fail under CI (a missing service must never pass silently), skip elsewhere."""
    if CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- PostgreSQL ---------------------------------------------------------------------------


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion in a fresh thread (usable from sync fixtures in any state)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _create_pg_database(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


async def _drop_pg_database(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def fresh_postgres_database() -> tuple[str, str]:
    """Create an empty database on the local server; returns (name, SQLAlchemy URL)."""
    name = f"hearth_test_{secrets.token_hex(4)}"
    try:
        run_async(_create_pg_database(name))
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL at {PG_ADMIN_DSN} ({type(exc).__name__})")
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].split("://", 1)[1]
    return name, f"postgresql+asyncpg://{base}/{name}"


def drop_postgres_database(name: str) -> None:
    run_async(_drop_pg_database(name))


async def _upgrade(url: str) -> None:
    db = Database(url)
    try:
        await db.upgrade()
    finally:
        await db.close()


@pytest.fixture(scope="session")
def postgres_migrated() -> Iterator[str]:
    """A fresh PostgreSQL database for this run, migrated to head, dropped afterwards."""
    name, url = fresh_postgres_database()
    run_async(_upgrade(url))
    yield url
    drop_postgres_database(name)


async def empty_tables(url: str) -> None:
    db = Database(url)
    try:
        async with db.engine.begin() as conn:
            names = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            await conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await db.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite in tmp_path, or the run's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'hearth.db'}"
        run_async(_upgrade(url))
        return url
    url = str(request.getfixturevalue("postgres_migrated"))
    run_async(empty_tables(url))
    return url


# --- Redis --------------------------------------------------------------------------------


async def _ping_redis(url: str) -> None:
    client = aioredis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    try:
        run_async(_ping_redis(REDIS_URL))
    except Exception as exc:
        unavailable(f"Redis at {REDIS_URL} ({type(exc).__name__})")
    return REDIS_URL


# --- The app in-process -------------------------------------------------------------------


def make_settings(tmp_path: Path, **env: str) -> Settings:
    values = {
        "HEARTH_DATA_DIR": str(tmp_path / "data"),
        "HEARTH_SECRET_KEY": "test-secret-" + "x" * 40,
        "HEARTH_BASE_URL": BASE_URL,
        **env,
    }
    return Settings.load(values, env_file=None)


@dataclass
class App:
    settings: Settings
    client: httpx.AsyncClient

    async def register(
        self, email: str = "sam@example.org", password: str = STRONG_PASSWORD, name: str = "Sam"
    ) -> httpx.Response:
        body = {"email": email, "password": password, "display_name": name}
        return await self.client.post("/api/v1/accounts", json=body)

    async def log_in(self, email: str = "sam@example.org", password: str = STRONG_PASSWORD) -> httpx.Response:
        return await self.client.post("/api/v1/session", json={"email": email, "password": password})


@pytest.fixture
async def app(database_url: str, tmp_path: Path) -> AsyncIterator[App]:
    """The app with its lifespan running, and an httpx client talking to it in-process."""
    settings = make_settings(tmp_path, HEARTH_DATABASE_URL=database_url)
    asgi = create_app(settings)
    async with asgi.router.lifespan_context(asgi):
        transport = httpx.ASGITransport(app=asgi)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield App(settings, client)


# --- Real server processes ----------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    data_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(
    tmp_path: Path,
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    python: str = sys.executable,
    name: str = "server",
    port: int | None = None,
) -> Server:
    """Run `hearth serve` on `port` (default: a free one) and wait until it answers /healthz."""
    port = port or free_port()
    data_dir = tmp_path / f"{name}-data"
    log_path = tmp_path / f"{name}.log"
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")},
        "HEARTH_DATA_DIR": str(data_dir),
        "HEARTH_LOG_LEVEL": "DEBUG",  # the canary tests read these logs: the most talkative level
        **(env or {}),
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [python, "-m", "meeting.cli", "serve", "--port", str(port)],
            env=full_env,
            cwd=cwd or tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log_path, data_dir)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"hearth serve exited early:\n{server.log()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"hearth serve did not answer within 30 s:\n{server.log()}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real `hearth serve` with the embedded defaults (SQLite, in-process broker)."""
    srv = start_server(tmp_path)
    yield srv
    srv.stop()


@dataclass
class Cluster:
    """Two `hearth serve` processes sharing one PostgreSQL database and one Redis (own prefix)."""

    a: Server
    b: Server
    env: dict[str, str]
    prefix: str

    @property
    def servers(self) -> tuple[Server, Server]:
        return (self.a, self.b)


@pytest.fixture
def cluster(tmp_path: Path, redis_url: str) -> Iterator[Cluster]:
    name, url = fresh_postgres_database()
    prefix = f"hearth-test-{secrets.token_hex(4)}:"
    ports = (free_port(), free_port())
    env = {
        "HEARTH_DATABASE_URL": url,
        "HEARTH_REDIS_URL": redis_url,
        "HEARTH_REDIS_PREFIX": prefix,
        "HEARTH_SECRET_KEY": "cluster-secret-" + secrets.token_hex(24),
        "HEARTH_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports),
    }
    a = start_server(tmp_path, env=env, name="a", port=ports[0])
    b = start_server(tmp_path, env=env, name="b", port=ports[1])
    try:
        yield Cluster(a, b, env, prefix)
    finally:
        a.stop()
        b.stop()
        drop_postgres_database(name)
        run_async(_delete_keys(redis_url, prefix))


async def _delete_keys(url: str, prefix: str) -> None:
    client = aioredis.from_url(url)
    try:
        keys = [k async for k in client.scan_iter(match=prefix + "*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium at {CHROMIUM}")
    return CHROMIUM


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a `hearth` CLI command in a subprocess; returns the completed process."""
    full_env = {**{k: v for k, v in os.environ.items() if not k.startswith("HEARTH_")}, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "meeting.cli", *args],
        env=full_env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
