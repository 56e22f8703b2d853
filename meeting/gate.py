"""The room gate: may this login session enter this meeting's room, and in which role?

`MeetingGate(db, settings)` implements `rooms.types.Gate` for the room engine, which never
imports `meeting/`. Build one at start-up and hand it to the engine:

    gate = MeetingGate(db, settings)
    admission = await gate.admit(session_token=cookie_token, meeting_id=42)
    if admission.member is None:
        await websocket.close(admission.close_code, admission.reason)

Checks run in this order, and the first failure is the answer:

    4401  not logged in, or the session is unknown, idle too long or expired
    4404  no such meeting
    4403  not a member of the meeting's group (platform admins need not be; someone holding a
          visitor pass for this very meeting enters as a visitor, who listens and reacts)
    4403  banned from the group (`meeting.moderation`; admins included)
    4403  the group's current guidelines version not accepted (admins included)
    4410  the meeting was cancelled, the room is not open yet, or the meeting has ended
          (`meeting.groups.window`: the room opens HEARTH_ROOM_OPENS_MINUTES before the start
          and closes HEARTH_ROOM_GRACE_MINUTES after the end)

Person-specific refusals come before the clock, so someone who must still accept the
guidelines learns it while waiting for the room to open. On admission the room role is
admin for a platform admin, host for the group's host, facilitator for its facilitators,
else member; the admission carries the group's room rules (`policy`) and the ids of the
people this person blocked (`blocks`). `session_key` is the session's token hash:
`session_alive` re-checks that same login session (logout, password change, account
deletion or timeout end it) with one primary-key read, and counts as activity for the idle
timeout, as being in a room is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from meeting.accounts import sessions
from meeting.accounts.models import Role
from meeting.attendance import service as attendance
from meeting.db import Database, utcnow
from meeting.groups import service
from meeting.groups.models import GroupRoleName, Meeting
from meeting.groups.window import RoomWindow
from meeting.moderation import rules
from meeting.moderation import service as moderation
from meeting.settings import Settings
from rooms.types import Admission, Gate, Member, RoomRole

_ROOM_ROLES = {
    GroupRoleName.host: RoomRole.host,
    GroupRoleName.facilitator: RoomRole.facilitator,
    GroupRoleName.member: RoomRole.member,
}

BANNED = "You can't join this group's meetings."


def _refuse(code: int, reason: str) -> Admission:
    return Admission(member=None, close_code=code, reason=reason)


class MeetingGate:
    """`rooms.types.Gate` over the database. `clock` returns the current UTC time (for tests)."""

    def __init__(self, db: Database, settings: Settings, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.db, self.settings, self.clock = db, settings, clock
        self.window = RoomWindow.from_settings(settings)

    async def admit(self, *, session_token: str | None, meeting_id: int) -> Admission:
        """Admit the session's user to `meeting_id`'s room, or say why not (see the module doc)."""
        async with self.db.session() as s:
            user = await sessions.resolve(s, token=session_token, settings=self.settings)
            if user is None or user.id is None or session_token is None:
                return _refuse(4401, "Please log in again.")
            meeting = await s.get(Meeting, meeting_id)
            if meeting is None:
                return _refuse(4404, "There is no such meeting.")
            role = await service.role_in(s, group_id=meeting.group_id, user_id=user.id)
            admin = user.role == Role.admin
            visitor = role is None and not admin
            if visitor and not await attendance.visitor_pass(s, user_id=user.id, meeting_id=meeting_id):
                return _refuse(4403, "Join this group before entering its meetings.")
            if await moderation.is_banned(s, group_id=meeting.group_id, user_id=user.id):
                return _refuse(4403, BANNED)
            group = await service.get_group(s, group_id=meeting.group_id)
            accepted = await service.accepted_version(s, group_id=meeting.group_id, user_id=user.id)
            if accepted != group.guidelines_version:
                return _refuse(4403, "Please read and accept the group's current guidelines first.")
            refusal = self._closed(meeting)
            if refusal is not None:
                return refusal
            room_role = (
                RoomRole.admin
                if admin
                else RoomRole.visitor
                if visitor
                else _ROOM_ROLES[role or GroupRoleName.member]
            )
            await attendance.record_attendance(s, meeting_id=meeting_id, user_id=user.id)
            return Admission(
                member=Member(user_id=user.id, name=user.display_name, role=room_role),
                session_key=sessions.token_hash(session_token),
                meeting_ends_at=meeting.ends_at.timestamp(),
                policy=rules.policy_for(group),
                blocks=await moderation.blocked_ids(s, user_id=user.id, group_id=meeting.group_id),
            )

    def _closed(self, meeting: Meeting) -> Admission | None:
        status = service.status_of(meeting, now=self.clock(), window=self.window)
        if status == "cancelled":
            return _refuse(4410, "This meeting was cancelled.")
        if status == "ended":
            return _refuse(4410, "This meeting has ended.")
        if status == "not_yet":
            when = self.window.opens_at(meeting).strftime("%H:%M UTC on %d %b %Y")
            return _refuse(4410, f"The room isn't open yet. It opens at {when}.")
        return None

    async def session_alive(self, *, session_key: str) -> bool:
        """True while the login session behind `session_key` (a token hash) is still valid."""
        if not session_key or len(session_key) > 64:
            return False
        async with self.db.session() as s:
            row = await sessions.live(s, key=session_key, settings=self.settings, now=self.clock())
            return row is not None


if TYPE_CHECKING:  # mypy proves MeetingGate satisfies the engine's protocol

    def _conforms(gate: MeetingGate) -> Gate:
        return gate
