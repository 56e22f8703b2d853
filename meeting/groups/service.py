"""What people can do with groups and meetings: create, edit, archive, join, accept
guidelines, add facilitators and co-hosts, schedule one-off meetings, open and end them.
Series and their occurrences are in `meeting.groups.series`, the directory in
`meeting.groups.directory`.

Every function takes an open `AsyncSession` and keyword arguments, checks the caller's
power with `moderation.permissions.may` (so pages and API share one rule set), and raises a
`GroupError` subclass whose message is safe to show. HTTP handlers only translate these.

The person who writes a guidelines version (the creator of a group, or a host rewriting
them) is recorded as having accepted it; everyone else accepts each new version themselves.

This module holds membership (joining, roles, accepting guidelines) and one-off meetings
(scheduling, opening, ending, notices); the checks of who may do what are in
`meeting.groups.access`, a group's own record (create, edit, topics, guidelines text) in
`meeting.groups.profile`. Everything is importable from here.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups.access import (
    ARCHIVE_REFUSED,
    CANCEL_REFUSED,
    COHOST_REFUSED,
    EDIT_REFUSED,
    EXTEND_REFUSED,
    SCHEDULE_REFUSED,
    require,
    require_active,
    role_in,
)
from meeting.groups.errors import (
    Forbidden,
    GroupArchived,
    GroupError,
    GuidelinesChanged,
    InvalidInput,
    MeetingCancelled,
    MeetingEnded,
    MeetingStarted,
    NotFound,
    invalid,
)
from meeting.groups.fields import DIRECTORY_FIELDS, check_times, check_timezone, clean_line, clean_text
from meeting.groups.models import (
    TITLE_MAX,
    Group,
    GroupNotice,
    GroupRole,
    GroupRoleName,
    GuidelinesAcceptance,
    Meeting,
    MeetingState,
    NoticeKind,
)
from meeting.groups.profile import (
    all_groups,
    create_group,
    get_group,
    topics_of,
    update_group,
    update_guidelines,
)
from meeting.groups.window import DEFAULT_WINDOW, RoomStatus, RoomWindow
from moderation.permissions import Action

__all__ = [
    "ARCHIVE_REFUSED",
    "CANCEL_REFUSED",
    "COHOST_REFUSED",
    "DIRECTORY_FIELDS",
    "EDIT_REFUSED",
    "EXTEND_REFUSED",
    "PRIVATE_GROUP",
    "SCHEDULE_REFUSED",
    "Forbidden",
    "GroupArchived",
    "GroupError",
    "GuidelinesChanged",
    "InvalidInput",
    "MeetingCancelled",
    "MeetingEnded",
    "MeetingStarted",
    "NotFound",
    "accept_guidelines",
    "accepted_version",
    "add_cohost",
    "all_groups",
    "assign_facilitator",
    "check_times",
    "check_timezone",
    "clean_line",
    "clean_text",
    "create_group",
    "create_meeting",
    "end_meeting",
    "find_user",
    "get_group",
    "get_meeting",
    "groups_of",
    "invalid",
    "join_group",
    "meetings_of",
    "member_status",
    "open_meeting",
    "record_notice",
    "require",
    "require_active",
    "role_in",
    "runners_of",
    "status_of",
    "topics_of",
    "update_group",
    "update_guidelines",
]

# --- membership ---------------------------------------------------------------------------------


async def runners_of(s: AsyncSession, *, group_id: int) -> list[tuple[int, str, GroupRoleName]]:
    """The group's hosts and facilitators as (user id, display name, role): hosts first, by name."""
    query = (
        select(User.id, User.display_name, GroupRole.role)
        .join(GroupRole, col(GroupRole.user_id) == col(User.id))
        .where(col(GroupRole.group_id) == group_id)
        .where(col(GroupRole.role).in_([GroupRoleName.host.value, GroupRoleName.facilitator.value]))
    )
    rows = [(int(uid or 0), name, GroupRoleName(role)) for uid, name, role in (await s.exec(query)).all()]
    return sorted(rows, key=lambda row: (row[2] != GroupRoleName.host, row[1].casefold(), row[0]))


async def add_cohost(s: AsyncSession, *, group: Group, actor: User, user_id: int) -> GroupRole:
    """Make `user_id` a host of `group` (joining them if need be), with the powers of its creator."""
    assert group.id is not None
    await require(s, action=Action.assign_facilitator, user=actor, group_id=group.id, refusal=COHOST_REFUSED)
    if await s.get(User, user_id) is None:
        raise NotFound(f"No account with id {user_id}.", field="user_id")
    values = {"group_id": group.id, "user_id": user_id, "role": GroupRoleName.host.value}
    await _insert_ignore(s, GroupRole, created_at=utcnow(), **values)
    await s.exec(
        sa.update(GroupRole)
        .where(col(GroupRole.group_id) == group.id, col(GroupRole.user_id) == user_id)
        .values(role=GroupRoleName.host.value)
    )
    return await _membership(s, group_id=group.id, user_id=user_id)


PRIVATE_GROUP = "This group is private: ask to join, and a host or facilitator will let you in."


async def join_group(s: AsyncSession, *, group: Group, user: User) -> GroupRole:
    """Make `user` a member of `group`. Idempotent: an existing role is kept as it is."""
    assert group.id is not None
    assert user.id is not None
    await require(s, action=Action.join_group, user=user, group_id=group.id)
    if group.visibility == "private" and await role_in(s, group_id=group.id, user_id=user.id) is None:
        raise Forbidden(PRIVATE_GROUP)
    values = {"group_id": group.id, "user_id": user.id, "role": GroupRoleName.member.value}
    await _insert_ignore(s, GroupRole, created_at=utcnow(), **values)
    return await _membership(s, group_id=group.id, user_id=user.id)


async def assign_facilitator(s: AsyncSession, *, group: Group, actor: User, user_id: int) -> GroupRole:
    """Make `user_id` a facilitator of `group` (joining them if need be); a host stays host."""
    assert group.id is not None
    await require(s, action=Action.assign_facilitator, user=actor, group_id=group.id)
    if await s.get(User, user_id) is None:
        raise NotFound(f"No account with id {user_id}.", field="user_id")
    values = {"group_id": group.id, "user_id": user_id, "role": GroupRoleName.facilitator.value}
    await _insert_ignore(s, GroupRole, created_at=utcnow(), **values)
    await s.exec(
        sa.update(GroupRole)
        .where(col(GroupRole.group_id) == group.id, col(GroupRole.user_id) == user_id)
        .where(col(GroupRole.role) == GroupRoleName.member.value)
        .values(role=GroupRoleName.facilitator.value)
    )
    return await _membership(s, group_id=group.id, user_id=user_id)


async def find_user(s: AsyncSession, *, email: str) -> User:
    """The account with this email (for hosts assigning facilitators by email), or `NotFound`."""
    user = (await s.exec(select(User).where(col(User.email) == email.strip().lower()))).first()
    if user is None:
        raise NotFound("No account uses that email address.", field="email")
    return user


async def accept_guidelines(
    s: AsyncSession, *, group: Group, user: User, version: int
) -> GuidelinesAcceptance:
    """Record that `user` accepted `version`, which must be the current one (`GuidelinesChanged`)."""
    assert group.id is not None
    assert user.id is not None
    await require(s, action=Action.accept_guidelines, user=user, group_id=group.id)
    if version != group.guidelines_version:
        raise GuidelinesChanged(group.guidelines_version)
    values = {"group_id": group.id, "user_id": user.id, "version": version}
    await _insert_ignore(s, GuidelinesAcceptance, accepted_at=utcnow(), **values)
    row = await s.get(GuidelinesAcceptance, (group.id, user.id, version), populate_existing=True)
    assert row is not None
    return row


async def accepted_version(s: AsyncSession, *, group_id: int, user_id: int) -> int | None:
    """The newest guidelines version `user_id` accepted in `group_id`, or None."""
    query = select(func.max(GuidelinesAcceptance.version)).where(
        col(GuidelinesAcceptance.group_id) == group_id, col(GuidelinesAcceptance.user_id) == user_id
    )
    return (await s.exec(query)).one()


async def groups_of(s: AsyncSession, *, user_id: int) -> list[tuple[Group, GroupRoleName]]:
    """The groups `user_id` has a role in, with that role, by name."""
    query = (
        select(Group, GroupRole.role)
        .join(GroupRole, col(GroupRole.group_id) == col(Group.id))
        .where(col(GroupRole.user_id) == user_id)
        .order_by(col(Group.name))
    )
    return [(group, GroupRoleName(role)) for group, role in (await s.exec(query)).all()]


async def _membership(s: AsyncSession, *, group_id: int, user_id: int) -> GroupRole:
    row = await s.get(GroupRole, (group_id, user_id), populate_existing=True)
    assert row is not None
    return row


async def _insert_ignore(s: AsyncSession, table: type[SQLModel], **values: Any) -> None:
    """INSERT that does nothing when the primary key exists: idempotent under concurrency too."""
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await s.exec(insert(table).values(**values).on_conflict_do_nothing())


# --- one-off meetings ---------------------------------------------------------------------------


async def record_notice(
    s: AsyncSession,
    *,
    group_id: int,
    kind: NoticeKind | str,
    meeting_id: int | None = None,
    previous_starts_at: datetime | None = None,
    now: datetime | None = None,
) -> GroupNotice:
    """Write something members should be told (shown by the attendance feed to those who
    RSVPed to `meeting_id`, or to the group's members when it is None)."""
    notice = GroupNotice(
        group_id=group_id,
        meeting_id=meeting_id,
        kind=NoticeKind(kind),
        previous_starts_at=previous_starts_at,
        created_at=now or utcnow(),
    )
    s.add(notice)
    await s.flush()
    return notice


async def create_meeting(
    s: AsyncSession,
    *,
    group: Group,
    actor: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str = "UTC",
    now: datetime | None = None,
) -> Meeting:
    """Schedule a one-off meeting; times must be timezone-aware, are stored in UTC, and must
    end later, within 24 hours; `timezone` (IANA) is the zone it is shown in by default."""
    assert group.id is not None
    await require(s, action=Action.create_meeting, user=actor, group_id=group.id)
    require_active(group)
    check_times(starts_at, ends_at, now=now or utcnow())
    meeting = Meeting(
        group_id=group.id,
        title=clean_line(title, field="title", label="The title", most=TITLE_MAX),
        starts_at=starts_at.astimezone(UTC),
        ends_at=ends_at.astimezone(UTC),
        timezone=check_timezone(timezone),
    )
    s.add(meeting)
    await s.flush()
    return meeting


async def get_meeting(s: AsyncSession, *, meeting_id: int) -> Meeting:
    meeting = await s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"No meeting with id {meeting_id}.")
    return meeting


def status_of(meeting: Meeting, *, now: datetime, window: RoomWindow = DEFAULT_WINDOW) -> RoomStatus:
    """Whether `meeting`'s room is "not_yet" open, "open", "ended" or "cancelled" at `now`."""
    return window.status(meeting, now=now)


def member_status(room: RoomStatus) -> str:
    """What members are told of a meeting: scheduled, open, ended or cancelled."""
    return "scheduled" if room == "not_yet" else room


async def open_meeting(
    s: AsyncSession,
    *,
    meeting: Meeting,
    actor: User,
    now: datetime | None = None,
    window: RoomWindow = DEFAULT_WINDOW,
) -> Meeting:
    """Open the room now, even before its usual window; `MeetingEnded` once it is over,
    `MeetingCancelled` if it was cancelled."""
    await require(s, action=Action.open_meeting, user=actor, group_id=meeting.group_id)
    now = now or utcnow()
    status = status_of(meeting, now=now, window=window)
    if status == "cancelled":
        raise MeetingCancelled("This meeting was cancelled; its room does not open.")
    if status == "ended":
        raise MeetingEnded("This meeting has already ended; it cannot be opened again.")
    if meeting.state != MeetingState.open:
        meeting.state, meeting.opened_at = MeetingState.open, now
        s.add(meeting)
        await s.flush()
    return meeting


async def end_meeting(
    s: AsyncSession, *, meeting: Meeting, actor: User, now: datetime | None = None
) -> Meeting:
    """End the meeting for everyone (idempotent; a cancelled meeting stays cancelled); its room
    admits nobody afterwards."""
    await require(s, action=Action.end_meeting, user=actor, group_id=meeting.group_id)
    if meeting.state not in (MeetingState.ended, MeetingState.cancelled):
        meeting.state, meeting.ended_at = MeetingState.ended, min(now or utcnow(), meeting.ends_at)
        s.add(meeting)
        await s.flush()
    return meeting


async def meetings_of(s: AsyncSession, *, group_id: int) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(col(Meeting.group_id) == group_id)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    return list((await s.exec(query)).all())
