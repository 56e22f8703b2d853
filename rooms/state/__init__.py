"""Room state stores: the contract, an in-process and a Redis implementation.

Pick one with `state_from_url(settings.redis_url, hub=...)`. See `rooms.state.base` for the
presence model and `rooms.state.base.RoomState` for how to call it.
"""

from __future__ import annotations

from rooms.broker import MemoryHub, is_redis_url
from rooms.broker.base import DEFAULT_PREFIX
from rooms.state.base import DEFAULT_PRESENCE_TTL, RoomState, StateError, StateUnavailable
from rooms.state.memory import MemoryState
from rooms.state.redis import RedisState

__all__ = [
    "MemoryState",
    "RedisState",
    "RoomState",
    "StateError",
    "StateUnavailable",
    "state_from_url",
]


def state_from_url(
    url: str | None,
    *,
    prefix: str = DEFAULT_PREFIX,
    hub: MemoryHub | None = None,
    presence_ttl: float = DEFAULT_PRESENCE_TTL,
    grace: float | None = None,
) -> RoomState:
    """A `MemoryState` when `url` is None, a `RedisState` for redis://, rediss:// or unix://.

    In memory mode pass the hub of the `MemoryBroker` (``broker.hub``) so that `snapshot().seq`
    is the broker's; a fresh hub is made otherwise. Await `connect()` before use.
    """
    if url is None:
        return MemoryState(hub, presence_ttl=presence_ttl, grace=grace)
    if is_redis_url(url):
        return RedisState(url, prefix=prefix, presence_ttl=presence_ttl, grace=grace)
    raise ValueError("state URL must start with redis://, rediss:// or unix://")
