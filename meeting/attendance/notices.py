"""A member's notices: what they should be told, which of it is new to them, and marking it seen.

A member sees a `GroupNotice` when it is about a meeting they RSVPed to, when it is group-wide
(no meeting) and they had a role in the group when it was written, or when it is addressed
to them (`user_id`: a seat on a waitlist opened up for them, kind `PROMOTED`). After a visit,
an invitation to join the group is shown among the notices too (`visit_invitations`).

Notices written after `MemberPrefs.notices_seen_at` are new. `unread_count` runs on every
page a signed-in member opens, so each of its parts starts from an index on the member's own
rows (their RSVPs, roles, visits, or the notices addressed to them) and reads only notices
written after that time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import Select

from meeting.attendance.models import MemberPrefs, Rsvp, Visit
from meeting.db import utcnow
from meeting.groups.models import Group, GroupNotice, GroupRole, Meeting, MeetingState, NoticeKind

PROMOTED = NoticeKind.promoted


async def record_promotions(
    s: AsyncSession, *, meeting: Meeting, user_ids: Sequence[int], now: datetime
) -> None:
    """Tell each of `user_ids`, and only them, that a seat on `meeting` opened up for them."""
    for user_id in user_ids:
        s.add(
            GroupNotice(
                group_id=meeting.group_id,
                meeting_id=meeting.id,
                user_id=user_id,
                kind=PROMOTED,
                created_at=now,
            )
        )
    await s.flush()


def _visible(user_id: int, *, after: datetime | None = None) -> sa.CompoundSelect[int]:
    """The ids of the notices `user_id` sees (written after `after`), one index-led part each."""
    addressed = select(GroupNotice.id).where(col(GroupNotice.user_id) == user_id)
    rsvped = (
        select(GroupNotice.id)
        .join(Rsvp, col(Rsvp.meeting_id) == col(GroupNotice.meeting_id))
        .where(col(Rsvp.user_id) == user_id, col(GroupNotice.user_id).is_(None))
    )
    member = (
        select(GroupNotice.id)
        .join(GroupRole, col(GroupRole.group_id) == col(GroupNotice.group_id))
        .where(col(GroupRole.user_id) == user_id, col(GroupRole.created_at) <= col(GroupNotice.created_at))
        .where(col(GroupNotice.meeting_id).is_(None), col(GroupNotice.user_id).is_(None))
    )
    parts = [addressed, rsvped, member]
    if after is not None:
        parts = [part.where(col(GroupNotice.created_at) > after) for part in parts]
    return sa.union_all(*parts)


async def notices_for(
    s: AsyncSession, *, user_id: int, limit: int = 50
) -> list[tuple[GroupNotice, Meeting | None, Group]]:
    """What `user_id` should be told (see the module doc), newest first."""
    query = (
        select(GroupNotice, Meeting, Group)
        .join(Group, col(Group.id) == col(GroupNotice.group_id))
        .outerjoin(Meeting, col(Meeting.id) == col(GroupNotice.meeting_id))
        .where(col(GroupNotice.id).in_(_visible(user_id)))
        .order_by(col(GroupNotice.created_at).desc(), col(GroupNotice.id).desc())
        .limit(limit)
    )
    return [(n, m, g) for n, m, g in (await s.exec(query)).all()]


def invitation_time() -> sa.ColumnElement[datetime]:
    """When a visit's invitation was written: when its meeting ended."""
    return sa.func.coalesce(col(Meeting.ended_at), col(Meeting.ends_at))


def _invitations(user_id: int, *, now: datetime) -> Select[Visit, Meeting, Group]:
    member = (
        select(GroupRole.user_id)
        .where(col(GroupRole.group_id) == col(Visit.group_id), col(GroupRole.user_id) == col(Visit.user_id))
        .exists()
    )
    return (
        select(Visit, Meeting, Group)
        .join(Meeting, col(Meeting.id) == col(Visit.meeting_id))
        .join(Group, col(Group.id) == col(Visit.group_id))
        .where(col(Visit.user_id) == user_id, col(Visit.used_at).is_not(None), ~member)
        .where(col(Group.archived_at).is_(None))
        .where(sa.or_(col(Meeting.state) == MeetingState.ended.value, col(Meeting.ends_at) <= now))
    )


async def visit_invitations(
    s: AsyncSession, *, user_id: int, now: datetime | None = None
) -> list[tuple[Visit, Meeting, Group]]:
    """Visits whose meeting is over and whose visitor has not joined since: each is an
    invitation to join the group (shown among the member's notices)."""
    rows = (await s.exec(_invitations(user_id, now=now or utcnow()))).all()
    return [(v, m, g) for v, m, g in rows]


async def seen_up_to(s: AsyncSession, *, user_id: int) -> datetime | None:
    """When the member last looked at their notices (None: never)."""
    query = select(MemberPrefs.notices_seen_at).where(col(MemberPrefs.user_id) == user_id)
    return (await s.exec(query)).first()


def is_new(written: datetime, seen: datetime | None) -> bool:
    """Whether a notice written at `written` is new to a member who saw theirs up to `seen`."""
    return seen is None or written > seen


async def unread_count(s: AsyncSession, *, user_id: int, now: datetime | None = None) -> int:
    """How many of the member's notices (invitations included) are new to them."""
    seen = await seen_up_to(s, user_id=user_id)
    invited = _invitations(user_id, now=now or utcnow()).with_only_columns(col(Visit.group_id))
    if seen is not None:
        invited = invited.where(invitation_time() > seen)
    parts = sa.union_all(*_visible(user_id, after=seen).selects, invited).subquery()
    return int((await s.exec(select(func.count()).select_from(parts))).one())


async def mark_seen(s: AsyncSession, *, user_id: int, up_to: datetime) -> None:
    """Record that the member has seen their notices up to `up_to` (never moves back)."""
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(MemberPrefs).values(user_id=user_id, notices_seen_at=up_to)
    current, given = col(MemberPrefs.notices_seen_at), statement.excluded.notices_seen_at
    later = sa.case((sa.or_(current.is_(None), current < given), given), else_=current)
    await s.exec(statement.on_conflict_do_update(index_elements=["user_id"], set_={"notices_seen_at": later}))
