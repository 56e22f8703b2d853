"""RSVPs with a waitlist, visitor passes, attendance, preferences and the member's feeds.

Every function takes an open `AsyncSession` and keyword arguments and raises an
`AttendanceError` (with the HTTP `status` and machine `code` the API answers with) or one of
`meeting.groups.service`'s errors, whose messages are safe to show.

Seats: a group's `size_limit` caps the "going" RSVPs of each occurrence, not counting its
hosts, facilitators and platform admins (who are always "going"); anyone else past the limit
is put on the waitlist, which moves up, oldest first, whenever a seat frees. Every change to
an occurrence's RSVPs first locks its meeting row (`SELECT … FOR UPDATE` on PostgreSQL, a
write on SQLite, which serialises writers), so two people can never both take the last seat.

Visitors: someone without a role in a group that takes visitors accepts its guidelines and
gets one pass (`Visit`) to RSVP to one meeting as a visitor; `visitor_pass` tells the room
gate whether to let them in (to listen and react), and once that meeting is over they find an
invitation to join among their notices.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import SQLModel, col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import Role, User
from meeting.attendance.models import Attendance, MemberPrefs, Rsvp, RsvpStatus, Visit
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.models import Group, GroupNotice, GroupRole, GroupRoleName, Meeting, MeetingState
from meeting.moderation import service as moderation
from meeting.scheduling import ScheduleError, validate_timezone
from moderation.permissions import Standing, standing

STAFF_ROLES = (GroupRoleName.host.value, GroupRoleName.facilitator.value)


class AttendanceError(Exception):
    """Base class: `status` is the HTTP status, `code` machine-readable, the message for people."""

    status = 400
    code = "invalid"


class NotInvited(AttendanceError):
    status, code = 403, "forbidden"


class VisitorsNotAllowed(AttendanceError):
    status, code = 403, "visitors_not_allowed"


class Unavailable(AttendanceError):
    """The occurrence cannot take RSVPs: cancelled, over, or its group archived."""

    status, code = 409, "meeting_unavailable"

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class Conflict(AttendanceError):
    status = 409

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


class BadInput(AttendanceError):
    status, code = 422, "invalid_input"


# --- roles and seats --------------------------------------------------------------------------


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
    return meeting.state == MeetingState.ended or meeting.ends_at <= now


def _check_takes_rsvps(meeting: Meeting, group: Group, *, now: datetime) -> None:
    if meeting.state == MeetingState.cancelled:
        raise Unavailable("This meeting was cancelled, so it takes no RSVPs.", "meeting_cancelled")
    if group.archived_at is not None:
        raise Unavailable("This group is archived: its meetings take no RSVPs.", "group_archived")
    if is_over(meeting, now=now):
        raise Unavailable("This meeting is over, so it takes no RSVPs.", "meeting_ended")


# --- RSVPs ------------------------------------------------------------------------------------


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


async def _view(s: AsyncSession, rsvp: Rsvp, group: Group) -> RsvpView:
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
    return await s.get(Rsvp, (meeting_id, user_id), populate_existing=True)


async def rsvp(s: AsyncSession, *, meeting_id: int, user: User, now: datetime | None = None) -> RsvpView:
    """RSVP `user` to an occurrence: "going" while seats remain (always for staff), else on the
    waitlist. Idempotent: an existing RSVP is returned as it is."""
    assert user.id is not None
    now = now or utcnow()
    meeting = await lock_meeting(s, meeting_id=meeting_id)
    group = await groups.get_group(s, group_id=meeting.group_id)
    _check_takes_rsvps(meeting, group, now=now)
    if await moderation.is_banned(s, group_id=group.id or 0, user_id=user.id):
        raise NotInvited("You can't join this group's meetings.")
    existing = await get_rsvp(s, meeting_id=meeting_id, user_id=user.id)
    if existing is not None:
        return await _view(s, existing, group)
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
    return await _view(s, row, group)


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


async def _fill(s: AsyncSession, *, meeting: Meeting, now: datetime) -> list[int]:
    """Promote the waitlist of a locked meeting while seats are free."""
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


# --- visitors ---------------------------------------------------------------------------------


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
    if group.archived_at is not None:
        raise Unavailable("This group is archived.", "group_archived")
    if await groups.role_in(s, group_id=group_id, user_id=user.id) is not None:
        raise Conflict("You are already a member of this group.", "already_member")
    if not group.visitors_allowed or group.visibility == "private":
        raise VisitorsNotAllowed("This group doesn't take visitors. You can ask to join it instead.")
    if await moderation.is_banned(s, group_id=group_id, user_id=user.id):
        raise NotInvited("You can't join this group's meetings.")
    if meeting_id is not None:
        target = await s.get(Meeting, meeting_id)
        if target is None or target.group_id != group_id:
            raise BadInput(f"Meeting {meeting_id} is not one of this group's meetings.")
    await groups.accept_guidelines(s, group=group, user=user, version=version)
    visit = await s.get(Visit, (group_id, user.id), populate_existing=True)
    if visit is None:
        await _insert_ignore(s, Visit, group_id=group_id, user_id=user.id, created_at=now)
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


# --- attendance -------------------------------------------------------------------------------


async def record_attendance(
    s: AsyncSession, *, meeting_id: int, user_id: int, now: datetime | None = None
) -> None:
    """Record that `user_id` entered `meeting_id`'s room (idempotent: the first entry stands);
    a visitor's pass counts as used. The gate calls this on admission."""
    now = now or utcnow()
    await _insert_ignore(s, Attendance, meeting_id=meeting_id, user_id=user_id, joined_at=now)
    await s.exec(
        sa.update(Visit)
        .where(col(Visit.user_id) == user_id, col(Visit.meeting_id) == meeting_id)
        .where(col(Visit.used_at).is_(None))
        .values(used_at=now)
    )


@dataclass(frozen=True)
class Figures:
    """Numbers for one occurrence, never names or words: RSVPs "going" (staff included), the
    waitlist, who entered the room, "going" RSVPs who never entered once the meeting is over
    (None before), and visitors among the "going" RSVPs and among those who came."""

    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    rsvp_going: int
    waitlist: int
    attended: int
    no_shows: int | None
    visitors: int
    visitors_attended: int


async def figures(
    s: AsyncSession, *, meetings: Sequence[Meeting], now: datetime | None = None
) -> list[Figures]:
    """`Figures` for each of `meetings`, in the same order, in three grouped queries."""
    now = now or utcnow()
    ids = [m.id for m in meetings if m.id is not None]
    if not ids:
        return []
    came = (
        select(Attendance.user_id)
        .where(
            col(Attendance.meeting_id) == col(Rsvp.meeting_id), col(Attendance.user_id) == col(Rsvp.user_id)
        )
        .exists()
    )
    going = col(Rsvp.status) == RsvpStatus.going.value
    conn = await s.connection()  # six columns: more than sqlmodel's `select` types
    rsvp_rows = (
        await conn.execute(
            sa.select(
                col(Rsvp.meeting_id),
                func.count().filter(going),
                func.count().filter(col(Rsvp.status) == RsvpStatus.waitlist.value),
                func.count().filter(going, ~came),
                func.count().filter(going, col(Rsvp.visitor)),
                func.count().filter(going, col(Rsvp.visitor), came),
            )
            .where(col(Rsvp.meeting_id).in_(ids))
            .group_by(col(Rsvp.meeting_id))
        )
    ).all()
    by_meeting = {int(row[0]): tuple(int(n) for n in row[1:]) for row in rsvp_rows}
    attended_rows = (
        await s.exec(
            select(Attendance.meeting_id, func.count())
            .where(col(Attendance.meeting_id).in_(ids))
            .group_by(col(Attendance.meeting_id))
        )
    ).all()
    attended = {int(m): int(n) for m, n in attended_rows}
    out = []
    for m in meetings:
        assert m.id is not None
        going_n, waiting, missed, visitors, visitors_came = by_meeting.get(m.id, (0, 0, 0, 0, 0))
        over = m.state != MeetingState.cancelled and is_over(m, now=now)
        out.append(
            Figures(
                meeting_id=m.id,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                state=str(m.state),
                rsvp_going=going_n,
                waitlist=waiting,
                attended=attended.get(m.id, 0),
                no_shows=missed if over else None,
                visitors=visitors,
                visitors_attended=visitors_came,
            )
        )
    return out


async def meetings_between(
    s: AsyncSession, *, group_id: int, start: datetime, end: datetime
) -> list[Meeting]:
    """A group's occurrences starting in [start, end), oldest first (at most 1,000)."""
    query = (
        select(Meeting)
        .where(
            col(Meeting.group_id) == group_id, col(Meeting.starts_at) >= start, col(Meeting.starts_at) < end
        )
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(1000)
    )
    return list((await s.exec(query)).all())


# --- preferences ------------------------------------------------------------------------------


async def preferences(s: AsyncSession, *, user_id: int) -> MemberPrefs:
    """The member's preferences (the defaults when they never set any; not saved then)."""
    found = await s.get(MemberPrefs, user_id, populate_existing=True)
    return found if found is not None else MemberPrefs(user_id=user_id)


async def update_preferences(s: AsyncSession, *, user_id: int, changes: dict[str, Any]) -> MemberPrefs:
    """Apply `changes` (any of reminders, reveal_group_name, timezone) and save."""
    prefs = await preferences(s, user_id=user_id)
    if "timezone" in changes and changes["timezone"] is not None:
        try:
            changes = changes | {"timezone": validate_timezone(changes["timezone"])}
        except ScheduleError as exc:
            raise BadInput(str(exc)) from None
    for name in ("reminders", "reveal_group_name"):
        if name in changes and changes[name] is None:
            raise BadInput(f"Field {name!r} must be true or false.")
    values = {
        "reminders": changes.get("reminders", prefs.reminders),
        "reveal_group_name": changes.get("reveal_group_name", prefs.reveal_group_name),
        "timezone": changes.get("timezone", prefs.timezone),
    }
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(MemberPrefs).values(user_id=user_id, **values)
    await s.exec(statement.on_conflict_do_update(index_elements=["user_id"], set_=values))
    return await preferences(s, user_id=user_id)


def viewer_zone(name: str | None) -> ZoneInfo:
    """The zone to show times in: a valid IANA `name`, else UTC."""
    if name:
        try:
            return ZoneInfo(validate_timezone(name))
        except ScheduleError:
            pass
    return ZoneInfo("UTC")


# --- the member's own meetings ----------------------------------------------------------------


@dataclass(frozen=True)
class MyMeeting:
    meeting: Meeting
    group: Group
    rsvp: RsvpView


async def my_meetings(
    s: AsyncSession, *, user_id: int, now: datetime | None = None, since: timedelta = timedelta(0)
) -> list[MyMeeting]:
    """The occurrences `user_id` RSVPed to that end after `now - since`, soonest first, with
    their RSVP (cancelled ones included, so the member sees they were called off)."""
    now = now or utcnow()
    rows = (
        await s.exec(
            select(Rsvp, Meeting, Group)
            .join(Meeting, col(Meeting.id) == col(Rsvp.meeting_id))
            .join(Group, col(Group.id) == col(Meeting.group_id))
            .where(col(Rsvp.user_id) == user_id, col(Meeting.ends_at) > now - since)
            .order_by(col(Meeting.starts_at), col(Meeting.id))
            .limit(500)
        )
    ).all()
    taken = await seats_taken(s, meeting_ids=[m.id for _, m, _ in rows if m.id is not None])
    out = []
    for row, meeting, group in rows:
        assert meeting.id is not None
        view = RsvpView(
            meeting_id=meeting.id,
            user_id=user_id,
            status=RsvpStatus(row.status),
            visitor=row.visitor,
            created_at=row.created_at,
            waitlist_position=await waitlist_position(s, rsvp=row),
            seats_left=seats_left(group, taken.get(meeting.id, 0)),
        )
        out.append(MyMeeting(meeting, group, view))
    return out


async def visit_invitations(
    s: AsyncSession, *, user_id: int, now: datetime | None = None
) -> list[tuple[Visit, Meeting, Group]]:
    """Visits whose meeting is over and whose visitor has not joined since: each is an
    invitation to join the group (shown among the member's notices)."""
    now = now or utcnow()
    member = (
        select(GroupRole.user_id)
        .where(col(GroupRole.group_id) == col(Visit.group_id), col(GroupRole.user_id) == col(Visit.user_id))
        .exists()
    )
    rows = (
        await s.exec(
            select(Visit, Meeting, Group)
            .join(Meeting, col(Meeting.id) == col(Visit.meeting_id))
            .join(Group, col(Group.id) == col(Visit.group_id))
            .where(col(Visit.user_id) == user_id, col(Visit.used_at).is_not(None), ~member)
            .where(col(Group.archived_at).is_(None))
            .where(sa.or_(col(Meeting.state) == MeetingState.ended.value, col(Meeting.ends_at) <= now))
        )
    ).all()
    return [(v, m, g) for v, m, g in rows]


async def notices_for(
    s: AsyncSession, *, user_id: int, limit: int = 50
) -> list[tuple[GroupNotice, Meeting | None, Group]]:
    """What `user_id` should be told, newest first: notices about meetings they RSVPed to,
    and group-wide ones (no meeting) of groups they had a role in when it was written."""
    rsvped = (
        select(Rsvp.user_id)
        .where(col(Rsvp.meeting_id) == col(GroupNotice.meeting_id), col(Rsvp.user_id) == user_id)
        .exists()
    )
    member = (
        select(GroupRole.user_id)
        .where(col(GroupRole.group_id) == col(GroupNotice.group_id), col(GroupRole.user_id) == user_id)
        .where(col(GroupRole.created_at) <= col(GroupNotice.created_at))
        .exists()
    )
    query = (
        select(GroupNotice, Meeting, Group)
        .join(Group, col(Group.id) == col(GroupNotice.group_id))
        .outerjoin(Meeting, col(Meeting.id) == col(GroupNotice.meeting_id))
        .where(
            sa.or_(
                sa.and_(col(GroupNotice.meeting_id).is_not(None), rsvped),
                sa.and_(col(GroupNotice.meeting_id).is_(None), member),
            )
        )
        .order_by(col(GroupNotice.created_at).desc(), col(GroupNotice.id).desc())
        .limit(limit)
    )
    return [(n, m, g) for n, m, g in (await s.exec(query)).all()]


async def _insert_ignore(s: AsyncSession, table: type[SQLModel], **values: Any) -> None:
    """INSERT that does nothing when the primary key exists: idempotent under concurrency."""
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await s.exec(insert(table).values(**values).on_conflict_do_nothing())
