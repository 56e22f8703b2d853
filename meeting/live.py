"""What the app asks of the live room engine: close someone's sockets, end a meeting's room.

Also `end_overdue_meetings`, run by every process: a meeting whose room's closing time (its
`ends_at` plus `HEARTH_ROOM_GRACE_MINUTES`) has passed is marked ended by exactly one of them
(an UPDATE … RETURNING claims it), which then ends its room; cancelled meetings stay
cancelled. The same sweep keeps recurring series materialized weeks ahead
(`meeting.groups.series.top_up`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import col
from starlette.requests import HTTPConnection

from meeting.accounts import sessions
from meeting.context import Hearth, hearth
from meeting.db import utcnow
from meeting.groups import series
from meeting.groups.models import Meeting, MeetingState

log = logging.getLogger("hearth.live")
NOT_LOGGED_IN = 4401
SWEEP_EVERY = 15.0


async def close_live_rooms(
    conn: HTTPConnection, *, user_id: int | None, session_token: str | None = None
) -> None:
    """Close the user's room sockets on every process: one login session's, or all of them."""
    hub = hearth(conn).hub
    if hub is None or user_id is None:
        return
    key = sessions.token_hash(session_token) if session_token else None
    try:
        await hub.kick(user_id=user_id, code=NOT_LOGGED_IN, session_key=key)
    except Exception:  # the broker is down: the sockets' own session checks close them soon
        log.warning("rooms.kick_failed", exc_info=True)


async def end_live_room(h: Hearth, meeting_id: int) -> None:
    """Close a meeting's room for everyone and delete what was held for it."""
    if h.hub is None:
        return
    try:
        await h.hub.end_meeting(meeting_id)
    except Exception:
        log.warning("rooms.end_failed", exc_info=True, extra={"room": meeting_id})


async def end_overdue_meetings(h: Hearth) -> list[int]:
    """Mark meetings past their end and grace period as ended and close their rooms; returns
    their ids."""
    closed_before = utcnow() - timedelta(minutes=h.settings.room_grace_minutes)
    running = [MeetingState.scheduled.value, MeetingState.open.value]
    async with h.db.session() as s:
        result = await s.exec(
            sa.update(Meeting)
            .where(col(Meeting.ends_at) <= closed_before, col(Meeting.state).in_(running))
            .values(state=MeetingState.ended, ended_at=col(Meeting.ends_at))
            .returning(col(Meeting.id))
        )
        ended = [int(i) for i in result.scalars().all()]
    for meeting_id in ended:
        await end_live_room(h, meeting_id)
    return ended


async def top_up_series(h: Hearth) -> int:
    """Materialize recurring series that are running short of future occurrences."""
    async with h.db.session() as s:
        return await series.top_up(s)


async def sweep_meetings(h: Hearth) -> None:
    """Run `end_overdue_meetings` and `top_up_series` every `SWEEP_EVERY` seconds until cancelled."""
    while True:
        try:
            await end_overdue_meetings(h)
        except Exception:
            log.warning("meetings.sweep_failed", exc_info=True)
        try:
            await top_up_series(h)
        except Exception:
            log.warning("series.top_up_failed", exc_info=True)
        await asyncio.sleep(SWEEP_EVERY)
