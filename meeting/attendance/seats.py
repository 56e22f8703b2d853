"""Seats of an occurrence: who takes one, how many are taken and left, and the lock every
change to an occurrence's RSVPs takes first.

A group's `size_limit` caps the "going" RSVPs of each occurrence, not counting its hosts,
facilitators and platform admins (who are always "going"). Every change to an occurrence's
RSVPs first locks its meeting row (`SELECT … FOR UPDATE` on PostgreSQL, a write on SQLite,
which serialises writers), so two people can never both take the last seat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import Role, User
from meeting.attendance.errors import Unavailable
from meeting.attendance.models import Rsvp, RsvpStatus
from meeting.groups import service as groups
from meeting.groups.models import Group, GroupRole, GroupRoleName, Meeting, MeetingState
from moderation.permissions import Standing, standing

STAFF_ROLES = (GroupRoleName.host.value, GroupRoleName.facilitator.value)


def is_staff(*, platform_role: str, group_role: str | None) -> bool:
    """Facilitators, hosts and admins: always "going", never counted against the size limit."""
    return standing(platform_role=platform_role, group_role=group_role) >= Standing.facilitator


def _counted() -> sa.ColumnElement[bool]:
    """RSVPs that take a seat: not an admin's, not the group's hosts' or facilitators'."""
    staff = (
        select(GroupRole.user_id)
        .join(Meeting, col(Meeting.group_id) == col(GroupRole.group_id))
        .where(col(Meeting.id) == col(Rsvp.meeting_id), col(GroupRole.user_id) == col(Rsvp.user_id))
        .where(col(GroupRole.role).in_(STAFF_ROLES))
    )
    admins = select(User.id).where(col(User.id) == col(Rsvp.user_id), col(User.role) == Role.admin.value)
    return sa.and_(~staff.exists(), ~admins.exists())


async def seats_taken(s: AsyncSession, *, meeting_ids: Sequence[int]) -> dict[int, int]:
    """How many seats each meeting's "going" RSVPs take (staff aside)."""
    if not meeting_ids:
        return {}
    query = (
        select(Rsvp.meeting_id, func.count())
        .where(col(Rsvp.meeting_id).in_(list(meeting_ids)), col(Rsvp.status) == RsvpStatus.going.value)
        .where(_counted())
        .group_by(col(Rsvp.meeting_id))
    )
    found = {int(m): int(n) for m, n in (await s.exec(query)).all()}
    return {m: found.get(m, 0) for m in meeting_ids}


def seats_left(group: Group, taken: int) -> int:
    """Free seats of an occurrence of `group` whose "going" RSVPs take `taken` seats."""
    return max(0, group.size_limit - taken)


async def lock_meeting(s: AsyncSession, *, meeting_id: int) -> Meeting:
    """The meeting, freshly read and locked until the transaction ends (see the module doc)."""
    if (await s.connection()).dialect.name == "sqlite":  # a write takes SQLite's one write lock
        await s.exec(sa.update(Meeting).where(col(Meeting.id) == meeting_id).values(id=col(Meeting.id)))
    query = (
        select(Meeting)
        .where(col(Meeting.id) == meeting_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    meeting = (await s.exec(query)).first()
    if meeting is None:
        raise groups.NotFound(f"No meeting with id {meeting_id}.")
    return meeting


def is_over(meeting: Meeting, *, now: datetime) -> bool:
    """Whether the occurrence has ended (by a facilitator, or by the clock)."""
    return meeting.state == MeetingState.ended or meeting.ends_at <= now


def check_takes_rsvps(meeting: Meeting, group: Group, *, now: datetime) -> None:
    """Raise `Unavailable` when the occurrence is cancelled, over, or its group archived."""
    if meeting.state == MeetingState.cancelled:
        raise Unavailable("This meeting was cancelled, so it takes no RSVPs.", "meeting_cancelled")
    if group.archived_at is not None:
        raise Unavailable("This group is archived: its meetings take no RSVPs.", "group_archived")
    if is_over(meeting, now=now):
        raise Unavailable("This meeting is over, so it takes no RSVPs.", "meeting_ended")


async def insert_ignore(s: AsyncSession, table: type[SQLModel], **values: Any) -> None:
    """INSERT that does nothing when the primary key exists: idempotent under concurrency."""
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await s.exec(insert(table).values(**values).on_conflict_do_nothing())
