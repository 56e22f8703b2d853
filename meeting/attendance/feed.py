"""The member's own meetings ("My meetings"): the occurrences they RSVPed to, with their RSVP.

Cancelled occurrences stay in the list until they would have ended, so the member sees that
they were called off; the notices about them are in `meeting.attendance.notices`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.attendance.models import Rsvp
from meeting.attendance.rsvps import RsvpView, view_of
from meeting.attendance.seats import seats_taken
from meeting.db import utcnow
from meeting.groups.models import Group, Meeting


@dataclass(frozen=True)
class MyMeeting:
    meeting: Meeting
    group: Group
    rsvp: RsvpView


async def my_meetings(
    s: AsyncSession, *, user_id: int, now: datetime | None = None, since: timedelta = timedelta(0)
) -> list[MyMeeting]:
    """The occurrences `user_id` RSVPed to that end after `now - since`, soonest first, with
    their RSVP (cancelled ones included, so the member sees they were called off)."""
    now = now or utcnow()
    rows = (
        await s.exec(
            select(Rsvp, Meeting, Group)
            .join(Meeting, col(Meeting.id) == col(Rsvp.meeting_id))
            .join(Group, col(Group.id) == col(Meeting.group_id))
            .where(col(Rsvp.user_id) == user_id, col(Meeting.ends_at) > now - since)
            .order_by(col(Meeting.starts_at), col(Meeting.id))
            .limit(500)
        )
    ).all()
    taken = await seats_taken(s, meeting_ids=[m.id for _, m, _ in rows if m.id is not None])
    out = []
    for row, meeting, group in rows:
        assert meeting.id is not None
        view = await view_of(s, row, group, taken=taken.get(meeting.id, 0))
        out.append(MyMeeting(meeting, group, view))
    return out
