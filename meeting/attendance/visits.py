"""Visitor passes: someone without a role in a group that takes visitors accepts its guidelines
and gets one pass (`Visit`) to RSVP to one meeting as a visitor; `visitor_pass` tells the room
gate whether to let them in (to listen and react). Once that meeting is over they find an
invitation to join among their notices (`meeting.attendance.notices.visit_invitations`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.attendance.errors import BadInput, Conflict, NotInvited, Unavailable, VisitorsNotAllowed
from meeting.attendance.models import Rsvp, RsvpStatus, Visit
from meeting.attendance.rsvps import RsvpView, rsvp
from meeting.attendance.seats import insert_ignore
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.models import Group, Meeting
from meeting.moderation import service as moderation


async def _check_may_visit(s: AsyncSession, *, group: Group, user_id: int) -> None:
    """Raise unless `user_id` may take a visitor pass for `group`."""
    assert group.id is not None
    if group.archived_at is not None:
        raise Unavailable("This group is archived.", "group_archived")
    if await groups.role_in(s, group_id=group.id, user_id=user_id) is not None:
        raise Conflict("You are already a member of this group.", "already_member")
    if not group.visitors_allowed or group.visibility == "private":
        raise VisitorsNotAllowed("This group doesn't take visitors. You can ask to join it instead.")
    if await moderation.is_banned(s, group_id=group.id, user_id=user_id):
        raise NotInvited("You can't join this group's meetings.")


async def visit_group(
    s: AsyncSession,
    *,
    group_id: int,
    user: User,
    version: int,
    meeting_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Visit, RsvpView | None]:
    """Give `user` a visitor pass for a group that takes visitors, after they accept its current
    guidelines `version`; with `meeting_id`, also RSVP them to that meeting as a visitor."""
    assert user.id is not None
    now = now or utcnow()
    group = await groups.get_group(s, group_id=group_id)
    await _check_may_visit(s, group=group, user_id=user.id)
    if meeting_id is not None:
        target = await s.get(Meeting, meeting_id)
        if target is None or target.group_id != group_id:
            raise BadInput(f"Meeting {meeting_id} is not one of this group's meetings.")
    await groups.accept_guidelines(s, group=group, user=user, version=version)
    visit = await s.get(Visit, (group_id, user.id), populate_existing=True)
    if visit is None:
        await insert_ignore(s, Visit, group_id=group_id, user_id=user.id, created_at=now)
        visit = await s.get(Visit, (group_id, user.id), populate_existing=True)
        assert visit is not None
    elif visit.used_at is not None:
        raise Conflict(
            "You have visited this group already. Join it to come to more of its meetings.", "visit_used"
        )
    booked = None if meeting_id is None else await rsvp(s, meeting_id=meeting_id, user=user, now=now)
    await s.refresh(visit)
    return visit, booked


async def visitor_pass(s: AsyncSession, *, user_id: int, meeting_id: int) -> bool:
    """Whether `user_id` may enter `meeting_id`'s room as a visitor (listen and react only):
    they hold that group's visitor pass for this meeting, with a "going" visitor RSVP, and the
    group still takes visitors. For the room gate, after it found they have no role there."""
    query = (
        select(Visit.user_id)
        .join(Meeting, col(Meeting.id) == col(Visit.meeting_id))
        .join(Group, col(Group.id) == col(Meeting.group_id))
        .join(
            Rsvp,
            sa.and_(col(Rsvp.meeting_id) == col(Visit.meeting_id), col(Rsvp.user_id) == col(Visit.user_id)),
        )
        .where(col(Visit.user_id) == user_id, col(Visit.meeting_id) == meeting_id)
        .where(col(Visit.group_id) == col(Meeting.group_id), col(Group.visitors_allowed))
        .where(col(Group.visibility) != "private")
        .where(col(Rsvp.visitor), col(Rsvp.status) == RsvpStatus.going.value)
    )
    return (await s.exec(query)).first() is not None
