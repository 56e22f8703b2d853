"""Cancelling meetings: one that has not started (`cancel_meeting`), or every meeting still to
come when a group is archived (`archive_group`).

    await cancel_meeting(s, meeting=m, actor=facilitator)     # idempotent
    group, cancelled_ids = await archive_group(s, group=g, actor=host)

A cancelled occurrence becomes an exdate of its series; members are told with notices.
`now` defaults to the current time (`meeting.db.utcnow`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.models import Group, Meeting, MeetingState, NoticeKind
from meeting.groups.occurrences import sync_exdates
from meeting.groups.window import DEFAULT_WINDOW, RoomWindow
from moderation.permissions import Action


async def cancel_meeting(
    s: AsyncSession,
    *,
    meeting: Meeting,
    actor: User,
    now: datetime | None = None,
    window: RoomWindow = DEFAULT_WINDOW,
) -> Meeting:
    """Cancel a meeting that has not started (idempotent): its room never opens, an occurrence
    becomes an exdate of its series, and a "cancelled" notice is recorded."""
    now = now or utcnow()
    await service.require(
        s, action=Action.end_meeting, user=actor, group_id=meeting.group_id, refusal=service.CANCEL_REFUSED
    )
    if meeting.state == MeetingState.cancelled:
        return meeting
    if meeting.state == MeetingState.ended or service.status_of(meeting, now=now, window=window) == "ended":
        raise service.MeetingEnded("This meeting has already ended; it cannot be cancelled.")
    if meeting.starts_at <= now:
        raise service.MeetingStarted("This meeting has already started; end it instead of cancelling it.")
    meeting.state = MeetingState.cancelled
    s.add(meeting)
    await s.flush()
    if meeting.series_id is not None:
        await sync_exdates(s, meeting.series_id)
    await service.record_notice(
        s, group_id=meeting.group_id, kind=NoticeKind.cancelled, meeting_id=meeting.id, now=now
    )
    return meeting


async def archive_group(
    s: AsyncSession, *, group: Group, actor: User, now: datetime | None = None
) -> tuple[Group, list[int]]:
    """Archive the group (idempotent): it leaves the directory, nothing new is scheduled, and
    every meeting that has not started yet is cancelled. Records an "archived" notice for the
    group and one per cancelled meeting; returns the group and the cancelled meetings' ids."""
    now = now or utcnow()
    assert group.id is not None
    await service.require(
        s, action=Action.edit_guidelines, user=actor, group_id=group.id, refusal=service.ARCHIVE_REFUSED
    )
    if group.archived_at is not None:
        return group, []
    group.archived_at = now
    s.add(group)
    query = (
        select(Meeting)
        .where(col(Meeting.group_id) == group.id, col(Meeting.starts_at) > now)
        .where(col(Meeting.state).in_([MeetingState.scheduled.value, MeetingState.open.value]))
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    cancelled = list((await s.exec(query)).all())
    for meeting in cancelled:
        meeting.state = MeetingState.cancelled
        s.add(meeting)
    await s.flush()
    for series_id in sorted({m.series_id for m in cancelled if m.series_id is not None}):
        await sync_exdates(s, series_id)
    await service.record_notice(s, group_id=group.id, kind=NoticeKind.archived, now=now)
    for meeting in cancelled:
        await service.record_notice(
            s, group_id=group.id, kind=NoticeKind.archived, meeting_id=meeting.id, now=now
        )
    return group, [m.id for m in cancelled if m.id is not None]
