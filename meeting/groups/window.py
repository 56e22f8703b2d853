"""When a meeting's room admits people, with this deployment's settings: the room opens
`HEARTH_ROOM_OPENS_MINUTES` before the start and closes `HEARTH_ROOM_GRACE_MINUTES` after the
end, unless a facilitator opened it early or ended it; a cancelled meeting's room never opens.

    window = RoomWindow.from_settings(settings)
    window.status(meeting, now=utcnow())   # "not_yet", "open", "ended" or "cancelled"
    window.opens_at(meeting), window.closes_at(meeting)

The clock rule itself is `moderation.entry.room_status` (pure, shared with the engine's
tests); this only feeds it the configured lead time and the end plus the grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from meeting.settings import Settings
from moderation.entry import OPENS_BEFORE, room_status

RoomStatus = Literal["not_yet", "open", "ended", "cancelled"]
GRACE = timedelta(minutes=10)


class Timed(Protocol):
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def state(self) -> str: ...


@dataclass(frozen=True)
class RoomWindow:
    """How long before the start a room opens, and how long after the end it stays open."""

    opens_before: timedelta = OPENS_BEFORE
    grace: timedelta = GRACE

    @classmethod
    def from_settings(cls, settings: Settings) -> RoomWindow:
        return cls(
            opens_before=timedelta(minutes=settings.room_opens_minutes),
            grace=timedelta(minutes=settings.room_grace_minutes),
        )

    def opens_at(self, meeting: Timed) -> datetime:
        """The first instant the room admits members without a facilitator opening it early."""
        return meeting.starts_at - self.opens_before

    def closes_at(self, meeting: Timed) -> datetime:
        """The instant the room closes by itself (the end plus the grace period)."""
        return meeting.ends_at + self.grace

    def status(self, meeting: Timed, *, now: datetime) -> RoomStatus:
        """Whether the room is "not_yet" open, "open", "ended" or "cancelled" at `now`."""
        if meeting.state == "cancelled":
            return "cancelled"
        return room_status(now, meeting.starts_at, self.closes_at(meeting), meeting.state, self.opens_before)


DEFAULT_WINDOW = RoomWindow()
