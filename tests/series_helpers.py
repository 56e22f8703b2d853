"""Helpers for the series and directory tests: a settable clock for the scheduling code, series
creation over the API, RSVPs and notices written and read directly in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from support import App

from meeting.db import Database

# Every module that asks the time of day when scheduling, listing or building the directory.
CLOCKED = (
    "meeting.groups.series",
    "meeting.groups.service",
    "meeting.groups.edits",
    "meeting.groups.cancellation",
    "meeting.groups.directory",
    "meeting.api.groups",
    "meeting.api.meetings",
    "meeting.live",  # the app's sweep ends meetings and tops series up by this clock too
)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


def freeze(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Set the scheduling code's notion of now (login sessions keep the real time) to
    2026-01-05 12:00 UTC, a Monday, until a test moves it; use it in a `clock` fixture."""
    found = Clock(datetime(2026, 1, 5, 12, 0, tzinfo=UTC))
    for module in CLOCKED:
        monkeypatch.setattr(f"{module}.utcnow", found)
    return found


async def new_series(app: App, group_id: int, **body: Any) -> httpx.Response:
    return await app.client.post(f"/api/v1/groups/{group_id}/meetings", json={"title": "Circle"} | body)


async def listed(app: App, group_id: int, start: str, end: str) -> list[dict[str, Any]]:
    r = await app.client.get(f"/api/v1/groups/{group_id}/meetings", params={"from": start, "to": end})
    assert r.status_code == 200, r.text
    return list(r.json()["meetings"])


async def sql(app: App, statement: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one SQL statement on the app's database (committed); rows for a SELECT."""
    db = Database(app.settings.database_url)
    try:
        async with db.engine.begin() as conn:
            result = await conn.execute(sa.text(statement), params)
            return [tuple(row) for row in result.all()] if result.returns_rows else []
    finally:
        await db.close()


async def rsvp(app: App, meeting_id: int, user_id: int, status: str = "going") -> None:
    await sql(
        app,
        "INSERT INTO rsvps (meeting_id, user_id, status, visitor, created_at) "
        "VALUES (:m, :u, :s, :v, CURRENT_TIMESTAMP)",
        m=meeting_id,
        u=user_id,
        s=status,
        v=False,
    )


async def notices(app: App, group_id: int) -> list[tuple[str, int | None]]:
    """The group's notices as (kind, meeting id), oldest first."""
    rows = await sql(
        app, "SELECT kind, meeting_id FROM group_notices WHERE group_id = :g ORDER BY id", g=group_id
    )
    return [(str(kind), None if mid is None else int(mid)) for kind, mid in rows]
