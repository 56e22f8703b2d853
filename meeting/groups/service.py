"""What people can do with groups and meetings: create, edit, archive, join, accept
guidelines, add facilitators and co-hosts, schedule one-off meetings, open and end them.
Series and their occurrences are in `meeting.groups.series`, the directory in
`meeting.groups.directory`.

Every function takes an open `AsyncSession` and keyword arguments, checks the caller's
power with `moderation.permissions.may` (so pages and API share one rule set), and raises a
`GroupError` subclass whose message is safe to show. HTTP handlers only translate these.

The person who writes a guidelines version (the creator of a group, or a host rewriting
them) is recorded as having accepted it; everyone else accepts each new version themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups.errors import Forbidden as Forbidden
from meeting.groups.errors import GroupArchived as GroupArchived
from meeting.groups.errors import GroupError as GroupError
from meeting.groups.errors import GuidelinesChanged as GuidelinesChanged
from meeting.groups.errors import InvalidInput as InvalidInput
from meeting.groups.errors import MeetingCancelled as MeetingCancelled
from meeting.groups.errors import MeetingEnded as MeetingEnded
from meeting.groups.errors import MeetingStarted as MeetingStarted
from meeting.groups.errors import NotFound as NotFound
from meeting.groups.errors import invalid as invalid
from meeting.groups.fields import DIRECTORY_FIELDS as DIRECTORY_FIELDS
from meeting.groups.fields import (
    check_credential,
    check_language,
    check_size_limit,
    check_style,
    check_topics,
    check_visibility,
)
from meeting.groups.fields import check_times as check_times
from meeting.groups.fields import check_timezone as check_timezone
from meeting.groups.fields import clean_line as clean_line
from meeting.groups.fields import clean_text as clean_text
from meeting.groups.models import (
    DEFAULT_GUIDELINES,
    DEFAULT_TOPICS,
    DESCRIPTION_MAX,
    GROUP_NAME_MAX,
    GUIDELINES_MAX,
    TITLE_MAX,
    Group,
    GroupNotice,
    GroupRole,
    GroupRoleName,
    GroupTopic,
    GuidelinesAcceptance,
    Meeting,
    MeetingState,
    NoticeKind,
)
from meeting.groups.vocabulary import Style, parse_topics
from meeting.groups.window import DEFAULT_WINDOW, RoomStatus, RoomWindow
from moderation.permissions import Action, may

_REFUSALS = {
    Action.create_group: "Only hosts and administrators can create groups.",
    Action.create_meeting: "Only this group's host or an administrator can schedule its meetings.",
    Action.assign_facilitator: "Only this group's host or an administrator can assign facilitators.",
    Action.edit_guidelines: "Only this group's host or an administrator can change its guidelines.",
    Action.open_meeting: "Only this group's facilitators, host or an administrator can open its meetings.",
    Action.end_meeting: "Only this group's facilitators, host or an administrator can end its meetings.",
}
EDIT_REFUSED = "Only this group's host or an administrator can change the group."
COHOST_REFUSED = "Only this group's host or an administrator can add co-hosts."
ARCHIVE_REFUSED = "Only this group's host or an administrator can archive the group."
SCHEDULE_REFUSED = "Only this group's host or an administrator can change its meetings."
CANCEL_REFUSED = "Only this group's facilitators, host or an administrator can cancel its meetings."
EXTEND_REFUSED = "Only this group's facilitators, host or an administrator can extend its meetings."


async def role_in(s: AsyncSession, *, group_id: int, user_id: int) -> GroupRoleName | None:
    """`user_id`'s role in `group_id`, or None when they have none there."""
    row = await s.get(GroupRole, (group_id, user_id))
    return None if row is None else GroupRoleName(row.role)


async def require(
    s: AsyncSession, *, action: Action, user: User, group_id: int | None, refusal: str | None = None
) -> None:
    """Raise `Forbidden` (saying `refusal`, or the action's usual words) unless `user` may take
    `action` (in `group_id`, if it is group-scoped)."""
    assert user.id is not None
    group_role = None if group_id is None else await role_in(s, group_id=group_id, user_id=user.id)
    if not may(action, platform_role=user.role, group_role=group_role):
        raise Forbidden(refusal or _REFUSALS.get(action, "You may not do that in this group."))


async def create_group(
    s: AsyncSession,
    *,
    creator: User,
    name: str,
    description: str,
    guidelines: str | None = None,
    topics: Iterable[str] = DEFAULT_TOPICS,
    style: str = "peer",
    credential: str | None = None,
    language: str = "en",
    size_limit: int = 12,
    visibility: str = "listed",
    visitors_allowed: bool = True,
) -> Group:
    """Create a group with `creator` as its host; blank `guidelines` means `DEFAULT_GUIDELINES`.
    The directory fields are checked against `meeting.groups.vocabulary` (`InvalidInput`)."""
    assert creator.id is not None
    await require(s, action=Action.create_group, user=creator, group_id=None)
    checked_style = check_style(style)
    group = Group(
        name=clean_line(name, field="name", label="The group's name", most=GROUP_NAME_MAX),
        description=clean_text(
            description, field="description", label="The description", most=DESCRIPTION_MAX, least=0
        ),
        guidelines=DEFAULT_GUIDELINES
        if guidelines is None or not guidelines.strip()
        else clean_text(guidelines, field="guidelines", label="The guidelines", most=GUIDELINES_MAX),
        style=checked_style.value,
        credential=check_credential(credential, style=checked_style),
        language=check_language(language),
        size_limit=check_size_limit(size_limit),
        visibility=check_visibility(visibility).value,
        visitors_allowed=bool(visitors_allowed),
    )
    checked_topics = check_topics(topics)
    s.add(group)
    await s.flush()
    assert group.id is not None
    s.add(GroupRole(group_id=group.id, user_id=creator.id, role=GroupRoleName.host))
    s.add(GuidelinesAcceptance(group_id=group.id, user_id=creator.id, version=group.guidelines_version))
    await _set_topics(s, group_id=group.id, topics=checked_topics)
    await s.flush()
    return group


async def update_group(s: AsyncSession, *, group: Group, actor: User, changes: Mapping[str, Any]) -> Group:
    """Change any of name, description and the directory fields (`DIRECTORY_FIELDS`); keys
    left out keep their value. A group that becomes peer-led loses its credential line."""
    assert group.id is not None
    await require(s, action=Action.edit_guidelines, user=actor, group_id=group.id, refusal=EDIT_REFUSED)
    unknown = set(changes) - {"name", "description", *DIRECTORY_FIELDS}
    if unknown:
        raise InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    if "name" in changes:
        group.name = clean_line(changes["name"], field="name", label="The group's name", most=GROUP_NAME_MAX)
    if "description" in changes:
        group.description = clean_text(
            changes["description"],
            field="description",
            label="The description",
            most=DESCRIPTION_MAX,
            least=0,
        )
    style = check_style(changes["style"]) if "style" in changes else Style(group.style)
    if "credential" in changes:
        group.credential = check_credential(changes["credential"], style=style)
    elif style is not Style.professional:
        group.credential = None
    group.style = style.value
    if "language" in changes:
        group.language = check_language(changes["language"])
    if "size_limit" in changes:
        group.size_limit = check_size_limit(changes["size_limit"])
    if "visibility" in changes:
        group.visibility = check_visibility(changes["visibility"]).value
    if "visitors_allowed" in changes:
        if not isinstance(changes["visitors_allowed"], bool):
            raise InvalidInput("visitors_allowed must be true or false.", field="visitors_allowed")
        group.visitors_allowed = changes["visitors_allowed"]
    if "topics" in changes:
        await _set_topics(s, group_id=group.id, topics=check_topics(changes["topics"]))
    s.add(group)
    await s.flush()
    return group


async def _set_topics(s: AsyncSession, *, group_id: int, topics: Iterable[str]) -> None:
    await s.exec(sa.delete(GroupTopic).where(col(GroupTopic.group_id) == group_id))
    for topic in topics:
        s.add(GroupTopic(group_id=group_id, topic=topic))
    await s.flush()


async def topics_of(s: AsyncSession, *, group_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each group's topic slugs, in vocabulary order (an id with none maps to [])."""
    ids = list(group_ids)
    found: dict[int, list[str]] = {group_id: [] for group_id in ids}
    if not ids:
        return found
    query = select(GroupTopic).where(col(GroupTopic.group_id).in_(ids))
    for row in (await s.exec(query)).all():
        found[row.group_id].append(row.topic)
    return {group_id: list(parse_topics(topics)) for group_id, topics in found.items()}


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


def require_active(group: Group) -> None:
    """Raise `GroupArchived` for an archived group (nothing new is scheduled in one)."""
    if group.archived_at is not None:
        raise GroupArchived("This group is archived; its meetings cannot be scheduled or changed.")


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


async def get_group(s: AsyncSession, *, group_id: int) -> Group:
    group = await s.get(Group, group_id)
    if group is None:
        raise NotFound(f"No group with id {group_id}.")
    return group


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
