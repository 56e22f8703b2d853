"""What people can do with groups and meetings: create, join, accept guidelines, schedule.

Every function takes an open `AsyncSession` and keyword arguments, checks the caller's
power with `moderation.permissions.may` (so pages and API share one rule set), and raises a
`GroupError` subclass whose message is safe to show. HTTP handlers only translate these.

The person who writes a guidelines version (the creator of a group, or a host rewriting
them) is recorded as having accepted it; everyone else accepts each new version themselves.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups.models import (
    DEFAULT_GUIDELINES,
    DESCRIPTION_MAX,
    GROUP_NAME_MAX,
    GUIDELINES_MAX,
    TITLE_MAX,
    Group,
    GroupRole,
    GroupRoleName,
    GuidelinesAcceptance,
    Meeting,
    MeetingState,
)
from moderation.entry import RoomStatus, room_status
from moderation.permissions import Action, may


class GroupError(Exception):
    """Base class; `code` is machine-readable, the message is for people."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInput(GroupError):
    code = "invalid_input"


class Forbidden(GroupError):
    code = "forbidden"


class NotFound(GroupError):
    code = "not_found"


class MeetingEnded(GroupError):
    code = "meeting_ended"


class GuidelinesChanged(GroupError):
    code = "guidelines_changed"

    def __init__(self, current_version: int) -> None:
        super().__init__(
            f"The group's guidelines have changed: the current version is {current_version}. "
            f"Please read them again and accept version {current_version}.",
            field="version",
        )
        self.current_version = current_version


_REFUSALS = {
    Action.create_group: "Only hosts and administrators can create groups.",
    Action.create_meeting: "Only this group's host or an administrator can schedule its meetings.",
    Action.assign_facilitator: "Only this group's host or an administrator can assign facilitators.",
    Action.edit_guidelines: "Only this group's host or an administrator can change its guidelines.",
    Action.open_meeting: "Only this group's facilitators, host or an administrator can open its meetings.",
    Action.end_meeting: "Only this group's facilitators, host or an administrator can end its meetings.",
}


def clean_line(raw: str, *, field: str, label: str, most: int) -> str:
    """One line of text: NFC, no control characters, single spaces, 1 to `most` characters."""
    text = unicodedata.normalize("NFC", raw)
    text = re.sub(
        r"\s+", " ", "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    )
    text = text.strip()
    if not 1 <= len(text) <= most:
        raise InvalidInput(f"{label} must be 1 to {most} characters long.", field=field)
    return text


def clean_text(raw: str, *, field: str, label: str, most: int, least: int = 1) -> str:
    """Multi-line text: NFC, newlines kept (as \\n), other control characters dropped."""
    text = unicodedata.normalize("NFC", raw).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t").strip()
    if not least <= len(text) <= most:
        raise InvalidInput(f"{label} must be {least} to {most} characters long.", field=field)
    return text


async def role_in(s: AsyncSession, *, group_id: int, user_id: int) -> GroupRoleName | None:
    """`user_id`'s role in `group_id`, or None when they have none there."""
    row = await s.get(GroupRole, (group_id, user_id))
    return None if row is None else GroupRoleName(row.role)


async def require(s: AsyncSession, *, action: Action, user: User, group_id: int | None) -> None:
    """Raise `Forbidden` unless `user` may take `action` (in `group_id`, if it is group-scoped)."""
    assert user.id is not None
    group_role = None if group_id is None else await role_in(s, group_id=group_id, user_id=user.id)
    if not may(action, platform_role=user.role, group_role=group_role):
        raise Forbidden(_REFUSALS.get(action, "You may not do that in this group."))


async def create_group(
    s: AsyncSession, *, creator: User, name: str, description: str, guidelines: str | None = None
) -> Group:
    """Create a group with `creator` as its host; blank `guidelines` means `DEFAULT_GUIDELINES`."""
    assert creator.id is not None
    await require(s, action=Action.create_group, user=creator, group_id=None)
    group = Group(
        name=clean_line(name, field="name", label="The group's name", most=GROUP_NAME_MAX),
        description=clean_text(
            description, field="description", label="The description", most=DESCRIPTION_MAX, least=0
        ),
        guidelines=DEFAULT_GUIDELINES
        if guidelines is None or not guidelines.strip()
        else clean_text(guidelines, field="guidelines", label="The guidelines", most=GUIDELINES_MAX),
    )
    s.add(group)
    await s.flush()
    assert group.id is not None
    s.add(GroupRole(group_id=group.id, user_id=creator.id, role=GroupRoleName.host))
    s.add(GuidelinesAcceptance(group_id=group.id, user_id=creator.id, version=group.guidelines_version))
    await s.flush()
    return group


async def get_group(s: AsyncSession, *, group_id: int) -> Group:
    group = await s.get(Group, group_id)
    if group is None:
        raise NotFound(f"No group with id {group_id}.")
    return group


async def join_group(s: AsyncSession, *, group: Group, user: User) -> GroupRole:
    """Make `user` a member of `group`. Idempotent: an existing role is kept as it is."""
    assert group.id is not None
    assert user.id is not None
    await require(s, action=Action.join_group, user=user, group_id=group.id)
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


async def update_guidelines(s: AsyncSession, *, group: Group, actor: User, text: str) -> Group:
    """Replace the guidelines and bump the version (unless the text is unchanged)."""
    assert group.id is not None
    assert actor.id is not None
    await require(s, action=Action.edit_guidelines, user=actor, group_id=group.id)
    cleaned = clean_text(text, field="text", label="The guidelines", most=GUIDELINES_MAX)
    if cleaned != group.guidelines:
        group.guidelines, group.guidelines_version = cleaned, group.guidelines_version + 1
        s.add(group)
        s.add(GuidelinesAcceptance(group_id=group.id, user_id=actor.id, version=group.guidelines_version))
        await s.flush()
    return group


async def create_meeting(
    s: AsyncSession,
    *,
    group: Group,
    actor: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    now: datetime | None = None,
) -> Meeting:
    """Schedule a meeting; times must be timezone-aware, are stored in UTC, and must end later."""
    assert group.id is not None
    await require(s, action=Action.create_meeting, user=actor, group_id=group.id)
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidInput(f"{name} needs a time zone (a UTC offset such as +00:00).", field=name)
    if ends_at <= starts_at:
        raise InvalidInput("ends_at must be after starts_at.", field="ends_at")
    if ends_at <= (now or utcnow()):
        raise InvalidInput("ends_at is in the past; a meeting must end in the future.", field="ends_at")
    meeting = Meeting(
        group_id=group.id,
        title=clean_line(title, field="title", label="The title", most=TITLE_MAX),
        starts_at=starts_at.astimezone(UTC),
        ends_at=ends_at.astimezone(UTC),
    )
    s.add(meeting)
    await s.flush()
    return meeting


async def get_meeting(s: AsyncSession, *, meeting_id: int) -> Meeting:
    meeting = await s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"No meeting with id {meeting_id}.")
    return meeting


def status_of(meeting: Meeting, *, now: datetime) -> RoomStatus:
    """Whether `meeting`'s room is "not_yet" open, "open" or "ended" at `now`."""
    return room_status(now, meeting.starts_at, meeting.ends_at, meeting.state)


async def open_meeting(
    s: AsyncSession, *, meeting: Meeting, actor: User, now: datetime | None = None
) -> Meeting:
    """Open the room now, even before its usual window; `MeetingEnded` once it is over."""
    await require(s, action=Action.open_meeting, user=actor, group_id=meeting.group_id)
    now = now or utcnow()
    if status_of(meeting, now=now) == "ended":
        raise MeetingEnded("This meeting has already ended; it cannot be opened again.")
    if meeting.state != MeetingState.open:
        meeting.state, meeting.opened_at = MeetingState.open, now
        s.add(meeting)
        await s.flush()
    return meeting


async def end_meeting(
    s: AsyncSession, *, meeting: Meeting, actor: User, now: datetime | None = None
) -> Meeting:
    """End the meeting for everyone (idempotent); its room admits nobody afterwards."""
    await require(s, action=Action.end_meeting, user=actor, group_id=meeting.group_id)
    if meeting.state != MeetingState.ended:
        meeting.state, meeting.ended_at = MeetingState.ended, min(now or utcnow(), meeting.ends_at)
        s.add(meeting)
        await s.flush()
    return meeting


async def meetings_of(s: AsyncSession, *, group_id: int) -> list[Meeting]:
    query = select(Meeting).where(col(Meeting.group_id) == group_id).order_by(col(Meeting.starts_at))
    return list((await s.exec(query)).all())


async def groups_of(s: AsyncSession, *, user_id: int) -> list[tuple[Group, GroupRoleName]]:
    """The groups `user_id` has a role in, with that role, by name."""
    query = (
        select(Group, GroupRole.role)
        .join(GroupRole, col(GroupRole.group_id) == col(Group.id))
        .where(col(GroupRole.user_id) == user_id)
        .order_by(col(Group.name))
    )
    return [(group, GroupRoleName(role)) for group, role in (await s.exec(query)).all()]


async def all_groups(s: AsyncSession) -> list[Group]:
    return list((await s.exec(select(Group).order_by(col(Group.name)))).all())


async def _membership(s: AsyncSession, *, group_id: int, user_id: int) -> GroupRole:
    row = await s.get(GroupRole, (group_id, user_id), populate_existing=True)
    assert row is not None
    return row


async def _insert_ignore(s: AsyncSession, table: type[SQLModel], **values: Any) -> None:
    """INSERT that does nothing when the primary key exists: idempotent under concurrency too."""
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await s.exec(insert(table).values(**values).on_conflict_do_nothing())
