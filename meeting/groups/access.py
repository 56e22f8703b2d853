"""Who may do what in a group: the refusal sentences and the checks every service function
runs first.

    await require(s, action=Action.create_meeting, user=actor, group_id=group.id)
    await require(s, action=Action.edit_guidelines, user=actor, group_id=group.id, refusal=EDIT_REFUSED)
    require_active(group)                                # `GroupArchived` for an archived group

`require` asks `moderation.permissions.may` with the user's platform role and their role in the
group, so pages and API share one rule set; refusals are `Forbidden` with a message safe to show.
"""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.groups.errors import Forbidden, GroupArchived
from meeting.groups.models import Group, GroupRole, GroupRoleName
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


def require_active(group: Group) -> None:
    """Raise `GroupArchived` for an archived group (nothing new is scheduled in one)."""
    if group.archived_at is not None:
        raise GroupArchived("This group is archived; its meetings cannot be scheduled or changed.")
