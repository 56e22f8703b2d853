"""Database access: one async engine per process, sessions by context manager, migrations.

`Database(url)` wraps SQLAlchemy's async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg).
Use `async with db.session() as s:` for a unit of work; `await db.upgrade()` brings the schema
to the newest Alembic revision and is safe to run from several processes at once on PostgreSQL
(an advisory lock serialises them).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_MIGRATION_LOCK = 0x4845_4152  # "HEAR": arbitrary, constant advisory-lock key


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on SQLite and PostgreSQL alike."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; Hearth stores aware UTC timestamps only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Database:
    """The process's database handle. Create once at start-up; `await close()` at shutdown."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        if url.startswith("sqlite"):
            _ensure_sqlite_dir(url)
        self.engine: AsyncEngine = create_async_engine(
            url, echo=echo, pool_pre_ping=True, connect_args=_connect_args(url)
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, class_=AsyncSession, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session that commits when the block ends normally and rolls back otherwise."""
        async with self._sessions() as s:
            try:
                yield s
                await s.commit()
            except BaseException:
                await s.rollback()
                raise

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            async with self.engine.connect() as conn:
                await conn.execute(sa.text("SELECT 1"))
        except Exception:
            return False
        return True

    async def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to `revision` over this engine."""
        if self.dialect == "sqlite":
            await self._upgrade_sqlite(revision)
            return
        async with self.engine.begin() as conn:
            if self.dialect == "postgresql":
                await conn.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})"))
            await conn.run_sync(_run_upgrade, revision)

    async def _upgrade_sqlite(self, revision: str) -> None:
        # SQLite alters a table by copying it and dropping the old one; with foreign keys on,
        # that drop would cascade and delete every row pointing at the table. The pragma only
        # takes effect outside a transaction, so it is set before the migration's own.
        async with self.engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()
            try:
                async with conn.begin():
                    await conn.run_sync(_run_upgrade, revision)
            finally:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(_current_revision)

    async def close(self) -> None:
        await self.engine.dispose()


def alembic_config(connection: Any = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _run_upgrade(connection: sa.Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


def _current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _connect_args(url: str) -> dict[str, Any]:
    """PostgreSQL (asyncpg) session settings for every connection of the app.

    `jit = off`: queries with correlated subqueries (the directory's) get estimated costs far
    above `jit_above_cost`, and LLVM compilation then took longer than the queries themselves
    (the has-seats page: 156 + 249 ms of JIT in 234 + 336 ms). `plan_cache_mode =
    force_custom_plan`: asyncpg prepares every statement, and the generic plan PostgreSQL may
    switch to from the sixth run cannot see that a bound `role = 'admin'` is rare, so the seat
    count would not use `ix_users_role` and `ix_group_roles_group_id_role`. Planning each run
    costs nothing measurable here. See "The group directory" in docs/performance.md.
    """
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.get_driver_name() != "asyncpg":
        return {}
    return {"server_settings": {"jit": "off", "plan_cache_mode": "force_custom_plan"}}


def _ensure_sqlite_dir(url: str) -> None:
    path = url.split(":///", 1)[1] if ":///" in url else ""
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
