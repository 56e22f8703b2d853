"""Migrations: empty to head on SQLite and PostgreSQL, the models match them, old rows carry over."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel
from support import drop_postgres_database, fresh_postgres_database

import meeting.models  # noqa: F401
from meeting.db import Database, alembic_config


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.db'}"
        return
    name, url = fresh_postgres_database()
    yield url
    drop_postgres_database(name)


@pytest.mark.postgres
async def test_upgrade_from_empty_to_head_leaves_no_model_drift(empty_database: str) -> None:
    db = Database(empty_database)
    try:
        assert await db.current_revision() is None
        await db.upgrade()
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert await db.current_revision() == head
        await db.upgrade()  # idempotent: a second `hearth db upgrade` is harmless
        async with db.engine.connect() as conn:
            diff = await conn.run_sync(
                lambda c: compare_metadata(MigrationContext.configure(c), SQLModel.metadata)
            )
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        await db.close()


@pytest.mark.postgres
async def test_groups_made_before_moderation_get_the_default_rules(empty_database: str) -> None:
    db = Database(empty_database)
    try:
        await db.upgrade("0002")
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO groups (name, description, guidelines, guidelines_version, created_at) "
                    "VALUES ('Old', '', 'Be kind.', 1, CURRENT_TIMESTAMP)"
                )
            )
        await db.upgrade("0003")
        async with db.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.text(
                        "SELECT allow_links, blocked_terms, rate_messages, rate_seconds, waiting_room, "
                        "report_threshold FROM groups"
                    )
                )
            ).one()
        assert tuple(row) == (False, "", 5, 10, False, 3)
        async with db.engine.begin() as conn:  # and back: the downgrade works on both databases
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0002"))
        await db.upgrade()
        assert await db.current_revision() == "0003"
    finally:
        await db.close()
