"""Migrations: empty to head on SQLite and PostgreSQL, the models match them, old rows carry over
(for each revision that altered tables holding them)."""

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
from meeting.attendance import notices
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
        assert [d for d in diff if not _postgres_only(d)] == [], f"models and migrations differ: {diff}"
    finally:
        await db.close()


TRIGRAM_INDEXES = ("ix_groups_name_trgm", "ix_groups_description_trgm")  # 0008, PostgreSQL only


def _postgres_only(difference: object) -> bool:
    """The trigram indexes 0008 creates on PostgreSQL are not on the models (no dialect-only
    indexes there); autogenerate sees them as indexes to remove."""
    return (
        isinstance(difference, tuple)
        and difference[0] == "remove_index"
        and getattr(difference[1], "name", None) in TRIGRAM_INDEXES
    )


@pytest.mark.postgres
async def test_upgrading_a_database_made_before_moderation_keeps_every_row(empty_database: str) -> None:
    """The upgrade path an embedded (SQLite) deployment takes: nothing that points at `groups`
    may be lost when a migration alters that table (a copy-and-drop would cascade)."""
    db = Database(empty_database)
    try:
        await db.upgrade("0002")
        async with db.engine.begin() as conn:
            for sql in (
                "INSERT INTO users (email, password_hash, display_name, role, created_at) "
                "VALUES ('ann@example.org', 'x', 'Ann', 'admin', CURRENT_TIMESTAMP)",
                "INSERT INTO groups (name, description, guidelines, guidelines_version, created_at) "
                "VALUES ('Old', '', 'Be kind.', 1, CURRENT_TIMESTAMP)",
                "INSERT INTO group_roles (group_id, user_id, role, created_at) "
                "VALUES (1, 1, 'host', CURRENT_TIMESTAMP)",
                "INSERT INTO guidelines_acceptances (group_id, user_id, version, accepted_at) "
                "VALUES (1, 1, 1, CURRENT_TIMESTAMP)",
                "INSERT INTO meetings (group_id, title, starts_at, ends_at, state, created_at) "
                "VALUES (1, 'Tuesday', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'scheduled', CURRENT_TIMESTAMP)",
            ):
                await conn.execute(sa.text(sql))
        await db.upgrade()
        async with db.engine.connect() as conn:
            counts = [
                (await conn.execute(sa.select(sa.func.count()).select_from(sa.table(table)))).scalar_one()
                for table in ("groups", "group_roles", "guidelines_acceptances", "meetings")
            ]
        assert counts == [1, 1, 1, 1]
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
        assert await db.current_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
    finally:
        await db.close()


@pytest.mark.postgres
async def test_groups_and_meetings_made_before_scheduling_get_the_directory_defaults(
    empty_database: str,
) -> None:
    db = Database(empty_database)
    try:
        await db.upgrade("0003")
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text(
                    "INSERT INTO groups (name, description, guidelines, guidelines_version, created_at) "
                    "VALUES ('Old', '', 'Be kind.', 1, CURRENT_TIMESTAMP)"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO meetings (title, starts_at, ends_at, group_id, state, created_at) "
                    "VALUES ('Tue', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 1, 'scheduled', CURRENT_TIMESTAMP)"
                )
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO moderation_events (action, reason, group_id, meeting_id, created_at) "
                    "VALUES ('end_meeting', '', 1, 1, CURRENT_TIMESTAMP)"
                )
            )
        await db.upgrade("0004")
        async with db.engine.connect() as conn:
            group = (
                await conn.execute(
                    sa.text(
                        "SELECT style, credential, language, size_limit, visibility, visitors_allowed, "
                        "archived_at FROM groups"
                    )
                )
            ).one()
            topics = (await conn.execute(sa.text("SELECT group_id, topic FROM group_topics"))).all()
            meeting = (
                await conn.execute(
                    sa.text("SELECT series_id, original_start, timezone, overridden FROM meetings")
                )
            ).one()
        assert tuple(group) == ("peer", None, "en", 12, "listed", True, None)
        assert [tuple(t) for t in topics] == [(1, "wellness")]
        assert tuple(meeting) == (None, None, "UTC", False)
        async with db.engine.begin() as conn:  # and back
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0003"))
        async with db.engine.connect() as conn:
            columns = {
                c["name"] for c in await conn.run_sync(lambda c: sa.inspect(c).get_columns("meetings"))
            }
        assert "series_id" not in columns
        await db.upgrade()
    finally:
        await db.close()


ROWS_0006 = (  # three people, a group, a cancelled meeting, its notices, a visit, a request
    "INSERT INTO users (email, password_hash, display_name, role, created_at) VALUES "
    "('ann@example.org', 'x', 'Ann', 'member', CURRENT_TIMESTAMP), "
    "('bo@example.org', 'x', 'Bo', 'member', CURRENT_TIMESTAMP), "
    "('cy@example.org', 'x', 'Cy', 'member', CURRENT_TIMESTAMP)",
    "INSERT INTO groups (name, description, guidelines, guidelines_version, created_at) "
    "VALUES ('Old', '', 'Be kind.', 1, CURRENT_TIMESTAMP)",
    "INSERT INTO group_roles (group_id, user_id, role, created_at) "
    "VALUES (1, 1, 'host', CURRENT_TIMESTAMP), (1, 2, 'member', CURRENT_TIMESTAMP)",
    "INSERT INTO meetings (group_id, title, starts_at, ends_at, state, created_at) "
    "VALUES (1, 'Tue', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'cancelled', CURRENT_TIMESTAMP)",
    "INSERT INTO rsvps (meeting_id, user_id, status, created_at) VALUES (1, 2, 'going', CURRENT_TIMESTAMP)",
    "INSERT INTO visits (group_id, user_id, meeting_id, created_at) VALUES (1, 3, 1, CURRENT_TIMESTAMP)",
    "INSERT INTO group_notices (group_id, meeting_id, kind, created_at) "
    "VALUES (1, 1, 'cancelled', CURRENT_TIMESTAMP), (1, NULL, 'archived', CURRENT_TIMESTAMP)",
    "INSERT INTO join_requests (group_id, user_id, created_at) VALUES (1, 3, CURRENT_TIMESTAMP)",
    "INSERT INTO member_prefs (user_id, reminders, reveal_group_name, timezone) "
    "VALUES (2, false, true, 'Europe/Berlin')",
)
TABLES_0006 = (
    "users",
    "groups",
    "group_roles",
    "meetings",
    "rsvps",
    "visits",
    "group_notices",
    "join_requests",
)


@pytest.mark.postgres
async def test_notices_seen_and_targeted_notices_keep_every_row_of_a_0006_database(
    empty_database: str,
) -> None:
    """0007: every table keeps its rows; each account gets preferences (the defaults where it
    had none, its own kept) with its notices seen up to the upgrade; notices address nobody."""
    db = Database(empty_database)
    try:
        await db.upgrade("0006")
        async with db.engine.begin() as conn:
            for sql in ROWS_0006:
                await conn.execute(sa.text(sql))

        async def counts() -> list[int]:
            async with db.engine.connect() as conn:
                return [
                    (await conn.execute(sa.select(sa.func.count()).select_from(sa.table(t)))).scalar_one()
                    for t in TABLES_0006
                ]

        before = await counts()
        assert before == [3, 1, 2, 1, 1, 1, 2, 1]
        await db.upgrade()
        assert await counts() == before
        async with db.engine.connect() as conn:
            prefs = (
                await conn.execute(
                    sa.text(
                        "SELECT user_id, reminders, reveal_group_name, timezone, notices_seen_at IS NOT NULL "
                        "FROM member_prefs ORDER BY user_id"
                    )
                )
            ).all()
            addressed = (await conn.execute(sa.text("SELECT user_id FROM group_notices"))).all()
        assert [tuple(bool(v) if i in (1, 2, 4) else v for i, v in enumerate(row)) for row in prefs] == [
            (1, True, False, None, True),
            (2, False, True, "Europe/Berlin", True),
            (3, True, False, None, True),
        ]
        assert [tuple(row) for row in addressed] == [(None,), (None,)]
        async with db.session() as s:  # what was there before the upgrade is not new
            assert await notices.unread_count(s, user_id=2) == 0

        async with db.engine.begin() as conn:  # and back, and up again
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0006"))
        assert await counts() == before
        async with db.engine.connect() as conn:
            columns = {
                c["name"] for c in await conn.run_sync(lambda c: sa.inspect(c).get_columns("group_notices"))
            }
        assert "user_id" not in columns
        await db.upgrade()
        assert await counts() == before
    finally:
        await db.close()


@pytest.mark.postgres
async def test_directory_indexes_keep_every_row_of_a_0007_database(empty_database: str) -> None:
    """0008 only adds indexes: every table keeps its rows, down and up again; the trigram
    indexes exist on PostgreSQL only (where pg_trgm is available, as on the test server)."""
    db = Database(empty_database)
    try:
        await db.upgrade("0006")
        async with db.engine.begin() as conn:
            for sql in ROWS_0006:
                await conn.execute(sa.text(sql))
        await db.upgrade("0007")

        async def counts() -> list[int]:
            async with db.engine.connect() as conn:
                return [
                    (await conn.execute(sa.select(sa.func.count()).select_from(sa.table(t)))).scalar_one()
                    for t in (*TABLES_0006, "member_prefs")
                ]

        async def indexes() -> set[str]:
            async with db.engine.connect() as conn:
                return await conn.run_sync(
                    lambda c: {
                        i["name"] or ""
                        for table in ("users", "group_roles", "groups")
                        for i in sa.inspect(c).get_indexes(table)
                    }
                )

        before = await counts()
        assert before == [3, 1, 2, 1, 1, 1, 2, 1, 3]
        assert {"ix_users_role", "ix_group_roles_group_id_role", *TRIGRAM_INDEXES}.isdisjoint(await indexes())
        await db.upgrade()
        assert await counts() == before
        expected = {"ix_users_role", "ix_group_roles_group_id_role"}
        if db.dialect == "postgresql":
            expected |= set(TRIGRAM_INDEXES)
        assert expected <= await indexes()
        if db.dialect == "postgresql":  # and the words filter's ILIKE can use them
            async with db.engine.begin() as conn:
                await conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
                plan = "\n".join(
                    row[0]
                    for row in await conn.exec_driver_sql(
                        "EXPLAIN SELECT id FROM groups WHERE name ILIKE '%old%' OR description ILIKE '%old%'"
                    )
                )
            assert "ix_groups_name_trgm" in plan
            assert "ix_groups_description_trgm" in plan

        async with db.engine.begin() as conn:  # and back, and up again
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0007"))
        assert await counts() == before
        assert expected.isdisjoint(await indexes())
        await db.upgrade()
        assert await counts() == before
        assert expected <= await indexes()
    finally:
        await db.close()
