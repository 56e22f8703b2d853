"""The room engine's ledger: `MeetingLedger(db)` implements `rooms.types.Ledger`.

Build one at start-up and hand it to the engine, which calls it after deciding an action
was allowed (so nothing here checks powers again, except that ending a meeting goes through
the same service function as the "End the meeting" button):

    ledger = MeetingLedger(db)
    await ledger.record(meeting_id=42, actor_id=3, action="mute", target_id=12, reason="")
    await ledger.ban(meeting_id=42, actor_id=3, user_id=12, reason="harassment")
    await ledger.block(user_id=12, blocked_id=15, blocked=True)   # private: not audited
    await ledger.end(meeting_id=42, actor_id=3)

Each call is one transaction. A meeting that no longer exists (its group was deleted) is
skipped with a warning naming only ids; no chat text ever reaches this class.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import Database
from meeting.groups.models import Meeting
from meeting.moderation import service
from rooms.types import Ledger

log = logging.getLogger("hearth.moderation")


class MeetingLedger:
    """`rooms.types.Ledger` over the database (see the module doc)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self,
        *,
        meeting_id: int,
        actor_id: int | None,
        action: str,
        target_id: int | None = None,
        reason: str = "",
    ) -> None:
        """Add an audit entry to the meeting's group (`action` an `AuditAction` code)."""
        async with self.db.session() as s:
            meeting = await _meeting(s, meeting_id)
            if meeting is not None:
                await service.record(
                    s,
                    group_id=meeting.group_id,
                    meeting_id=meeting_id,
                    actor_id=actor_id,
                    action=action,
                    target_id=target_id,
                    reason=reason,
                )

    async def ban(self, *, meeting_id: int, actor_id: int, user_id: int, reason: str) -> None:
        """Ban `user_id` from the meeting's group (all its meetings) and audit it."""
        async with self.db.session() as s:
            meeting = await _meeting(s, meeting_id)
            if meeting is not None:
                await service.ban(
                    s,
                    group_id=meeting.group_id,
                    user_id=user_id,
                    actor_id=actor_id,
                    reason=reason,
                    meeting_id=meeting_id,
                )

    async def block(self, *, user_id: int, blocked_id: int, blocked: bool) -> None:
        """Add (`blocked=True`) or remove `user_id`'s block of `blocked_id`."""
        async with self.db.session() as s:
            if blocked:
                await service.block(s, user_id=user_id, blocked_id=blocked_id)
            else:
                await service.unblock(s, user_id=user_id, blocked_id=blocked_id)

    async def end(self, *, meeting_id: int, actor_id: int) -> None:
        """Mark the meeting ended, as the "End the meeting" button does, and audit it once."""
        async with self.db.session() as s:
            meeting = await _meeting(s, meeting_id)
            actor = await s.get(User, actor_id)
            if meeting is None:
                return
            if actor is None:  # their account (and so their sockets) went first: nothing to attribute
                log.warning("ledger.end_without_actor", extra={"room": meeting_id})
                return
            await service.end_meeting(s, meeting=meeting, actor=actor)


async def _meeting(s: AsyncSession, meeting_id: int) -> Meeting | None:
    meeting = await s.get(Meeting, meeting_id)
    if meeting is None:
        log.warning("ledger.no_meeting", extra={"room": meeting_id})
    return meeting


if TYPE_CHECKING:  # mypy proves MeetingLedger satisfies the engine's protocol

    def _conforms(ledger: MeetingLedger) -> Ledger:
        return ledger
