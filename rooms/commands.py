"""What the room core decides, as data: the `Context` a frame is judged in and the commands the
driver (`rooms.hub.Hub.execute`) carries out. Pure: nothing here does I/O.

Commands, in the order the core returns them, are executed one by one:

- `Reply(frame)`: send `encode(frame)` to this connection only.
- `Publish(event, client_id)`: publish a room event to everyone (the broker assigns `seq`);
  the author's copy of a message carries their `say`'s `client_id`.
- `Deliver(to, frame)`: a private frame for one member's connections (`to` a user id) or for
  the facilitators present (`to="staff"`: facilitators, hosts, admins), on every process; relayed
  live on the meeting's private channel and never logged.
- `RaiseHand` / `LowerHand` / `SetFloor` / `ReleaseFloor`: the hand queue and the floor; the
  hub publishes `hand` / `floor` events when they change.
- `SetFlag(flag, value)` / `SetMark(mark, user_id, value)`: room switches and per-member marks
  in the state store (see `rooms.state.base.Flag` and `Mark`).
- `Pin(announcement)`: seal and keep the pinned note (None unpins) and publish it.
- `Spoke(flood)`: remember this member's flood-control state after a relayed message.
- `Kick(user_id, code, reason)`: close that member's connections to this room on every process.
- `Audit(action, target_id, reason)`: record in the moderation audit that this happened.
- `Ban(user_id, reason)` / `Block(user_id, blocked)`: persisted by the app's `Ledger`.
- `Report(message_id, reason)`: count the report, tell the facilitators, hide at the threshold.
- `RefreshStaff()`: send the facilitators present a fresh `moderation` frame.
- `EndMeeting()`: mark the meeting ended and close the room everywhere.
- `Replay(after_seq)`, `Depart(member)`, `Close(code)`: see `rooms.core`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from moderation.flood import RecentMessages, TokenBucket
from moderation.resources import DEFAULT as DEFAULT_RESOURCES
from moderation.resources import CrisisResources
from rooms.protocol import Announcement, PrivateFrame, RoomEvent
from rooms.state.base import Flag, Mark
from rooms.types import Member, RoomPolicy, RoomSnapshot


def new_message_id() -> str:
    """A random, URL-safe, practically unique message id (12 characters)."""
    return secrets.token_urlsafe(9)


@dataclass(frozen=True)
class Flood:
    """One member's flood-control state in one room (kept in process memory, never text)."""

    bucket: TokenBucket | None = None
    recent: RecentMessages = field(default_factory=RecentMessages)
    last_say_ms: int = 0


@dataclass(frozen=True)
class Context:
    """The situation one frame is judged in. Pass `now_ms` and `new_id` so tests can fix them.

    `room` should be fresh (read from the state store for this frame) for every frame that
    depends on moderation state; `blocks` are the members this member has blocked.
    """

    member: Member
    room: RoomSnapshot
    now_ms: int
    new_id: Callable[[], str] = new_message_id
    policy: RoomPolicy = field(default_factory=RoomPolicy)
    flood: Flood = field(default_factory=Flood)
    blocks: frozenset[int] = frozenset()
    resources: CrisisResources = DEFAULT_RESOURCES


@dataclass(frozen=True)
class Reply:
    frame: PrivateFrame


@dataclass(frozen=True)
class Publish:
    event: RoomEvent
    client_id: str | None = None  # the author's `say` id, for their own copy only


Audience = int | Literal["staff"]


@dataclass(frozen=True)
class Deliver:
    to: Audience
    frame: PrivateFrame


@dataclass(frozen=True)
class RaiseHand:
    user_id: int


@dataclass(frozen=True)
class LowerHand:
    user_id: int


@dataclass(frozen=True)
class SetFloor:
    holder: int | None


@dataclass(frozen=True)
class ReleaseFloor:
    user_id: int


@dataclass(frozen=True)
class SetFlag:
    flag: Flag
    value: str | None


@dataclass(frozen=True)
class SetMark:
    mark: Mark
    user_id: int
    value: str | None


@dataclass(frozen=True)
class Pin:
    announcement: Announcement | None


@dataclass(frozen=True)
class Spoke:
    flood: Flood


@dataclass(frozen=True)
class Kick:
    user_id: int
    code: int
    reason: str  # a fixed `CloseReason`, never chat text


@dataclass(frozen=True)
class Audit:
    action: str  # a `moderation.audit.AuditAction`
    target_id: int | None = None
    reason: str = field(default="", repr=False)
    anonymous: bool = False  # record no actor (crisis alerts, reports)


@dataclass(frozen=True)
class Ban:
    user_id: int
    reason: str = field(default="", repr=False)


@dataclass(frozen=True)
class Block:
    user_id: int
    blocked: bool


@dataclass(frozen=True)
class Report:
    message_id: str
    reason: str


@dataclass(frozen=True)
class RefreshStaff:
    pass


@dataclass(frozen=True)
class EndMeeting:
    pass


@dataclass(frozen=True)
class Replay:
    after_seq: int


@dataclass(frozen=True)
class Depart:
    member: Member


@dataclass(frozen=True)
class Close:
    code: int
    reason: str = ""  # short and fixed; never chat text


Command = (
    Reply
    | Publish
    | Deliver
    | RaiseHand
    | LowerHand
    | SetFloor
    | ReleaseFloor
    | SetFlag
    | SetMark
    | Pin
    | Spoke
    | Kick
    | Audit
    | Ban
    | Block
    | Report
    | RefreshStaff
    | EndMeeting
    | Replay
    | Depart
    | Close
)
