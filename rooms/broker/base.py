"""The broker contract, its errors, key naming and the per-process delivery inbox.

A broker carries *sealed* room events (opaque bytes) between the server processes of one
deployment, one channel per room (meeting id). It numbers each room's events with a sequence
number shared by all processes, keeps a bounded replay log per room, and hands every event to
every process subscribed to that room, in sequence order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Literal, Protocol

from rooms.types import Delivery

__all__ = [
    "DEFAULT_LOG_SIZE",
    "DEFAULT_LOG_TTL",
    "DEFAULT_PREFIX",
    "Broker",
    "BrokerClosed",
    "BrokerError",
    "BrokerUnavailable",
    "Inbox",
    "RedisKeys",
    "log_size",
]

DEFAULT_PREFIX = "hearth:"
DEFAULT_LOG_SIZE = 2_000  # events kept per room for replay
# Where a room's counter starts: "clock" (production) at the server clock in microseconds, so a
# counter lost with a Redis restart or expiry never starts again below numbers members saw;
# "zero" counts 1, 2, 3… from nothing (contract tests that reason about small seqs).
SeqOrigin = Literal["clock", "zero"]
DEFAULT_LOG_TTL = 12 * 3600.0  # seconds; refreshed by every publish, so only idle rooms expire


def log_size(room: int, size: int) -> int:
    """How many events to keep for `room`: meetings (ids above 0) keep `size`; the control
    channel (0) and meetings' private channels (negative ids, `-meeting_id`) keep none, so a
    private line to facilitators is relayed live and never held anywhere."""
    return size if room > 0 else 0


class BrokerError(Exception):
    """Base of broker errors. Messages never contain payload bytes."""


class BrokerUnavailable(BrokerError):
    """The backend (Redis) cannot be reached right now; the call may succeed later."""


class BrokerClosed(BrokerError):
    """The broker is not connected (never connected, or `disconnect()` was called)."""


class Broker(Protocol):
    """What the room engine needs from a broker. Implementations: `MemoryBroker`, `RedisBroker`.

    Lifecycle: `await connect()` once at start-up, `await disconnect()` at shut-down.
    One consumer task per process loops on `await next_published()` and fans each delivery out
    to the local sockets of that room; it ends with `BrokerClosed` after `disconnect()`.
    """

    reconnects: int  # how often the subscription link was re-established (a metric)

    async def connect(self) -> None:
        """Open connections; raises `BrokerUnavailable` if the backend is unreachable."""

    async def disconnect(self) -> None:
        """Close everything; pending deliveries are dropped and waiters get `BrokerClosed`."""

    async def subscribe(self, room: int) -> None:
        """Receive `room`'s events on this process from now on. Idempotent.

        When it returns (and the backend is up) any event published afterwards is delivered.
        The caller counts its local members and subscribes while it has at least one.
        """

    async def unsubscribe(self, room: int) -> None:
        """Stop receiving `room`'s events on this process. Idempotent."""

    async def publish(self, room: int, payload: bytes) -> int:
        """Number, log and deliver one sealed event; returns its sequence number (from 1).

        Rooms of 0 and below are relayed but never logged (see `log_size`)."""

    async def next_published(self) -> Delivery:
        """Wait for the next delivery for any subscribed room (one waiter at a time)."""

    async def history(self, room: int, after_seq: int) -> tuple[list[Delivery], bool]:
        """Logged events with seq > `after_seq`, oldest first, and whether none were trimmed.

        `complete` is False when some events after `after_seq` have already fallen out of the
        bounded log (tell the member they may have missed messages).
        """

    async def forget(self, room: int) -> None:
        """Delete the room's log and counter (the meeting ended); the next seq is 1 again."""


class RedisKeys:
    """Key and channel names under one prefix, shared by the Redis broker and state store.

    All keys of a room share the `<prefix>room:<id>:` stem, so a test (or an operator) can find
    and delete them by pattern. The broker's counter `<prefix>room:<id>:seq` is also read by the
    state store's snapshot, which is why the naming lives here.
    """

    __slots__ = ("prefix",)

    def __init__(self, prefix: str = DEFAULT_PREFIX) -> None:
        self.prefix = prefix

    def room(self, room: int, part: str) -> str:
        return f"{self.prefix}room:{room}:{part}"

    def seq(self, room: int) -> str:
        return self.room(room, "seq")

    def log(self, room: int) -> str:
        return self.room(room, "log")

    def channel(self, room: int) -> bytes:
        return f"{self.prefix}room:{room}".encode()

    def user(self, user_id: int, part: str) -> str:
        return f"{self.prefix}user:{user_id}:{part}"


class Inbox:
    """A single-consumer FIFO of deliveries for one process (cheaper than `asyncio.Queue`).

    `put` never blocks and never awaits, so a listener can hand over a delivery without
    creating a task; `get` raises `BrokerClosed` once `close()` has been called.
    """

    __slots__ = ("_closed", "_items", "_waiter")

    def __init__(self) -> None:
        self._items: deque[Delivery] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        return self._closed

    def put(self, delivery: Delivery) -> None:
        if self._closed:
            return
        self._items.append(delivery)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Delivery:
        while not self._items:
            if self._closed:
                raise BrokerClosed("broker is not connected")
            if self._waiter is not None:
                raise RuntimeError("next_published() already has a waiter; use one consumer task")
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None
        return self._items.popleft()

    def close(self) -> None:
        self._closed = True
        self._items.clear()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
