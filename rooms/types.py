"""Plain value types shared by the room engine's parts (core, state store, broker, endpoint).

Nothing here does I/O. `rooms/` never imports `meeting/`: what it needs from the app (who is
this session, may they enter this meeting) arrives through the `Gate` protocol at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class RoomRole(StrEnum):
    """A person's role in one meeting's room (derived from platform and group roles)."""

    admin = "admin"  # a platform admin: acts anywhere, and only another admin may act on them
    host = "host"
    facilitator = "facilitator"
    member = "member"
    visitor = "visitor"  # trying the group for one meeting: listens and reacts


class PresenceStatus(StrEnum):
    present = "present"
    reconnecting = "reconnecting"


@dataclass(frozen=True)
class Member:
    """Who a connection belongs to, as the room sees them. `name` is the display name."""

    user_id: int
    name: str
    role: RoomRole

    @property
    def staff(self) -> bool:
        """Facilitators, hosts and admins: they run the meeting and get its private alerts."""
        return self.role not in (RoomRole.member, RoomRole.visitor)


@dataclass(frozen=True)
class Presence:
    member: Member
    status: PresenceStatus


@dataclass(frozen=True)
class RoomSnapshot:
    """The room as the state store holds it, read in one go: for a newcomer's `welcome` and for
    judging a frame. Marks are per member: `muted` maps user id -> until (unix ms; 0 = until
    unmuted), `waiting` lists entrants held in the waiting room, oldest first."""

    members: tuple[Presence, ...] = ()
    hands: tuple[int, ...] = ()  # user ids, oldest first
    floor: int | None = None  # user id holding the floor
    locked: bool = False
    slow_mode: int = 0  # seconds between messages per member; 0 = off
    seq: int = 0  # the room's newest event sequence number
    facilitated: bool = False  # only the floor holder and facilitators may `say`
    round: str | None = None  # the sharing round as JSON (see `rooms.rounds`), None when none runs
    note: bytes | None = field(default=None, repr=False)  # the pinned announcement, sealed
    muted: Mapping[int, int] = field(default_factory=dict)
    removed: frozenset[int] = frozenset()  # may not come back to this meeting
    admitted: frozenset[int] = frozenset()  # let in from the waiting room
    held: frozenset[int] = frozenset()  # sent back to the waiting room by a facilitator
    listening: frozenset[int] = frozenset()  # "just listening today": rounds skip them
    waiting: tuple[Member, ...] = ()

    def member(self, user_id: int) -> Member | None:
        """The present (or reconnecting) member with this id, if any."""
        return next((p.member for p in self.members if p.member.user_id == user_id), None)


@dataclass(frozen=True)
class RoomPolicy:
    """A group's automatic rules, handed to the engine with each admission (defaults as shown)."""

    group_id: int = 0
    allow_links: bool = False
    blocked_terms: tuple[str, ...] = field(default=(), repr=False)
    rate_messages: int = 5  # a member may send this many messages...
    rate_seconds: int = 10  # ...per this many seconds (burst: rate_messages)
    waiting_room: bool = False  # entrants wait until a facilitator admits them
    report_threshold: int = 3  # distinct reports that hide a message until reviewed


@dataclass(frozen=True)
class Admission:
    """The app's answer to "may this session enter this meeting's room?"."""

    member: Member | None  # None when refused
    close_code: int = 0  # 4401 / 4403 / 4404 / 4409 / 4410 when refused
    reason: str = ""  # short, safe to show; never chat text
    session_key: str = ""  # opaque; the engine re-checks it with `Gate.session_alive`
    meeting_ends_at: float | None = None  # unix time, if known
    policy: RoomPolicy = RoomPolicy()
    blocks: frozenset[int] = frozenset()  # members this member has blocked (all meetings)


class Gate(Protocol):
    """What `meeting/` hands the engine at start-up to decide entry (no import of `meeting`)."""

    async def admit(self, *, session_token: str | None, meeting_id: int) -> Admission: ...

    async def session_alive(self, *, session_key: str) -> bool: ...


class Ledger(Protocol):
    """What `meeting/` keeps for the engine: the audit (never content), bans, blocks, endings.

    Every call is made after the engine decided an action was allowed; `reason` is a reason
    code or the facilitator's own words, never a member's message.
    """

    async def record(
        self,
        *,
        meeting_id: int,
        actor_id: int | None,
        action: str,
        target_id: int | None = None,
        reason: str = "",
    ) -> None: ...

    async def ban(self, *, meeting_id: int, actor_id: int, user_id: int, reason: str) -> None: ...

    async def block(self, *, user_id: int, blocked_id: int, blocked: bool) -> None: ...

    async def end(self, *, meeting_id: int, actor_id: int) -> None:
        """Mark the meeting ended (the engine then closes its room everywhere)."""


@dataclass(frozen=True)
class Delivery:
    """One event as the broker hands it back to a subscriber: room, sequence number, bytes."""

    room: int
    seq: int
    payload: bytes = field(repr=False)  # sealed (encrypted) event; never log it
