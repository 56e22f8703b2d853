"""Who came: recording that someone entered a meeting's room, and the numbers hosts see.

`Attendance` rows say that someone entered, and when; the figures for each occurrence are
counts only (RSVPs, the waitlist, who came, no-shows, visitors), never names or words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.attendance.models import Attendance, Rsvp, RsvpStatus, Visit
from meeting.attendance.seats import insert_ignore, is_over
from meeting.db import utcnow
from meeting.groups.models import Meeting, MeetingState


async def record_attendance(
    s: AsyncSession, *, meeting_id: int, user_id: int, now: datetime | None = None
) -> None:
    """Record that `user_id` entered `meeting_id`'s room (idempotent: the first entry stands);
    a visitor's pass counts as used. The gate calls this on admission."""
    now = now or utcnow()
    await insert_ignore(s, Attendance, meeting_id=meeting_id, user_id=user_id, joined_at=now)
    await s.exec(
        sa.update(Visit)
        .where(col(Visit.user_id) == user_id, col(Visit.meeting_id) == meeting_id)
        .where(col(Visit.used_at).is_(None))
        .values(used_at=now)
    )


@dataclass(frozen=True)
class Figures:
    """Numbers for one occurrence, never names or words: RSVPs "going" (staff included), the
    waitlist, who entered the room, "going" RSVPs who never entered once the meeting is over
    (None before), and visitors among the "going" RSVPs and among those who came."""

    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    rsvp_going: int
    waitlist: int
    attended: int
    no_shows: int | None
    visitors: int
    visitors_attended: int


async def _rsvp_counts(s: AsyncSession, ids: list[int]) -> dict[int, tuple[int, ...]]:
    """Per meeting: going, waiting, going but never came, visitors going, visitors who came."""
    came = (
        select(Attendance.user_id)
        .where(
            col(Attendance.meeting_id) == col(Rsvp.meeting_id), col(Attendance.user_id) == col(Rsvp.user_id)
        )
        .exists()
    )
    going = col(Rsvp.status) == RsvpStatus.going.value
    conn = await s.connection()  # six columns: more than sqlmodel's `select` types
    rows = (
        await conn.execute(
            sa.select(
                col(Rsvp.meeting_id),
                func.count().filter(going),
                func.count().filter(col(Rsvp.status) == RsvpStatus.waitlist.value),
                func.count().filter(going, ~came),
                func.count().filter(going, col(Rsvp.visitor)),
                func.count().filter(going, col(Rsvp.visitor), came),
            )
            .where(col(Rsvp.meeting_id).in_(ids))
            .group_by(col(Rsvp.meeting_id))
        )
    ).all()
    return {int(row[0]): tuple(int(n) for n in row[1:]) for row in rows}


async def figures(
    s: AsyncSession, *, meetings: Sequence[Meeting], now: datetime | None = None
) -> list[Figures]:
    """`Figures` for each of `meetings`, in the same order, in three grouped queries."""
    now = now or utcnow()
    ids = [m.id for m in meetings if m.id is not None]
    if not ids:
        return []
    by_meeting = await _rsvp_counts(s, ids)
    attended_rows = (
        await s.exec(
            select(Attendance.meeting_id, func.count())
            .where(col(Attendance.meeting_id).in_(ids))
            .group_by(col(Attendance.meeting_id))
        )
    ).all()
    attended = {int(m): int(n) for m, n in attended_rows}
    out = []
    for m in meetings:
        assert m.id is not None
        going_n, waiting, missed, visitors, visitors_came = by_meeting.get(m.id, (0, 0, 0, 0, 0))
        over = m.state != MeetingState.cancelled and is_over(m, now=now)
        out.append(
            Figures(
                meeting_id=m.id,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                state=str(m.state),
                rsvp_going=going_n,
                waitlist=waiting,
                attended=attended.get(m.id, 0),
                no_shows=missed if over else None,
                visitors=visitors,
                visitors_attended=visitors_came,
            )
        )
    return out


async def meetings_between(
    s: AsyncSession, *, group_id: int, start: datetime, end: datetime
) -> list[Meeting]:
    """A group's occurrences starting in [start, end), oldest first (at most 1,000)."""
    query = (
        select(Meeting)
        .where(
            col(Meeting.group_id) == group_id, col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(1000)
    )
    return list((await s.exec(query)).all())
