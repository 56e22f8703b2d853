"""The room state store contract: presence, hand queue, floor and flags shared by all processes.

State holds ids, display names and roles only, never chat text. Presence model:

- Each connection of a member is counted per (room, user, node); a member is *present* while any
  count is live, so several tabs or processes keep them present until the last one goes.
- A node's connections stay live while it calls `heartbeat()` (every ~10 s); they expire
  `presence_ttl` seconds (default 30) after the last one, so members of a crashed process vanish.
- `mark_reconnecting()` ends one connection unexpectedly; after the last one the member is listed
  as *reconnecting* for `grace` seconds (default: `presence_ttl`), then `reap()` removes them.
- Expired entries are only removed by `reap()` (any process may call it) or pruned lazily when
  the same member is touched again; `snapshot()` does not prune, so call `reap()` first if the
  snapshot must be fresh.

`leave()` and `reap()` do not touch the hand queue or the floor: the caller lowers a departed
member's hand (`lower_hand`) and releases the floor (`release_floor`) and announces both.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Protocol

from rooms.types import Member, Presence, RoomRole, RoomSnapshot

__all__ = [
    "DEFAULT_PRESENCE_TTL",
    "Flag",
    "Mark",
    "RoomState",
    "StateError",
    "StateUnavailable",
    "build_snapshot",
    "check_node",
    "encode_member",
]

DEFAULT_PRESENCE_TTL = 20.0  # heartbeats every 5 s: a dead process's members go within ~25 s


class Flag(StrEnum):
    """Room-wide switches, kept as text: "1"/absent, seconds, JSON or base64 of sealed bytes."""

    locked = "locked"
    slow = "slow"
    facilitated = "facilitated"
    round = "round"  # JSON of the sharing round (`rooms.rounds`)
    note = "note"  # the pinned announcement, sealed with the room's key, base64


class Mark(StrEnum):
    """Per-member marks: `muted` holds until (unix ms, "0" = until unmuted), `waiting` holds the
    entrant as JSON ``{"n": name, "r": role, "t": since}``, `admitted` holds "1" (let in) or
    "0" (sent back to the waiting room), the others hold "1"."""

    muted = "muted"
    removed = "removed"
    admitted = "admitted"
    listening = "listening"
    waiting = "waiting"


class StateError(Exception):
    """Base of state store errors. Messages carry no names and no chat text."""


class StateUnavailable(StateError):
    """The backend (Redis) cannot be reached right now."""


def check_node(node: str) -> str:
    """Node ids name a process (e.g. `secrets.token_hex(6)`): non-empty, without '|'."""
    if not node or "|" in node:
        raise ValueError("node id must be non-empty and must not contain '|'")
    return node


class RoomState(Protocol):
    """Per-room state. Implementations: `MemoryState`, `RedisState` (both atomic per call).

    `node` arguments name the calling process. Where a method makes `node` optional it defaults
    to the node this store instance last used in `join()`/`heartbeat()` (a store instance serves
    one process).
    """

    async def connect(self) -> None:
        """Open connections; raises `StateUnavailable` if the backend is unreachable."""

    async def disconnect(self) -> None:
        """Close connections."""

    async def join(self, room: int, member: Member, node: str) -> bool:
        """Count one connection of `member` on `node`; True if they were neither present nor
        reconnecting before (a fresh join, announce it), False otherwise (a tab or a return)."""

    async def mark_reconnecting(self, room: int, user_id: int, node: str | None = None) -> bool:
        """One connection dropped unexpectedly; True if it was their last (now reconnecting)."""

    async def leave(self, room: int, user_id: int, node: str | None = None) -> bool:
        """One connection ended on purpose; True if the member is now gone from the room.

        A member who is reconnecting (no live connection) is removed outright."""

    async def still_reconnecting(self, room: int, user_id: int) -> bool:
        """True while the member is listed but has no live connection (inside their grace)."""

    async def heartbeat(self, node: str, members: Mapping[int, Iterable[int]]) -> list[tuple[int, int]]:
        """Keep `node`'s connections alive: `members` maps room -> user ids connected here.

        Returns (room, user id) pairs the store no longer knows (reaped while this process
        stalled); the caller should `join` them again."""

    async def reap(self, room: int) -> list[int]:
        """Remove and return (ascending) the members whose connections and grace all expired."""

    async def raise_hand(self, room: int, user_id: int) -> tuple[int, ...]:
        """Queue the hand (no-op if already queued); returns the queue, oldest first."""

    async def lower_hand(self, room: int, user_id: int) -> tuple[int, ...]:
        """Take the hand out of the queue (no-op if absent); returns the queue."""

    async def set_floor(self, room: int, user_id: int | None) -> bool:
        """Give the floor to `user_id` (None: nobody); True if the holder changed."""

    async def release_floor(self, room: int, user_id: int) -> bool:
        """Clear the floor only if `user_id` holds it; True if it did (compare-and-clear)."""

    async def set_flag(self, room: int, flag: Flag, value: str | None) -> None:
        """Set a room switch (None deletes it): locked "1", slow "<seconds>", and so on."""

    async def set_mark(self, room: int, mark: Mark, user_id: int, value: str | None) -> bool:
        """Set (or with None, delete) a member's mark; True if the mark was there before."""

    async def count_report(self, room: int, message_id: str, reporter: int) -> int:
        """Count `reporter`'s report of the message once; return how many members reported it."""

    async def first_seq(self, room: int, user_id: int, current: int) -> int:
        """Record `current` as the member's first seq in this meeting (first call only); return it."""

    async def snapshot(self, room: int, *, members: bool = True) -> RoomSnapshot:
        """Members (ascending user id) with status, hands, floor, flags and the broker's current seq.

        `members=False` leaves the member list empty and is cheaper: for judging a chat message,
        which needs the marks and switches but not who is present."""

    async def connections(self, user_id: int, delta: int) -> int:
        """Add `delta` to the user's connection count across all rooms and processes; return it.

        Never below 0. Kept alive by `heartbeat()` for the users it lists, so counts held by a
        crashed process disappear within `presence_ttl`."""

    async def clear(self, room: int) -> None:
        """Delete all state of the room (the meeting ended). The broker's `forget` is separate."""


def encode_member(member: Member, since_ms: int) -> str:
    """A waiting entrant as a `Mark.waiting` value (`since_ms` orders the waiting list)."""
    return json.dumps({"n": member.name, "r": member.role.value, "t": since_ms}, separators=(",", ":"))


def build_snapshot(
    *,
    members: Iterable[Presence],
    hands: Iterable[int],
    floor: int | None,
    flags: Mapping[str, str],
    marks: Mapping[str, str],
    seq: int,
) -> RoomSnapshot:
    """The snapshot both stores return, from their raw flags and ``"<mark>:<uid>"`` marks."""
    by_kind: dict[str, dict[int, str]] = {kind: {} for kind in Mark}
    for key, value in marks.items():
        kind, _, uid = key.partition(":")
        if kind in by_kind and uid.isdigit():
            by_kind[kind][int(uid)] = value
    waiting = sorted(by_kind[Mark.waiting].items(), key=lambda item: json.loads(item[1]).get("t", 0))
    note = flags.get(Flag.note)
    return RoomSnapshot(
        members=tuple(sorted(members, key=lambda p: p.member.user_id)),
        hands=tuple(hands),
        floor=floor,
        locked=flags.get(Flag.locked) == "1",
        slow_mode=int(flags.get(Flag.slow) or 0),
        seq=seq,
        facilitated=flags.get(Flag.facilitated) == "1",
        round=flags.get(Flag.round) or None,
        note=base64.b64decode(note) if note else None,
        muted={uid: int(until) for uid, until in by_kind[Mark.muted].items()},
        removed=frozenset(by_kind[Mark.removed]),
        admitted=frozenset(uid for uid, v in by_kind[Mark.admitted].items() if v == "1"),
        held=frozenset(uid for uid, v in by_kind[Mark.admitted].items() if v == "0"),
        listening=frozenset(by_kind[Mark.listening]),
        waiting=tuple(_waiting(uid, raw) for uid, raw in waiting),
    )


def _waiting(user_id: int, raw: str) -> Member:
    record = json.loads(raw)
    return Member(user_id, record["n"], RoomRole(record["r"]))
