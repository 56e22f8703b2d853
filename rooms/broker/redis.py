"""Redis broker: one pub/sub connection per process, a small pool for commands.

Wire format: every event travels and is logged as ``b"<seq>:" + sealed_payload``.

Keys (prefix default ``hearth:``): ``<prefix>room:<id>:seq`` (INCR counter) and
``<prefix>room:<id>:log`` (list of the newest `log_size` entries); both get a TTL refreshed by
every publish. Channel: ``<prefix>room:<id>``.

Publishing runs one Lua script (INCR, RPUSH, LTRIM, PEXPIRE, PUBLISH): Redis runs scripts one at
a time, so sequence numbers are handed out and published in the same order, whichever process
publishes. Subscribers therefore see each room's events in seq order.

The listener task owns the pub/sub connection. It never ends on its own: on any error it logs the
error class (never a payload), sleeps with exponential backoff and jitter (capped at 2 s), opens a
fresh connection and re-subscribes every room in `_channels`. Liveness is checked with PING when
the link has been quiet for `health_interval` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from collections.abc import Awaitable
from typing import Any

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rooms.broker.base import (
    DEFAULT_LOG_SIZE,
    DEFAULT_LOG_TTL,
    DEFAULT_PREFIX,
    BrokerClosed,
    BrokerError,
    BrokerUnavailable,
    Inbox,
    RedisKeys,
    SeqOrigin,
    log_size,
)
from rooms.types import Delivery

__all__ = ["RedisBroker", "command_client", "guarded"]

log = logging.getLogger(__name__)

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

_BACKOFF_FIRST = 0.05
_BACKOFF_CAP = 2.0
_LINK_ERRORS = (RedisError, OSError)


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
        self.reconnects = 0
        self._url = url
        self._keys = RedisKeys(prefix)
        self._log_size = log_size
        self._log_ttl_ms = max(int(log_ttl * 1000), 1)
        self._max_connections = max_connections
        self._op_timeout = op_timeout
        self._health_interval = health_interval
        self._client: Redis | None = None
        self._publish_script: AsyncScript | None = None
        self._history_script: AsyncScript | None = None
        self._sub_pool: ConnectionPool | None = None
        self._sub: AbstractConnection | None = None  # the listener's connection while it is up
        self._live = asyncio.Event()  # set once the current pub/sub link answered a PING
        self._ever_live = False
        self._listener: asyncio.Task[None] | None = None
        self._channels: dict[bytes, int] = {}  # subscribed channel -> room
        self._pending: dict[bytes, deque[asyncio.Future[None]]] = {}  # awaiting SUBSCRIBE replies
        self._inbox = Inbox()
        self._inbox.close()

    # -- lifecycle -------------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the command pool and the pub/sub link; `BrokerUnavailable` if Redis is down."""
        if self._client is not None:
            return
        self._client = client = command_client(self._url, self._max_connections, self._op_timeout)
        self._publish_script = client.register_script(_PUBLISH)
        self._history_script = client.register_script(_HISTORY)
        # RESP2: under RESP3 redis-py routes pub/sub messages through a push handler that
        # formats each one (payload included) into a debug log line.
        options = _connection_options(self._op_timeout)
        self._sub_pool = ConnectionPool.from_url(self._url, protocol=2, **options)
        self._inbox = Inbox()
        self._live.clear()
        self._ever_live = False
        try:
            await self._command(client.ping())
            self._listener = asyncio.create_task(self._listen(), name="hearth-room-broker-listener")
            try:
                async with asyncio.timeout(self._op_timeout):
                    await self._live.wait()
            except TimeoutError:
                raise BrokerUnavailable("redis pub/sub link did not come up in time") from None
        except BaseException:
            await self.disconnect()
            raise

    async def disconnect(self) -> None:
        """Stop the listener, drop pending deliveries, close every connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            try:
                await listener
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
        self._inbox.close()
        self._channels.clear()
        self._release_pending()
        client, self._client = self._client, None
        self._publish_script = self._history_script = None
        self._sub_pool = None  # owns no sockets: the listener closed its connection itself
        if client is not None:
            await client.aclose()

    # -- subscriptions ---------------------------------------------------------------------------

    async def subscribe(self, room: int) -> None:
        """Subscribe this process to `room`; waits for Redis to confirm when the link is up.

        While the link is down the room is only recorded; the listener subscribes it on reconnect.
        """
        self._require()
        channel = self._keys.channel(room)
        if channel in self._channels:
            return
        self._channels[channel] = room
        conn = self._sub
        if conn is None or not conn.is_connected:
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(channel, deque()).append(waiter)
        try:
            await conn.send_command("SUBSCRIBE", channel)
            async with asyncio.timeout(self._op_timeout):
                await waiter
        except (*_LINK_ERRORS, TimeoutError) as exc:
            log.warning("room broker: room %d subscribes when the link recovers (%s)", room, _describe(exc))

    async def unsubscribe(self, room: int) -> None:
        """Unsubscribe; deliveries for `room` still in flight are dropped by the listener."""
        channel = self._keys.channel(room)
        if self._channels.pop(channel, None) is None:
            return
        conn = self._sub
        if conn is None or not conn.is_connected:
            return
        try:
            await conn.send_command("UNSUBSCRIBE", channel)
        except _LINK_ERRORS as exc:  # the fresh link after reconnect will not include the room
            log.warning("room broker: unsubscribe from room %d not sent (%s)", room, _describe(exc))

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
        return await self._inbox.get()

    async def history(self, room: int, after_seq: int) -> tuple[list[Delivery], bool]:
        script = self._script(self._history_script)
        after = max(after_seq, 0)
        reply = await self._command(script(keys=[self._keys.seq(room), self._keys.log(room)], args=[after]))
        wanted = int(reply[0]) - after
        if wanted <= 0:
            return [], True
        events = [event for raw in reply[1] if (event := _decode(room, raw)) is not None]
        return events, len(events) == wanted

    async def forget(self, room: int) -> None:
        client = self._require()
        await self._command(client.delete(self._keys.seq(room), self._keys.log(room)))

    # -- the listener ----------------------------------------------------------------------------

    async def _listen(self) -> None:
        """Keep a pub/sub link up for as long as the broker is connected (cancelled by disconnect)."""
        delay, failures = _BACKOFF_FIRST, 0
        while True:
            if await self._run_link(failures):
                delay, failures = _BACKOFF_FIRST, 0
            failures += 1
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, _BACKOFF_CAP)

    async def _run_link(self, failures: int) -> bool:
        """Open, subscribe and pump one link until it fails; True if it had gone live."""
        assert self._sub_pool is not None
        conn: AbstractConnection = self._sub_pool.make_connection()  # type: ignore[no-untyped-call]
        try:
            await conn.connect()  # type: ignore[no-untyped-call]
            self._sub = conn
            channels = list(self._channels)
            if channels:
                await conn.send_command("SUBSCRIBE", *channels)
            await conn.send_command("PING")  # its reply marks the link live
            await self._pump(conn)
        except _LINK_ERRORS as exc:
            # Loud when the link is lost and now and then while it stays down, quiet otherwise.
            level = logging.WARNING if self._live.is_set() or failures % 20 == 0 else logging.DEBUG
            log.log(level, "room broker: pub/sub link down (%s); reconnecting", _describe(exc))
        except Exception as exc:  # a bug here must not silently stop every room's delivery
            log.error("room broker: listener failed (%s); restarting it", type(exc).__name__)
        finally:
            was_live = self._live.is_set()
            self._sub = None
            self._live.clear()
            self._release_pending()
            await conn.disconnect(nowait=True)
        return was_live

    async def _pump(self, conn: AbstractConnection) -> None:
        channels = self._channels
        put = self._inbox.put
        interval = self._health_interval
        pinged = False
        while True:
            reply = await conn.read_response(timeout=interval)
            if reply is None:  # quiet for `interval` seconds
                if pinged:
                    raise RedisTimeoutError("no reply to PING")
                pinged = True
                await conn.send_command("PING")
                continue
            pinged = False
            if type(reply) is list and reply[0] == b"message":
                room = channels.get(reply[1])
                if room is not None:  # None: unsubscribed while the event was in flight
                    delivery = _decode(room, reply[2])
                    if delivery is None:
                        log.warning("room broker: malformed event dropped (room %d)", room)
                    else:
                        put(delivery)
            else:
                self._control(reply)

    def _control(self, reply: Any) -> None:
        if isinstance(reply, list) and reply:
            kind = reply[0]
            if kind == b"subscribe":
                waiters = self._pending.get(reply[1])
                if waiters:
                    waiter = waiters.popleft()
                    if not waiters:
                        del self._pending[reply[1]]
                    if not waiter.done():
                        waiter.set_result(None)
            elif kind == b"pong":
                self._went_live()
        elif reply == b"PONG":
            self._went_live()

    def _went_live(self) -> None:
        if self._live.is_set():
            return
        self._live.set()
        if self._ever_live:
            self.reconnects += 1
            log.info("room broker: pub/sub link restored (%d rooms)", len(self._channels))
        self._ever_live = True

    def _release_pending(self) -> None:
        """Let subscribe() calls return: their rooms stay recorded and are subscribed on reconnect."""
        pending, self._pending = self._pending, {}
        for waiters in pending.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_result(None)

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
        url, max_connections=max_connections, timeout=op_timeout, **_connection_options(op_timeout)
    )
    return Redis.from_pool(pool)


def _connection_options(op_timeout: float) -> dict[str, Any]:
    return {
        "socket_timeout": None,  # every call is bounded by asyncio.timeout(op_timeout) instead
        "socket_connect_timeout": min(op_timeout, 2.0),
        "retry": Retry(NoBackoff(), 0),  # no silent retries: a retried publish could land twice
    }


def _decode(room: int, data: bytes) -> Delivery | None:
    """Split ``b"<seq>:<payload>"``; None if malformed (never raise: the text could be payload)."""
    sep = data.find(b":", 0, 21)
    head = data[:sep]
    if sep < 1 or not head.isdigit():
        return None
    return Delivery(room, int(head), data[sep + 1 :])


def _describe(exc: BaseException) -> str:
    """A loggable description of a link error: class name, plus the text for socket-level errors."""
    if isinstance(exc, RedisConnectionError | RedisTimeoutError | OSError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__
