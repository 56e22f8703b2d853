"""Room event brokers: the contract, an in-process and a Redis implementation.

Pick one with `broker_from_url(settings.redis_url)`: memory when the URL is None (a single
process), Redis otherwise. See `rooms.broker.base.Broker` for how to call it.
"""

from __future__ import annotations

from rooms.broker.base import (
    DEFAULT_LOG_SIZE,
    DEFAULT_LOG_TTL,
    DEFAULT_PREFIX,
    Broker,
    BrokerClosed,
    BrokerError,
    BrokerUnavailable,
    RedisKeys,
)
from rooms.broker.memory import MemoryBroker, MemoryHub
from rooms.broker.redis import RedisBroker

__all__ = [
    "Broker",
    "BrokerClosed",
    "BrokerError",
    "BrokerUnavailable",
    "MemoryBroker",
    "MemoryHub",
    "RedisBroker",
    "RedisKeys",
    "broker_from_url",
    "is_redis_url",
]

_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def is_redis_url(url: str | None) -> bool:
    """True for the URL schemes redis-py understands (redis://, rediss://, unix://)."""
    return url is not None and url.startswith(_REDIS_SCHEMES)


def broker_from_url(
    url: str | None,
    *,
    prefix: str = DEFAULT_PREFIX,
    hub: MemoryHub | None = None,
    log_size: int = DEFAULT_LOG_SIZE,
    log_ttl: float = DEFAULT_LOG_TTL,
) -> Broker:
    """A `MemoryBroker` when `url` is None, a `RedisBroker` for redis://, rediss:// or unix://.

    In memory mode pass the same `hub` to `rooms.state.state_from_url` so that snapshots see the
    broker's sequence numbers (a fresh hub is made otherwise). Not connected yet: await
    `connect()`. Raises ValueError for other schemes (the URL itself is not echoed: it may hold a
    password).
    """
    if url is None:
        return MemoryBroker(hub, log_size=log_size, log_ttl=log_ttl)
    if is_redis_url(url):
        return RedisBroker(url, prefix=prefix, log_size=log_size, log_ttl=log_ttl)
    raise ValueError("broker URL must start with redis://, rediss:// or unix://")
