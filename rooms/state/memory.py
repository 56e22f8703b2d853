"""In-process state store with the Redis store's semantics, for one-process deployments and tests.

Its data lives on a `MemoryHub`, so several `MemoryState` instances on one hub act like processes
sharing one Redis, and `snapshot()` reads the seq of the `MemoryBroker`s on the same hub.
Deadlines use `time.monotonic()`. Unlike Redis, rooms have no idle TTL: call `clear()`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rooms.broker.memory import MemoryHub
from rooms.state.base import DEFAULT_PRESENCE_TTL, Flag, Mark, build_snapshot, check_node
from rooms.types import Member, Presence, PresenceStatus, RoomSnapshot

__all__ = ["MemoryState"]

_GRACE = ""  # the node part of a member's reconnect-grace deadline, as in Redis


@dataclass
class _Record:
    member: Member
    conns: dict[str, int] = field(default_factory=dict)  # node -> live connections


@dataclass
class _Room:
    records: dict[int, _Record] = field(default_factory=dict)
    deadlines: dict[tuple[int, str], float] = field(default_factory=dict)
    hands: list[int] = field(default_factory=list)
    floor: int | None = None
    flags: dict[str, str] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)  # "<mark>:<uid>" -> value
    reports: dict[str, set[int]] = field(default_factory=dict)  # message id -> reporters
    first: dict[int, int] = field(default_factory=dict)


@dataclass
class _Data:
    rooms: dict[int, _Room] = field(default_factory=dict)
    users: dict[int, tuple[int, float]] = field(default_factory=dict)  # uid -> (count, deadline)


class MemoryState:
    """See `rooms.state.base.RoomState`. Usage: ``MemoryState(hub, presence_ttl=30.0)``."""

    def __init__(
        self,
        hub: MemoryHub | None = None,
        *,
        presence_ttl: float = DEFAULT_PRESENCE_TTL,
        grace: float | None = None,
        node: str | None = None,
    ) -> None:
        self.hub = hub if hub is not None else MemoryHub()
        data = self.hub.stores.get("state")
        if not isinstance(data, _Data):
            data = self.hub.stores["state"] = _Data()
        self._data = data
        self._ttl = presence_ttl
        self._grace = presence_ttl if grace is None else grace
        self.node = None if node is None else check_node(node)

    async def connect(self) -> None:
        return None

    async def disconnect(self) -> None:
        return None

    async def join(self, room: int, member: Member, node: str) -> bool:
        self.node = check_node(node)
        state, now = self._room(room), time.monotonic()
        record = _load(state, member.user_id, now)
        fresh = record is None
        if record is None:
            record = state.records[member.user_id] = _Record(member)
        record.member = member
        record.conns[node] = record.conns.get(node, 0) + 1
        state.deadlines[member.user_id, node] = now + self._ttl
        state.deadlines.pop((member.user_id, _GRACE), None)
        return fresh

    async def mark_reconnecting(self, room: int, user_id: int, node: str | None = None) -> bool:
        return self._part(room, user_id, node, leave=False)

    async def leave(self, room: int, user_id: int, node: str | None = None) -> bool:
        return self._part(room, user_id, node, leave=True)

    async def still_reconnecting(self, room: int, user_id: int) -> bool:
        record = _load(self._room(room), user_id, time.monotonic())
        return record is not None and not record.conns

    async def heartbeat(self, node: str, members: Mapping[int, Iterable[int]]) -> list[tuple[int, int]]:
        self.node = check_node(node)
        now, missing = time.monotonic(), []
        for room, user_ids in members.items():
            state = self._room(room)
            for uid in user_ids:
                if (uid, node) in state.deadlines and uid in state.records:
                    state.deadlines[uid, node] = now + self._ttl
                else:
                    missing.append((room, uid))
                count = self._data.users.get(uid)
                if count is not None and count[1] > now:
                    self._data.users[uid] = (count[0], now + self._ttl)
        return missing

    async def reap(self, room: int) -> list[int]:
        state, now = self._room(room), time.monotonic()
        expired = [key for key, deadline in state.deadlines.items() if deadline <= now]
        gone: set[int] = set()
        for uid in {uid for uid, _ in expired}:
            existed = uid in state.records
            if _load(state, uid, now) is None and existed:
                gone.add(uid)
        for key in expired:
            state.deadlines.pop(key, None)
        return sorted(gone)

    async def raise_hand(self, room: int, user_id: int) -> tuple[int, ...]:
        hands = self._room(room).hands
        if user_id not in hands:
            hands.append(user_id)
        return tuple(hands)

    async def lower_hand(self, room: int, user_id: int) -> tuple[int, ...]:
        hands = self._room(room).hands
        if user_id in hands:
            hands.remove(user_id)
        return tuple(hands)

    async def set_floor(self, room: int, user_id: int | None) -> bool:
        state = self._room(room)
        changed = state.floor != user_id
        state.floor = user_id
        return changed

    async def release_floor(self, room: int, user_id: int) -> bool:
        state = self._room(room)
        if state.floor != user_id:
            return False
        state.floor = None
        return True

    async def set_flag(self, room: int, flag: Flag, value: str | None) -> None:
        _put(self._room(room).flags, flag.value, value)

    async def set_mark(self, room: int, mark: Mark, user_id: int, value: str | None) -> bool:
        return _put(self._room(room).marks, f"{mark.value}:{user_id}", value)

    async def count_report(self, room: int, message_id: str, reporter: int) -> int:
        reporters = self._room(room).reports.setdefault(message_id, set())
        reporters.add(reporter)
        return len(reporters)

    async def first_seq(self, room: int, user_id: int, current: int) -> int:
        return self._room(room).first.setdefault(user_id, current)

    async def snapshot(self, room: int, *, members: bool = True) -> RoomSnapshot:
        state = self._data.rooms.get(room) or _Room()
        present = tuple(
            Presence(rec.member, PresenceStatus.present if rec.conns else PresenceStatus.reconnecting)
            for _, rec in sorted(state.records.items())
            if members
        )
        return build_snapshot(
            members=present,
            hands=state.hands,
            floor=state.floor,
            flags=state.flags,
            marks=state.marks,
            seq=self.hub.current_seq(room),
        )

    async def connections(self, user_id: int, delta: int) -> int:
        now = time.monotonic()
        count, deadline = self._data.users.get(user_id, (0, now))
        count = (count if deadline > now else 0) + delta
        if count <= 0:
            self._data.users.pop(user_id, None)
            return 0
        self._data.users[user_id] = (count, now + self._ttl)
        return count

    async def clear(self, room: int) -> None:
        self._data.rooms.pop(room, None)

    def _room(self, room: int) -> _Room:
        state = self._data.rooms.get(room)
        if state is None:
            state = self._data.rooms[room] = _Room()
        return state

    def _part(self, room: int, user_id: int, node: str | None, *, leave: bool) -> bool:
        node = node if node is not None else self.node
        if node is None:  # this store never joined anyone: no connection of ours to end
            return False
        state, now = self._room(room), time.monotonic()
        record = _load(state, user_id, now)
        if record is None:
            return False
        if (count := record.conns.get(node, 0)) > 0:
            if count > 1:
                record.conns[node] = count - 1
            else:
                del record.conns[node]
                state.deadlines.pop((user_id, node), None)
        elif not leave:
            return False
        if record.conns:
            return False
        if leave:
            del state.records[user_id]
            state.deadlines.pop((user_id, _GRACE), None)
        else:
            state.deadlines[user_id, _GRACE] = now + self._grace
        return True


def _put(table: dict[str, str], key: str, value: str | None) -> bool:
    """Set or (None) delete `key`; True if it was there before."""
    existed = key in table
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
    return existed


def _load(state: _Room, user_id: int, now: float) -> _Record | None:
    """The member's record with expired connections pruned; deletes it if nothing is left."""
    record = state.records.get(user_id)
    if record is None:
        return None
    for node in list(record.conns):
        if state.deadlines.get((user_id, node), 0.0) <= now:
            del record.conns[node]
            state.deadlines.pop((user_id, node), None)
    if not record.conns and state.deadlines.get((user_id, _GRACE), 0.0) <= now:
        del state.records[user_id]
        state.deadlines.pop((user_id, _GRACE), None)
        return None
    return record
