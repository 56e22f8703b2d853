"""The Redis broker's pub/sub link: one connection per process, kept up by a listener task.

    link = PubSubLink(op_timeout=5.0, health_interval=10.0)
    link.prepare(url)              # a fresh inbox, nothing live yet
    await link.start()             # `BrokerUnavailable` if no PING is answered in time
    await link.subscribe(channel, room)
    delivery = await link.inbox.get()
    await link.stop()

The listener task owns the connection. It never ends on its own: on any error it logs the
error class (never a payload), sleeps with exponential backoff and jitter (capped at 2 s), opens a
fresh connection and re-subscribes every room in `_channels`. Liveness is checked with PING when
the link has been quiet for `health_interval` seconds.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import deque
from typing import Any

from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from rooms.broker.base import BrokerUnavailable, Inbox
from rooms.broker.redis_client import connection_options
from rooms.types import Delivery

__all__ = ["PubSubLink", "decode"]

log = logging.getLogger("rooms.broker.redis")  # the broker's logger, whichever module logs

_BACKOFF_FIRST = 0.05
_BACKOFF_CAP = 2.0
_LINK_ERRORS = (RedisError, OSError)


class PubSubLink:
    """Subscriptions of one process and the deliveries they bring, in `inbox`.

    `reconnects` counts how often the link came back after having been live (a metric).
    """

    def __init__(self, *, op_timeout: float, health_interval: float) -> None:
        self.reconnects = 0
        self.inbox = Inbox()
        self.inbox.close()
        self._op_timeout = op_timeout
        self._health_interval = health_interval
        self._pool: ConnectionPool | None = None
        self._conn: AbstractConnection | None = None  # the listener's connection while it is up
        self._live = asyncio.Event()  # set once the current link answered a PING
        self._ever_live = False
        self._listener: asyncio.Task[None] | None = None
        self._channels: dict[bytes, int] = {}  # subscribed channel -> room
        self._pending: dict[bytes, deque[asyncio.Future[None]]] = {}  # awaiting SUBSCRIBE replies

    # -- lifecycle -------------------------------------------------------------------------------

    def prepare(self, url: str) -> None:
        """Get ready to link to `url`: a fresh inbox, nothing live yet."""
        # RESP2: under RESP3 redis-py routes pub/sub messages through a push handler that
        # formats each one (payload included) into a debug log line.
        self._pool = ConnectionPool.from_url(url, protocol=2, **connection_options(self._op_timeout))
        self.inbox = Inbox()
        self._live.clear()
        self._ever_live = False

    async def start(self) -> None:
        """Start the listener and wait until the link answered a PING (`BrokerUnavailable`)."""
        self._listener = asyncio.create_task(self._listen(), name="hearth-room-broker-listener")
        try:
            async with asyncio.timeout(self._op_timeout):
                await self._live.wait()
        except TimeoutError:
            raise BrokerUnavailable("redis pub/sub link did not come up in time") from None

    async def stop(self) -> None:
        """Stop the listener, drop pending deliveries and every subscription."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            try:
                await listener
            except asyncio.CancelledError:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise
        self.inbox.close()
        self._channels.clear()
        self._release_pending()
        self._pool = None  # owns no sockets: the listener closed its connection itself

    # -- subscriptions ---------------------------------------------------------------------------

    async def subscribe(self, channel: bytes, room: int) -> None:
        """Subscribe `channel` (for `room`); waits for Redis to confirm when the link is up.

        While the link is down the room is only recorded; the listener subscribes it on reconnect.
        """
        if channel in self._channels:
            return
        self._channels[channel] = room
        conn = self._conn
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

    async def unsubscribe(self, channel: bytes) -> None:
        """Unsubscribe; deliveries for its room still in flight are dropped by the listener."""
        room = self._channels.pop(channel, None)
        if room is None:
            return
        conn = self._conn
        if conn is None or not conn.is_connected:
            return
        try:
            await conn.send_command("UNSUBSCRIBE", channel)
        except _LINK_ERRORS as exc:  # the fresh link after reconnect will not include the room
            log.warning("room broker: unsubscribe from room %d not sent (%s)", room, _describe(exc))

    # -- the listener ----------------------------------------------------------------------------

    async def _listen(self) -> None:
        """Keep a pub/sub link up for as long as the broker is connected (cancelled by stop)."""
        delay, failures = _BACKOFF_FIRST, 0
        while True:
            if await self._run_link(failures):
                delay, failures = _BACKOFF_FIRST, 0
            failures += 1
            await asyncio.sleep(random.uniform(delay / 2, delay))
            delay = min(delay * 2, _BACKOFF_CAP)

    async def _run_link(self, failures: int) -> bool:
        """Open, subscribe and pump one link until it fails; True if it had gone live."""
        assert self._pool is not None
        conn: AbstractConnection = self._pool.make_connection()  # type: ignore[no-untyped-call]
        try:
            await conn.connect()  # type: ignore[no-untyped-call]
            self._conn = conn
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
            self._conn = None
            self._live.clear()
            self._release_pending()
            await conn.disconnect(nowait=True)
        return was_live

    async def _pump(self, conn: AbstractConnection) -> None:
        channels = self._channels
        put = self.inbox.put
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
                    delivery = decode(room, reply[2])
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


def decode(room: int, data: bytes) -> Delivery | None:
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
