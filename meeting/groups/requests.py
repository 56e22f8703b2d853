"""Joining a private group by request: a person asks, a host or facilitator approves or declines.

    await request_to_join(s, group=group, user=user)          # idempotent
    await pending_requests(s, group=group, actor=facilitator) # oldest first, with names
    await decide_request(s, group=group, actor=host, user_id=7, approve=True)

Public (listed or unlisted) groups are joined directly (`service.join_group`); asking is only
for private ones. Approving makes the person a member; either decision removes the request.
"""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups.errors import Forbidden, InvalidInput, NotFound
from meeting.groups.models import Group, GroupRole, GroupRoleName, JoinRequest, JoinRequestPublic
from meeting.groups.service import _insert_ignore, require, role_in
from moderation.permissions import Action

NOT_PRIVATE = "This group isn't private: join it directly."
DECIDE = "Only this group's facilitators, host or an administrator can answer requests to join."


async def request_to_join(s: AsyncSession, *, group: Group, user: User) -> JoinRequest:
    """Ask to join private `group` (asking again changes nothing)."""
    assert group.id is not None
    assert user.id is not None
    if group.visibility != "private":
        raise InvalidInput(NOT_PRIVATE, field="group")
    if group.archived_at is not None:
        raise Forbidden("This group is archived and takes no new members.")
    if await role_in(s, group_id=group.id, user_id=user.id) is not None:
        raise InvalidInput("You're already in this group.", field="group")
    await _insert_ignore(s, JoinRequest, group_id=group.id, user_id=user.id, created_at=utcnow())
    row = await s.get(JoinRequest, (group.id, user.id))
    assert row is not None
    return row


async def pending_requests(s: AsyncSession, *, group: Group, actor: User) -> list[JoinRequestPublic]:
    """The requests waiting for an answer, oldest first (facilitators and up)."""
    assert group.id is not None
    await require(s, action=Action.open_meeting, user=actor, group_id=group.id, refusal=DECIDE)
    query = (
        select(JoinRequest, User.display_name)
        .join(User, col(User.id) == col(JoinRequest.user_id))
        .where(col(JoinRequest.group_id) == group.id)
        .order_by(col(JoinRequest.created_at), col(JoinRequest.user_id))
    )
    return [
        JoinRequestPublic(user_id=row.user_id, display_name=name, created_at=row.created_at)
        for row, name in (await s.exec(query)).all()
    ]


async def decide_request(
    s: AsyncSession, *, group: Group, actor: User, user_id: int, approve: bool
) -> GroupRole | None:
    """Approve (the person becomes a member; returns the role) or decline (returns None)."""
    assert group.id is not None
    await require(s, action=Action.open_meeting, user=actor, group_id=group.id, refusal=DECIDE)
    row = await s.get(JoinRequest, (group.id, user_id))
    if row is None:
        raise NotFound("Nobody by that id has asked to join this group.", field="user_id")
    await s.delete(row)
    if not approve:
        return None
    values = {"group_id": group.id, "user_id": user_id, "role": GroupRoleName.member.value}
    await _insert_ignore(s, GroupRole, created_at=utcnow(), **values)
    return await s.get(GroupRole, (group.id, user_id))
