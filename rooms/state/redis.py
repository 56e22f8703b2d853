"""Redis state store: every mutation is one Lua script, every read of a room one MULTI.

Keys, under the same prefix as the broker (default ``hearth:``):

- ``room:<id>:presence``  hash uid -> ``{"n": name, "r": role, "c": {node: connections}}``
- ``room:<id>:deadlines`` zset ``"<uid>|<node>"`` -> liveness deadline (ms, Redis clock) and
  ``"<uid>|"`` -> reconnect grace deadline
- ``room:<id>:hands`` list of uids, oldest first; ``room:<id>:flags`` hash floor/locked/slow;
  ``room:<id>:first`` hash uid -> first seq
- ``room:<id>:seq`` is the broker's counter, read by `snapshot()` in the same MULTI
- ``user:<id>:conns`` the user's connection count across rooms and processes

Room keys expire `room_ttl` after their last write (12 h, like the broker's log) in case a
meeting is never cleared.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from rooms.broker.base import DEFAULT_LOG_TTL, DEFAULT_PREFIX, RedisKeys
from rooms.broker.redis import command_client, guarded
from rooms.state import lua
from rooms.state.base import (
    DEFAULT_PRESENCE_TTL,
    Flag,
    Mark,
    StateError,
    StateUnavailable,
    build_snapshot,
    check_node,
)
from rooms.types import Member, Presence, PresenceStatus, RoomRole, RoomSnapshot

__all__ = ["RedisState"]

_SCRIPTS = {
    "join": lua.JOIN,
    "part": lua.PART,
    "still_reconnecting": lua.STILL_RECONNECTING,
    "heartbeat": lua.HEARTBEAT,
    "reap": lua.REAP,
    "raise_hand": lua.RAISE_HAND,
    "lower_hand": lua.LOWER_HAND,
    "set_floor": lua.SET_FLOOR,
    "release_floor": lua.RELEASE_FLOOR,
    "put_field": lua.PUT_FIELD,
    "count_report": lua.COUNT_REPORT,
    "first_seq": lua.FIRST_SEQ,
    "connections": lua.CONNECTIONS,
}
_ROOM_PARTS = ("presence", "deadlines", "hands", "flags", "marks", "reports", "first")


class RedisState:
    """See `rooms.state.base.RoomState`. Usage: ``state = RedisState(url); await state.connect()``.

    `presence_ttl` (seconds) is how long a node's connections outlive its last heartbeat;
    `grace` how long a member stays "reconnecting" (default: `presence_ttl`).
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        presence_ttl: float = DEFAULT_PRESENCE_TTL,
        grace: float | None = None,
        room_ttl: float = DEFAULT_LOG_TTL,
        node: str | None = None,
        max_connections: int = 16,
        op_timeout: float = 5.0,
    ) -> None:
        self.node = None if node is None else check_node(node)
        self._url = url
        self._keys = RedisKeys(prefix)
        self._ttl_ms = _ms(presence_ttl)
        self._grace_ms = _ms(presence_ttl if grace is None else grace)
        self._room_ttl_ms = _ms(room_ttl)
        self._max_connections = max_connections
        self._op_timeout = op_timeout
        self._client: Redis | None = None
        self._scripts: dict[str, AsyncScript] = {}

    async def connect(self) -> None:
        if self._client is not None:
            return
        client = command_client(self._url, self._max_connections, self._op_timeout)
        self._client = client
        self._scripts = {name: client.register_script(text) for name, text in _SCRIPTS.items()}
        try:
            await self._call(client.ping())
        except BaseException:
            await self.disconnect()
            raise

    async def disconnect(self) -> None:
        client, self._client = self._client, None
        self._scripts = {}
        if client is not None:
            await client.aclose()

    # -- presence --------------------------------------------------------------------------------

    async def join(self, room: int, member: Member, node: str) -> bool:
        self.node = check_node(node)
        args = [member.user_id, node, member.name, member.role.value, self._ttl_ms, self._room_ttl_ms]
        return bool(await self._run("join", self._presence_keys(room), args))

    async def mark_reconnecting(self, room: int, user_id: int, node: str | None = None) -> bool:
        return await self._part(room, user_id, node, "away")

    async def leave(self, room: int, user_id: int, node: str | None = None) -> bool:
        return await self._part(room, user_id, node, "leave")

    async def still_reconnecting(self, room: int, user_id: int) -> bool:
        return bool(await self._run("still_reconnecting", self._presence_keys(room), [user_id]))

    async def heartbeat(self, node: str, members: Mapping[int, Iterable[int]]) -> list[tuple[int, int]]:
        self.node = check_node(node)
        rooms = [(room, list(uids)) for room, uids in members.items()]
        keys = [key for room, _ in rooms for key in self._presence_keys(room)]
        users = sorted({uid for _, uids in rooms for uid in uids})
        keys += [self._keys.user(uid, "conns") for uid in users]
        args: list[Any] = [node, self._ttl_ms, self._room_ttl_ms, len(rooms)]
        args += [" ".join(map(str, uids)) for _, uids in rooms]
        flat = await self._run("heartbeat", keys, args)
        return [(rooms[int(flat[i]) - 1][0], int(flat[i + 1])) for i in range(0, len(flat), 2)]

    async def reap(self, room: int) -> list[int]:
        return sorted(int(uid) for uid in await self._run("reap", self._presence_keys(room), []))

    # -- hands, floor, flags ---------------------------------------------------------------------

    async def raise_hand(self, room: int, user_id: int) -> tuple[int, ...]:
        hands = await self._run("raise_hand", [self._keys.room(room, "hands")], [user_id, self._room_ttl_ms])
        return tuple(map(int, hands))

    async def lower_hand(self, room: int, user_id: int) -> tuple[int, ...]:
        hands = await self._run("lower_hand", [self._keys.room(room, "hands")], [user_id])
        return tuple(map(int, hands))

    async def set_floor(self, room: int, user_id: int | None) -> bool:
        holder = "" if user_id is None else str(user_id)
        flags = [self._keys.room(room, "flags")]
        return bool(await self._run("set_floor", flags, [holder, self._room_ttl_ms]))

    async def release_floor(self, room: int, user_id: int) -> bool:
        return bool(await self._run("release_floor", [self._keys.room(room, "flags")], [user_id]))

    async def set_flag(self, room: int, flag: Flag, value: str | None) -> None:
        await self._put(room, "flags", flag.value, value)

    async def set_mark(self, room: int, mark: Mark, user_id: int, value: str | None) -> bool:
        return await self._put(room, "marks", f"{mark.value}:{user_id}", value)

    async def count_report(self, room: int, message_id: str, reporter: int) -> int:
        keys = [self._keys.room(room, "reports")]
        return int(await self._run("count_report", keys, [message_id, reporter, self._room_ttl_ms]))

    # -- the rest --------------------------------------------------------------------------------

    async def first_seq(self, room: int, user_id: int, current: int) -> int:
        keys = [self._keys.room(room, "first")]
        return int(await self._run("first_seq", keys, [user_id, current, self._room_ttl_ms]))

    async def snapshot(self, room: int, *, members: bool = True) -> RoomSnapshot:
        client, k = self._require(), self._keys
        async with client.pipeline(transaction=True) as pipe:
            pipe.hgetall(k.room(room, "presence") if members else k.room(room, "-"))  # "-": no such key
            pipe.lrange(k.room(room, "hands"), 0, -1)
            pipe.hgetall(k.room(room, "flags"))
            pipe.hgetall(k.room(room, "marks"))
            pipe.get(k.seq(room))
            records, hands, flags, marks, seq = await self._call(pipe.execute())
        flags, marks = _text(flags), _text(marks)
        floor = flags.pop("floor", None)
        return build_snapshot(
            members=(_presence(int(uid), raw) for uid, raw in records.items()),
            hands=map(int, hands),
            floor=None if floor is None else int(floor),
            flags=flags,
            marks=marks,
            seq=0 if seq is None else int(seq),
        )

    async def connections(self, user_id: int, delta: int) -> int:
        keys = [self._keys.user(user_id, "conns")]
        return int(await self._run("connections", keys, [delta, self._ttl_ms]))

    async def clear(self, room: int) -> None:
        client = self._require()
        await self._call(client.delete(*(self._keys.room(room, part) for part in _ROOM_PARTS)))

    # -- helpers ---------------------------------------------------------------------------------

    async def _part(self, room: int, user_id: int, node: str | None, mode: str) -> bool:
        node = node if node is not None else self.node
        if node is None:  # this store never joined anyone: no connection of ours to end
            return False
        args = [user_id, node, mode, self._grace_ms, self._room_ttl_ms]
        return bool(await self._run("part", self._presence_keys(room), args))

    async def _put(self, room: int, part: str, field: str, value: str | None) -> bool:
        args = [field, value or "", 0 if value is None else 1, self._room_ttl_ms]
        return bool(await self._run("put_field", [self._keys.room(room, part)], args))

    def _presence_keys(self, room: int) -> list[str]:
        return [self._keys.room(room, "presence"), self._keys.room(room, "deadlines")]

    async def _run(self, name: str, keys: list[str], args: list[Any]) -> Any:
        self._require()
        return await self._call(self._scripts[name](keys=keys, args=args))

    async def _call(self, call: Any) -> Any:
        return await guarded(call, self._op_timeout, StateUnavailable, StateError)

    def _require(self) -> Redis:
        if self._client is None:
            raise StateError("state store is not connected")
        return self._client


def _presence(user_id: int, raw: bytes) -> Presence:
    record = json.loads(raw)
    status = PresenceStatus.present if record["c"] else PresenceStatus.reconnecting
    return Presence(Member(user_id, record["n"], RoomRole(record["r"])), status)


def _text(raw: dict[bytes, bytes]) -> dict[str, str]:
    return {key.decode(): value.decode() for key, value in raw.items()}


def _ms(seconds: float) -> int:
    return max(int(seconds * 1000), 1)
