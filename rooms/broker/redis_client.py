"""Connections to Redis for the room broker and state store: the command client and the guard
every call goes through.

    client = command_client(url, max_connections=16, op_timeout=5.0)
    reply = await guarded(client.ping(), 5.0, BrokerUnavailable, BrokerError)

No connection retries on its own and no socket timeout is set: each call is bounded by
`guarded`'s `asyncio.timeout` instead, and its errors never quote command arguments (payloads).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

__all__ = ["command_client", "connection_options", "guarded"]


async def guarded(
    call: Awaitable[Any], seconds: float, unavailable: type[Exception], failed: type[Exception]
) -> Any:
    """Await one Redis call for at most `seconds`, turning failures into payload-free errors:
    `unavailable(...)` when Redis cannot be reached, `failed(...)` for any other Redis error."""
    try:
        async with asyncio.timeout(seconds):
            return await call
    except (RedisConnectionError, RedisTimeoutError, TimeoutError, OSError) as exc:
        raise unavailable(f"redis is unreachable ({type(exc).__name__})") from exc
    except RedisError as exc:
        # `from None`: redis-py error texts can quote command arguments, i.e. the payload.
        raise failed(f"redis command failed ({type(exc).__name__})") from None


def command_client(url: str, max_connections: int, op_timeout: float) -> Redis:
    """A client on a `BlockingConnectionPool`: callers beyond `max_connections` wait (up to
    `op_timeout`) for a free connection instead of failing with MaxConnectionsError."""
    pool = BlockingConnectionPool.from_url(
        url, max_connections=max_connections, timeout=op_timeout, **connection_options(op_timeout)
    )
    return Redis.from_pool(pool)


def connection_options(op_timeout: float) -> dict[str, Any]:
    """Keyword arguments for a redis-py connection pool used with `guarded` calls."""
    return {
        "socket_timeout": None,  # every call is bounded by asyncio.timeout(op_timeout) instead
        "socket_connect_timeout": min(op_timeout, 2.0),
        "retry": Retry(NoBackoff(), 0),  # no silent retries: a retried publish could land twice
    }
