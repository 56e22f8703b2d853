"""Plain value types shared by the room engine's parts (core, state store, broker, endpoint).

Nothing here does I/O. `rooms/` never imports `meeting/`: what it needs from the app (who is
this session, may they enter this meeting) arrives through the `Gate` protocol at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class RoomRole(StrEnum):
    """A person's role in one meeting's room (derived from platform and group roles)."""

    host = "host"
    facilitator = "facilitator"
    member = "member"


class PresenceStatus(StrEnum):
    present = "present"
    reconnecting = "reconnecting"


@dataclass(frozen=True)
class Member:
    """Who a connection belongs to, as the room sees them. `name` is the display name."""

    user_id: int
    name: str
    role: RoomRole


@dataclass(frozen=True)
class Presence:
    member: Member
    status: PresenceStatus


@dataclass(frozen=True)
class RoomSnapshot:
    """Everything a newcomer's `welcome` frame needs, read in one go from the state store."""

    members: tuple[Presence, ...] = ()
    hands: tuple[int, ...] = ()  # user ids, oldest first
    floor: int | None = None  # user id holding the floor
    locked: bool = False
    slow_mode: int = 0  # seconds between messages per member; 0 = off
    seq: int = 0  # the room's newest event sequence number


@dataclass(frozen=True)
class Admission:
    """The app's answer to "may this session enter this meeting's room?"."""

    member: Member | None  # None when refused
    close_code: int = 0  # 4401 / 4403 / 4404 / 4409 / 4410 when refused
    reason: str = ""  # short, safe to show; never chat text
    session_key: str = ""  # opaque; the engine re-checks it with `Gate.session_alive`
    meeting_ends_at: float | None = None  # unix time, if known


class Gate(Protocol):
    """What `meeting/` hands the engine at start-up to decide entry (no import of `meeting`)."""

    async def admit(self, *, session_token: str | None, meeting_id: int) -> Admission: ...

    async def session_alive(self, *, session_key: str) -> bool: ...


@dataclass(frozen=True)
class Delivery:
    """One event as the broker hands it back to a subscriber: room, sequence number, bytes."""

    room: int
    seq: int
    payload: bytes = field(repr=False)  # sealed (encrypted) event; never log it
