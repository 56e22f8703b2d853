"""RSVPs with a waitlist: answering, withdrawing, the waitlist moving up, and who is coming.

Anyone past an occurrence's free seats is put on the waitlist, which moves up, oldest first,
whenever a seat frees; each member so promoted gets a notice addressed to them only (and the
request that freed the seat may email them: `meeting.reminders.seats`). Every change first
locks the meeting row (`seats.lock_meeting`). Someone without a role in the group RSVPs as a
visitor, with the group's visitor pass (`meeting.attendance.visits`), which the RSVP binds to
this meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import Role, User
from meeting.attendance.errors import Conflict, NotInvited, Unavailable
from meeting.attendance.models import Rsvp, RsvpStatus, Visit
from meeting.attendance.notices import record_promotions
from meeting.attendance.seats import (
    check_takes_rsvps,
    is_over,
    is_staff,
    lock_meeting,
    seats_left,
    seats_taken,
)
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.models import Group, GroupRole, Meeting, MeetingState
from meeting.moderation import service as moderation
from moderation.permissions import Standing, standing


@dataclass(frozen=True)
class RsvpView:
    """One person's RSVP as the API shows it; `waitlist_position` counts from 1."""

    meeting_id: int
    user_id: int
    status: RsvpStatus
    visitor: bool
    created_at: datetime
    waitlist_position: int | None
    seats_left: int


async def waitlist_position(s: AsyncSession, *, rsvp: Rsvp) -> int | None:
    """Where `rsvp` stands on its waitlist, from 1 (None when it holds a seat)."""
    if rsvp.status != RsvpStatus.waitlist:
        return None
    ahead = select(func.count()).where(
        col(Rsvp.meeting_id) == rsvp.meeting_id,
        col(Rsvp.status) == RsvpStatus.waitlist.value,
        sa.or_(
            col(Rsvp.created_at) < rsvp.created_at,
            sa.and_(col(Rsvp.created_at) == rsvp.created_at, col(Rsvp.user_id) < rsvp.user_id),
        ),
    )
    return int((await s.exec(ahead)).one()) + 1


async def view_of(s: AsyncSession, rsvp: Rsvp, group: Group, *, taken: int | None = None) -> RsvpView:
    """`rsvp` as the API shows it; `taken` is its meeting's `seats_taken` when already known."""
    if taken is None:
        taken = (await seats_taken(s, meeting_ids=[rsvp.meeting_id]))[rsvp.meeting_id]
    return RsvpView(
        meeting_id=rsvp.meeting_id,
        user_id=rsvp.user_id,
        status=RsvpStatus(rsvp.status),
        visitor=rsvp.visitor,
        created_at=rsvp.created_at,
        waitlist_position=await waitlist_position(s, rsvp=rsvp),
        seats_left=seats_left(group, taken),
    )


async def get_rsvp(s: AsyncSession, *, meeting_id: int, user_id: int) -> Rsvp | None:
    """`user_id`'s RSVP to `meeting_id`, freshly read, or None."""
    return await s.get(Rsvp, (meeting_id, user_id), populate_existing=True)


async def rsvp(s: AsyncSession, *, meeting_id: int, user: User, now: datetime | None = None) -> RsvpView:
    """RSVP `user` to an occurrence: "going" while seats remain (always for staff), else on the
    waitlist. Idempotent: an existing RSVP is returned as it is."""
    assert user.id is not None
    now = now or utcnow()
    meeting = await lock_meeting(s, meeting_id=meeting_id)
    group = await groups.get_group(s, group_id=meeting.group_id)
    check_takes_rsvps(meeting, group, now=now)
    if await moderation.is_banned(s, group_id=group.id or 0, user_id=user.id):
        raise NotInvited("You can't join this group's meetings.")
    existing = await get_rsvp(s, meeting_id=meeting_id, user_id=user.id)
    if existing is not None:
        return await view_of(s, existing, group)
    role = await groups.role_in(s, group_id=meeting.group_id, user_id=user.id)
    visitor = role is None and user.role != Role.admin
    if visitor:
        await _bind_visit(s, group=group, user_id=user.id, meeting=meeting, now=now)
    status = RsvpStatus.going
    if not is_staff(platform_role=user.role, group_role=role):
        taken = (await seats_taken(s, meeting_ids=[meeting_id]))[meeting_id]
        if seats_left(group, taken) == 0:
            status = RsvpStatus.waitlist
    # stamped now that the meeting is locked, so RSVP order is the order seats were given
    row = Rsvp(meeting_id=meeting_id, user_id=user.id, status=status, visitor=visitor, created_at=utcnow())
    s.add(row)
    await s.flush()
    return await view_of(s, row, group)


async def _bind_visit(
    s: AsyncSession, *, group: Group, user_id: int, meeting: Meeting, now: datetime
) -> None:
    """Tie `user_id`'s visitor pass for `group` to `meeting`, or say why they may not RSVP."""
    assert group.id is not None
    visit = await s.get(Visit, (group.id, user_id), populate_existing=True, with_for_update=True)
    if visit is None or not group.visitors_allowed or group.visibility == "private":
        raise NotInvited("Join this group (or visit it, if it welcomes visitors) before you RSVP.")
    if visit.meeting_id not in (None, meeting.id):
        if visit.used_at is not None:
            raise Conflict(
                "You have visited this group already. Join it to come to more of its meetings.", "visit_used"
            )
        bound = await s.get(Meeting, visit.meeting_id)
        held = bound is not None and not is_over(bound, now=now) and bound.state != MeetingState.cancelled
        if held and await get_rsvp(s, meeting_id=visit.meeting_id or 0, user_id=user_id) is not None:
            raise Conflict(
                "Your visitor pass is for another meeting of this group. "
                "Cancel that RSVP to choose this one.",
                "visit_taken",
            )
    visit.meeting_id = meeting.id
    s.add(visit)


async def cancel_rsvp(
    s: AsyncSession, *, meeting_id: int, user: User, now: datetime | None = None
) -> list[int]:
    """Withdraw `user`'s RSVP (idempotent) and move the waitlist up; returns who got a seat.
    A visitor's pass becomes free for another meeting."""
    assert user.id is not None
    now = now or utcnow()
    meeting = await lock_meeting(s, meeting_id=meeting_id)
    if is_over(meeting, now=now):
        raise Unavailable("This meeting is over; its RSVPs no longer change.", "meeting_ended")
    existing = await get_rsvp(s, meeting_id=meeting_id, user_id=user.id)
    if existing is None:
        return []
    await s.delete(existing)
    await s.exec(
        sa.update(Visit)
        .where(col(Visit.user_id) == user.id, col(Visit.meeting_id) == meeting_id)
        .where(col(Visit.used_at).is_(None))
        .values(meeting_id=None)
    )
    await s.flush()
    return await _fill(s, meeting=meeting, now=now)


async def fill_seats(s: AsyncSession, *, meeting_id: int, now: datetime | None = None) -> list[int]:
    """Give free seats to the waitlist, oldest first (call after raising a size limit);
    returns the user ids moved to "going"."""
    meeting = await lock_meeting(s, meeting_id=meeting_id)
    return await _fill(s, meeting=meeting, now=now or utcnow())


async def fill_group(s: AsyncSession, *, group: Group, now: datetime | None = None) -> dict[int, list[int]]:
    """Give the seats a larger size limit freed to the waitlists of the group's coming
    meetings (call after raising `group.size_limit`); returns who moved up, by meeting id."""
    now = now or utcnow()
    coming = (
        await s.exec(
            select(Meeting.id)
            .where(col(Meeting.group_id) == group.id, col(Meeting.ends_at) > now)
            .where(col(Meeting.state).in_([MeetingState.scheduled.value, MeetingState.open.value]))
            .where(
                select(Rsvp.user_id)
                .where(col(Rsvp.meeting_id) == col(Meeting.id))
                .where(col(Rsvp.status) == RsvpStatus.waitlist.value)
                .exists()
            )
            .order_by(col(Meeting.starts_at))
        )
    ).all()
    moved: dict[int, list[int]] = {}
    for meeting_id in coming:
        assert meeting_id is not None
        if users := await fill_seats(s, meeting_id=meeting_id, now=now):
            moved[meeting_id] = users
    return moved


async def _fill(s: AsyncSession, *, meeting: Meeting, now: datetime) -> list[int]:
    """Promote the waitlist of a locked meeting while seats are free, and tell who moved up."""
    assert meeting.id is not None
    if meeting.state == MeetingState.cancelled or is_over(meeting, now=now):
        return []
    group = await groups.get_group(s, group_id=meeting.group_id)
    waiting = (
        await s.exec(
            select(Rsvp.user_id, User.role, GroupRole.role)
            .join(User, col(User.id) == col(Rsvp.user_id))
            .outerjoin(
                GroupRole,
                sa.and_(col(GroupRole.user_id) == col(Rsvp.user_id), col(GroupRole.group_id) == group.id),
            )
            .where(col(Rsvp.meeting_id) == meeting.id, col(Rsvp.status) == RsvpStatus.waitlist.value)
            .order_by(col(Rsvp.created_at), col(Rsvp.user_id))
        )
    ).all()
    if not waiting:
        return []
    free = seats_left(group, (await seats_taken(s, meeting_ids=[meeting.id]))[meeting.id])
    promoted: list[int] = []
    for user_id, platform_role, group_role in waiting:
        if not is_staff(platform_role=platform_role, group_role=group_role):
            if free <= 0:
                continue
            free -= 1
        promoted.append(int(user_id))
    if promoted:
        await s.exec(
            sa.update(Rsvp)
            .where(col(Rsvp.meeting_id) == meeting.id, col(Rsvp.user_id).in_(promoted))
            .values(status=RsvpStatus.going.value)
        )
        await record_promotions(s, meeting=meeting, user_ids=promoted, now=now)
    return promoted


@dataclass(frozen=True)
class RsvpPerson:
    user_id: int
    name: str
    visitor: bool
    staff: bool
    created_at: datetime


@dataclass(frozen=True)
class RsvpList:
    going: list[RsvpPerson]
    waitlist: list[RsvpPerson]
    seats_taken: int
    seats_left: int
    size_limit: int


async def require_standing(s: AsyncSession, *, user: User, group_id: int, least: Standing, what: str) -> None:
    """Raise `groups.Forbidden` unless `user` stands at least `least` in `group_id`."""
    assert user.id is not None
    role = await groups.role_in(s, group_id=group_id, user_id=user.id)
    if standing(platform_role=user.role, group_role=role) < least:
        raise groups.Forbidden(what)


async def rsvp_list(s: AsyncSession, *, meeting: Meeting) -> RsvpList:
    """Who is going and who waits (display names only), in RSVP order."""
    group = await groups.get_group(s, group_id=meeting.group_id)
    rows = (
        await s.exec(
            select(Rsvp, User.display_name, User.role, GroupRole.role)
            .join(User, col(User.id) == col(Rsvp.user_id))
            .outerjoin(
                GroupRole,
                sa.and_(col(GroupRole.user_id) == col(Rsvp.user_id), col(GroupRole.group_id) == group.id),
            )
            .where(col(Rsvp.meeting_id) == meeting.id)
            .order_by(col(Rsvp.created_at), col(Rsvp.user_id))
        )
    ).all()
    going: list[RsvpPerson] = []
    waitlist: list[RsvpPerson] = []
    for row, name, platform_role, group_role in rows:
        person = RsvpPerson(
            user_id=row.user_id,
            name=name,
            visitor=row.visitor,
            staff=is_staff(platform_role=platform_role, group_role=group_role),
            created_at=row.created_at,
        )
        (going if row.status == RsvpStatus.going else waitlist).append(person)
    taken = sum(1 for p in going if not p.staff)
    return RsvpList(going, waitlist, taken, seats_left(group, taken), group.size_limit)
