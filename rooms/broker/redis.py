"""Redis broker: one pub/sub connection per process, a small pool for commands.

Wire format: every event travels and is logged as ``b"<seq>:" + sealed_payload``.

Keys (prefix default ``hearth:``): ``<prefix>room:<id>:seq`` (INCR counter) and
``<prefix>room:<id>:log`` (list of the newest `log_size` entries); both get a TTL refreshed by
every publish. Channel: ``<prefix>room:<id>``.

Publishing runs one Lua script (INCR, RPUSH, LTRIM, PEXPIRE, PUBLISH): Redis runs scripts one at
a time, so sequence numbers are handed out and published in the same order, whichever process
publishes. Subscribers therefore see each room's events in seq order.

The pub/sub link (listener task, reconnects, PING health checks) is `rooms.broker.redis_link`;
the command client and its error guard are `rooms.broker.redis_client`.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from redis.asyncio import Redis
from redis.commands.core import AsyncScript

from rooms.broker.base import (
    DEFAULT_LOG_SIZE,
    DEFAULT_LOG_TTL,
    DEFAULT_PREFIX,
    BrokerClosed,
    BrokerError,
    BrokerUnavailable,
    RedisKeys,
    SeqOrigin,
    log_size,
)
from rooms.broker.redis_client import command_client, guarded
from rooms.broker.redis_link import PubSubLink, decode
from rooms.types import Delivery

__all__ = ["RedisBroker", "command_client", "guarded"]


# KEYS: seq, log. ARGV: payload, log size (0: relay only), ttl (ms), channel, seq origin ('clock'
# or 'zero').
# A missing counter starts at the server's clock in microseconds, not at 0: Redis keeps nothing on
# disk, so after a restart (or expiry) the counter must not begin again below numbers that
# members already saw, or their clients would drop new events as old ones. It then counts by one.
_PUBLISH = """
if ARGV[5] == 'clock' and redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  redis.call('SET', KEYS[1], now[1] .. string.format('%06d', tonumber(now[2])))
end
local seq = redis.call('INCR', KEYS[1])
local entry = string.format('%d', seq) .. ':' .. ARGV[1]  -- not seq .. '': large numbers print as 1.79e+15
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if ARGV[2] ~= '0' then
  redis.call('RPUSH', KEYS[2], entry)
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
redis.call('PUBLISH', ARGV[4], entry)
return seq
"""

# KEYS: seq, log. ARGV: after_seq (>= 0). The log's last entry is always the current seq, so the
# entries after `after` are exactly the last (current - after) ones, or fewer if trimmed.
_HISTORY = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = tonumber(ARGV[1])
if current <= after then return {current, {}} end
return {current, redis.call('LRANGE', KEYS[2], after - current, -1)}
"""


class RedisBroker:
    """The broker for multi-process deployments. See `rooms.broker.base.Broker` for the contract.

    Usage: ``broker = RedisBroker("redis://127.0.0.1:6379/0"); await broker.connect()``.
    `prefix` namespaces every key and channel (tests use a unique one). `max_connections` bounds
    the command pool; callers beyond it wait up to `op_timeout` instead of failing.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        log_size: int = DEFAULT_LOG_SIZE,
        log_ttl: float = DEFAULT_LOG_TTL,
        max_connections: int = 16,
        op_timeout: float = 5.0,
        health_interval: float = 10.0,
        seq_origin: SeqOrigin = "clock",
    ) -> None:
        if log_size < 1 or log_ttl <= 0:
            raise ValueError("log_size and log_ttl must be positive")
        self._seq_origin = seq_origin
        self._url = url
        self._keys = RedisKeys(prefix)
        self._log_size = log_size
        self._log_ttl_ms = max(int(log_ttl * 1000), 1)
        self._max_connections = max_connections
        self._op_timeout = op_timeout
        self._client: Redis | None = None
        self._publish_script: AsyncScript | None = None
        self._history_script: AsyncScript | None = None
        self._link = PubSubLink(op_timeout=op_timeout, health_interval=health_interval)

    @property
    def reconnects(self) -> int:
        """How often the pub/sub link was re-established (a metric)."""
        return self._link.reconnects

    @reconnects.setter
    def reconnects(self, value: int) -> None:  # `Broker.reconnects` is a plain attribute
        self._link.reconnects = value

    # -- lifecycle -------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the command pool and the pub/sub link; `BrokerUnavailable` if Redis is down."""
        if self._client is not None:
            return
        self._client = client = command_client(self._url, self._max_connections, self._op_timeout)
        self._publish_script = client.register_script(_PUBLISH)
        self._history_script = client.register_script(_HISTORY)
        self._link.prepare(self._url)
        try:
            await self._command(client.ping())
            await self._link.start()
        except BaseException:
            await self.disconnect()
            raise

    async def disconnect(self) -> None:
        """Stop the listener, drop pending deliveries, close every connection."""
        await self._link.stop()
        client, self._client = self._client, None
        self._publish_script = self._history_script = None
        if client is not None:
            await client.aclose()

    # -- subscriptions ---------------------------------------------------------------------------

    async def subscribe(self, room: int) -> None:
        """Subscribe this process to `room`; waits for Redis to confirm when the link is up.

        While the link is down the room is only recorded; the listener subscribes it on reconnect.
        """
        self._require()
        await self._link.subscribe(self._keys.channel(room), room)

    async def unsubscribe(self, room: int) -> None:
        """Unsubscribe; deliveries for `room` still in flight are dropped by the listener."""
        await self._link.unsubscribe(self._keys.channel(room))

    # -- events ----------------------------------------------------------------------------------

    async def publish(self, room: int, payload: bytes) -> int:
        """Number, log and publish one sealed event atomically; returns its seq."""
        script = self._script(self._publish_script)
        keys = self._keys
        seq = await self._command(
            script(
                keys=[keys.seq(room), keys.log(room)],
                args=[
                    payload,
                    log_size(room, self._log_size),
                    self._log_ttl_ms,
                    keys.channel(room),
                    self._seq_origin,
                ],
            )
        )
        return int(seq)

    async def next_published(self) -> Delivery:
        return await self._link.inbox.get()

    async def history(self, room: int, after_seq: int) -> tuple[list[Delivery], bool]:
        script = self._script(self._history_script)
        after = max(after_seq, 0)
        reply = await self._command(script(keys=[self._keys.seq(room), self._keys.log(room)], args=[after]))
        wanted = int(reply[0]) - after
        if wanted <= 0:
            return [], True
        events = [event for raw in reply[1] if (event := decode(room, raw)) is not None]
        return events, len(events) == wanted

    async def forget(self, room: int) -> None:
        client = self._require()
        await self._command(client.delete(self._keys.seq(room), self._keys.log(room)))

    # -- helpers ---------------------------------------------------------------------------------

    def _require(self) -> Redis:
        if self._client is None:
            raise BrokerClosed("broker is not connected")
        return self._client

    def _script(self, script: AsyncScript | None) -> AsyncScript:
        if script is None:
            raise BrokerClosed("broker is not connected")
        return script

    async def _command(self, call: Awaitable[Any]) -> Any:
        return await guarded(call, self._op_timeout, BrokerUnavailable, BrokerError)
