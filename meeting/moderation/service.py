"""The moderation record: audit entries, group bans and personal blocks.

Every function takes an open `AsyncSession` and keyword arguments. Those a person calls over
HTTP (`unban`, `require`) check their power with `moderation.permissions` and raise the
`meeting.groups.service` errors (`Forbidden`, `NotFound`, `InvalidInput`), already mapped to
HTTP statuses once in `meeting.api.errors`. Those the room engine calls through
`MeetingLedger` (`record`, `ban`, `block`, `end_meeting`) come after the engine decided.

    await require(s, action=Action.view_audit, user=user, group_id=7)
    log = await list_events(s, group_id=7, meeting_id=None, limit=50, before_id=None)
    await ban(s, group_id=7, user_id=12, actor_id=3, reason="harassment", meeting_id=42)

Nothing here stores, logs or puts in an exception what anyone said: an entry holds an action
code and a reason (a code or a facilitator's own words), no message text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import Role, User
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.models import GroupRole, GroupRoleName, Meeting, MeetingState
from meeting.moderation.models import (
    AuditEntryPublic,
    AuditLog,
    BanPublic,
    BlockPublic,
    GroupBan,
    MemberBlock,
    ModerationEvent,
    PersonRef,
)
from moderation.audit import REASON_MAX, AuditAction, label
from moderation.permissions import Action, may, may_act_on, standing

LOG_PAGE = 50  # entries per page unless asked otherwise
LOG_PAGE_MAX = 200

_REFUSALS = {
    Action.edit_rules: "Only this group's host or an administrator can change its room rules.",
    Action.view_audit: "Only this group's host or an administrator can read its moderation log.",
    Action.unban: "Only this group's facilitators, host or an administrator can see and lift its bans.",
    Action.view_rules: "Only this group's facilitators, host or an administrator can see its room rules.",
}
VIEW_RULES = Action.view_rules


async def require(s: AsyncSession, *, action: Action, user: User, group_id: int) -> GroupRoleName | None:
    """Raise `Forbidden` unless `user` may take `action` in `group_id`; returns their group role."""
    assert user.id is not None
    role = await groups.role_in(s, group_id=group_id, user_id=user.id)
    if not may(action, platform_role=user.role, group_role=role):
        raise groups.Forbidden(_REFUSALS.get(action, "You may not do that in this group."))
    return role


def clean_reason(raw: str) -> str:
    """A reason as stored: NFC, one line, control characters dropped, cut to `REASON_MAX`."""
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()[:REASON_MAX]


async def record(
    s: AsyncSession,
    *,
    group_id: int,
    meeting_id: int | None = None,
    actor_id: int | None,
    action: AuditAction | str,
    target_id: int | None = None,
    reason: str = "",
) -> None:
    """Add an audit entry. An actor or target whose account is already gone is stored as None.

    `action` must be a `moderation.audit.AuditAction` (ValueError otherwise, naming no value).
    """
    try:
        code = AuditAction(action)
    except ValueError:
        raise ValueError("unknown audit action (see moderation.audit.AuditAction)") from None

    def person(user_id: int | None) -> object:
        if user_id is None:
            return None
        return select(col(User.id)).where(col(User.id) == user_id).scalar_subquery()

    await s.exec(
        sa.insert(ModerationEvent).values(
            group_id=group_id,
            meeting_id=meeting_id,
            actor_id=person(actor_id),
            action=code.value,
            target_id=person(target_id),
            reason=clean_reason(reason),
            created_at=utcnow(),
        )
    )


async def list_events(
    s: AsyncSession,
    *,
    group_id: int,
    meeting_id: int | None = None,
    limit: int = LOG_PAGE,
    before_id: int | None = None,
) -> AuditLog:
    """A page of `group_id`'s log, newest first: all of it or one meeting's, older than `before_id`."""
    limit = max(1, min(limit, LOG_PAGE_MAX))
    actor, target = aliased(User), aliased(User)
    query = (
        select(ModerationEvent, actor.display_name, target.display_name)
        .outerjoin(actor, col(actor.id) == col(ModerationEvent.actor_id))
        .outerjoin(target, col(target.id) == col(ModerationEvent.target_id))
        .where(col(ModerationEvent.group_id) == group_id)
        .order_by(col(ModerationEvent.id).desc())
        .limit(limit)
    )
    if meeting_id is not None:
        query = query.where(col(ModerationEvent.meeting_id) == meeting_id)
    if before_id is not None:
        query = query.where(col(ModerationEvent.id) < before_id)
    entries = [
        AuditEntryPublic(
            id=event.id or 0,
            meeting_id=event.meeting_id,
            action=event.action,
            label=label(event.action),
            actor=_ref(event.actor_id, actor_name),
            target=_ref(event.target_id, target_name),
            reason=event.reason,
            created_at=event.created_at,
        )
        for event, actor_name, target_name in (await s.exec(query)).all()
    ]
    more = len(entries) == limit
    return AuditLog(entries=entries, next_before=entries[-1].id if more else None)


async def ban(
    s: AsyncSession,
    *,
    group_id: int,
    user_id: int,
    actor_id: int | None,
    reason: str,
    meeting_id: int | None = None,
) -> None:
    """Ban `user_id` from `group_id`'s meetings (again: the newest actor and reason win) and log it."""
    values = {"banned_by": actor_id, "reason": clean_reason(reason), "created_at": utcnow()}
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(GroupBan).values(group_id=group_id, user_id=user_id, **values)
    await s.exec(statement.on_conflict_do_update(index_elements=["group_id", "user_id"], set_=values))
    await record(
        s,
        group_id=group_id,
        meeting_id=meeting_id,
        actor_id=actor_id,
        action=AuditAction.ban,
        target_id=user_id,
        reason=reason,
    )


async def unban(s: AsyncSession, *, group_id: int, user_id: int, actor: User) -> None:
    """Lift a ban (facilitators and up, on people they outrank) and log who lifted it."""
    await require(s, action=Action.unban, user=actor, group_id=group_id)
    row = await s.get(GroupBan, (group_id, user_id))
    target = await s.get(User, user_id)
    if row is None or target is None:
        raise groups.NotFound("That person isn't banned from this group.")
    assert actor.id is not None
    mine = await groups.role_in(s, group_id=group_id, user_id=actor.id)
    theirs = await groups.role_in(s, group_id=group_id, user_id=user_id)
    if not may_act_on(
        standing(platform_role=actor.role, group_role=mine),
        standing(platform_role=target.role, group_role=theirs),
    ):
        raise groups.Forbidden("Only someone who outranks them in this group can lift this ban.")
    await s.delete(row)
    await record(s, group_id=group_id, actor_id=actor.id, action=AuditAction.unban, target_id=user_id)


async def is_banned(s: AsyncSession, *, group_id: int, user_id: int) -> bool:
    return await s.get(GroupBan, (group_id, user_id)) is not None


async def list_bans(s: AsyncSession, *, group_id: int) -> list[BanPublic]:
    """`group_id`'s bans, newest first, with names."""
    banned, by = aliased(User), aliased(User)
    query = (
        select(GroupBan, banned.display_name, by.display_name)
        .join(banned, col(banned.id) == col(GroupBan.user_id))
        .outerjoin(by, col(by.id) == col(GroupBan.banned_by))
        .where(col(GroupBan.group_id) == group_id)
        .order_by(col(GroupBan.created_at).desc(), col(GroupBan.user_id))
    )
    return [
        BanPublic(
            user=PersonRef(id=row.user_id, name=name),
            banned_by=_ref(row.banned_by, by_name),
            reason=row.reason,
            created_at=row.created_at,
        )
        for row, name, by_name in (await s.exec(query)).all()
    ]


async def block(s: AsyncSession, *, user_id: int, blocked_id: int) -> None:
    """`user_id` stops seeing `blocked_id`'s messages, in every meeting. Idempotent; not audited."""
    if user_id == blocked_id:
        return
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"user_id": user_id, "blocked_id": blocked_id, "created_at": utcnow()}
    await s.exec(insert(MemberBlock).values(**values).on_conflict_do_nothing())


async def unblock(s: AsyncSession, *, user_id: int, blocked_id: int) -> bool:
    """Undo a block; True when there was one to undo."""
    row = await s.get(MemberBlock, (user_id, blocked_id))
    if row is None:
        return False
    await s.delete(row)
    await s.flush()
    return True


async def blocked_ids(s: AsyncSession, *, user_id: int, group_id: int | None = None) -> frozenset[int]:
    """Whom `user_id` blocked. With `group_id`: leaving out that group's facilitators and hosts
    and platform admins, whom a block never hides in its meetings (they run them)."""
    query = select(MemberBlock.blocked_id).where(col(MemberBlock.user_id) == user_id)
    if group_id is not None:
        staff = select(GroupRole.user_id).where(
            col(GroupRole.group_id) == group_id,
            col(GroupRole.role).in_([GroupRoleName.host, GroupRoleName.facilitator]),
        )
        admins = select(User.id).where(col(User.role) == Role.admin)
        query = query.where(
            col(MemberBlock.blocked_id).not_in(staff), col(MemberBlock.blocked_id).not_in(admins)
        )
    return frozenset((await s.exec(query)).all())


async def list_blocks(s: AsyncSession, *, user_id: int) -> list[BlockPublic]:
    """The people `user_id` blocked, by name."""
    query = (
        select(MemberBlock, User.display_name)
        .join(User, col(User.id) == col(MemberBlock.blocked_id))
        .where(col(MemberBlock.user_id) == user_id)
        .order_by(col(User.display_name), col(User.id))
    )
    return [
        BlockPublic(user=PersonRef(id=row.blocked_id, name=name), created_at=row.created_at)
        for row, name in (await s.exec(query)).all()
    ]


async def end_meeting(
    s: AsyncSession, *, meeting: Meeting, actor: User, now: datetime | None = None
) -> Meeting:
    """`meeting.groups.service.end_meeting`, plus an audit entry when this call ended it."""
    was_ended = meeting.state == MeetingState.ended
    meeting = await groups.end_meeting(s, meeting=meeting, actor=actor, now=now)
    if not was_ended:
        await record(
            s, group_id=meeting.group_id, meeting_id=meeting.id, actor_id=actor.id, action=AuditAction.end
        )
    return meeting


def _ref(user_id: int | None, name: str | None) -> PersonRef | None:
    return None if user_id is None or name is None else PersonRef(id=user_id, name=name)
