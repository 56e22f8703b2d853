"""Meetings past their end are closed by the sweep, exactly once even with several processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from group_helpers import as_user, people
from sqlmodel import col
from support import App

from meeting.context import Hearth
from meeting.groups.models import Meeting
from meeting.live import end_overdue_meetings

pytestmark = pytest.mark.postgres


async def test_overdue_meetings_are_ended_once(app: App) -> None:
    await people(app)
    await as_user(app, "ada@example.org")
    group = (await app.client.post("/api/v1/groups", json={"name": "Late", "description": "x"})).json()
    now = datetime.now(UTC)
    body = {
        "title": "Ran over",
        "starts_at": now.isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat(),
    }
    meeting = (await app.client.post(f"/api/v1/groups/{group['id']}/meetings", json=body)).json()
    hearth: Hearth = app.client._transport.app.state.hearth  # type: ignore[attr-defined]
    assert await end_overdue_meetings(hearth) == []  # still running
    async with hearth.db.engine.begin() as conn:
        overdue = sa.update(Meeting).where(col(Meeting.id) == meeting["id"])
        await conn.execute(overdue.values(ends_at=now - timedelta(minutes=1)))
    assert await end_overdue_meetings(hearth) == []  # in its grace period (HEARTH_ROOM_GRACE_MINUTES)
    grace = timedelta(minutes=hearth.settings.room_grace_minutes)
    async with hearth.db.engine.begin() as conn:
        await conn.execute(overdue.values(ends_at=now - grace - timedelta(minutes=1)))
    assert await end_overdue_meetings(hearth) == [meeting["id"]]
    assert await end_overdue_meetings(hearth) == []  # another process finds nothing left to do
    state = (await app.client.get(f"/api/v1/meetings/{meeting['id']}")).json()["state"]
    assert state == "ended"
