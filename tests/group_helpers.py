"""Helpers shared by the group, meeting and gate tests: people with roles, groups, meetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from support import App

from meeting.db import Database

ADMIN = "ada@example.org"
HOST = "hal@example.org"
MEMBER = "mo@example.org"
OTHER = "oz@example.org"


async def set_platform_role(app: App, email: str, role: str) -> None:
    """Change an account's platform role directly (as `hearth user create --role` would)."""
    db = Database(app.settings.database_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(
                sa.text("UPDATE users SET role = :role WHERE email = :email"), {"role": role, "email": email}
            )
    finally:
        await db.close()


async def people(app: App) -> dict[str, int]:
    """Register an admin (the first account), a platform host, and two plain members."""
    ids: dict[str, int] = {}
    for email, name in ((ADMIN, "Ada"), (HOST, "Hal"), (MEMBER, "Mo"), (OTHER, "Oz")):
        r = await app.register(email, name=name)
        assert r.status_code == 201, r.text
        ids[email] = r.json()["id"]
    await set_platform_role(app, HOST, "host")
    return ids


async def as_user(app: App, email: str) -> None:
    r = await app.log_in(email)
    assert r.status_code == 200, r.text


async def new_group(app: App, **body: Any) -> dict[str, Any]:
    """Create a group as whoever is logged in; asserts success."""
    r = await app.client.post(
        "/api/v1/groups", json={"name": "Grief circle", "description": "Weekly."} | body
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def iso(when: datetime) -> str:
    return when.isoformat()


def soon(minutes: float = 60) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=minutes)


async def new_meeting(
    app: App, group_id: int, *, start_in: float = 60, length: float = 60, title: str = "Tuesday"
) -> httpx.Response:
    starts = soon(start_in)
    body = {"title": title, "starts_at": iso(starts), "ends_at": iso(starts + timedelta(minutes=length))}
    return await app.client.post(f"/api/v1/groups/{group_id}/meetings", json=body)


async def count_rows(app: App, table: str, **where: int) -> int:
    clause = " AND ".join(f"{k} = :{k}" for k in where) or "1 = 1"
    db = Database(app.settings.database_url)
    try:
        async with db.engine.connect() as conn:
            result = await conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {clause}"), where)  # noqa: S608
            return int(result.scalar_one())
    finally:
        await db.close()
