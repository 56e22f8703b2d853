"""In-process broker for one-process deployments and tests.

A `MemoryHub` plays the part of the Redis server: it holds the counters, replay logs and
subscriptions. Each `MemoryBroker` plays one server process. Several brokers (and
`rooms.state.MemoryState` stores) built on the same hub behave like processes sharing one Redis,
with exactly the Redis implementation's sequence, log and trim semantics.
"""

from __future__ import annotations

import itertools
import time
from collections import deque

from rooms.broker.base import DEFAULT_LOG_SIZE, DEFAULT_LOG_TTL, BrokerClosed, Inbox, SeqOrigin, log_size
from rooms.types import Delivery

__all__ = ["MemoryBroker", "MemoryHub"]


class MemoryHub:
    """Shared in-process backend: per-room counters, bounded logs and subscriber inboxes.

    `stores` is a slot for other in-memory backends (the state store keeps its data there), so
    that everything sharing one hub sees one consistent "server".
    """

    def __init__(self) -> None:
        self._seqs: dict[int, int] = {}
        self._logs: dict[int, deque[Delivery]] = {}
        self._expires: dict[int, float] = {}
        self._subscribers: dict[int, set[Inbox]] = {}
        self.stores: dict[str, object] = {}

    def current_seq(self, room: int) -> int:
        """The room's newest sequence number (0 if nothing was published or it was forgotten)."""
        self._expire(room, time.monotonic())
        return self._seqs.get(room, 0)

    def publish(self, room: int, payload: bytes, log_size: int, log_ttl: float, origin: SeqOrigin) -> int:
        now = time.monotonic()
        self._expire(room, now)
        previous = self._seqs.get(room)
        if previous is None:
            previous = time.time_ns() // 1000 if origin == "clock" else 0
        seq = self._seqs[room] = previous + 1
        delivery = Delivery(room, seq, payload)
        if log_size > 0:
            log = self._logs.get(room)
            if log is None or log.maxlen != log_size:
                log = self._logs[room] = deque(log or (), maxlen=log_size)
            log.append(delivery)
        self._expires[room] = now + log_ttl
        for inbox in self._subscribers.get(room, ()):
            inbox.put(delivery)
        return seq

    def history(self, room: int, after_seq: int) -> tuple[list[Delivery], bool]:
        current = self.current_seq(room)
        wanted = current - max(after_seq, 0)
        if wanted <= 0:
            return [], True
        log = self._logs.get(room, deque())
        events = list(itertools.islice(log, max(len(log) - wanted, 0), None))
        return events, len(events) == wanted

    def forget(self, room: int) -> None:
        self._seqs.pop(room, None)
        self._logs.pop(room, None)
        self._expires.pop(room, None)

    def subscribe(self, room: int, inbox: Inbox) -> None:
        self._subscribers.setdefault(room, set()).add(inbox)

    def unsubscribe(self, room: int, inbox: Inbox) -> None:
        inboxes = self._subscribers.get(room)
        if inboxes is not None:
            inboxes.discard(inbox)
            if not inboxes:
                del self._subscribers[room]

    def subscriber_count(self, room: int) -> int:
        """How many brokers (processes) are subscribed to `room` (like PUBSUB NUMSUB)."""
        return len(self._subscribers.get(room, ()))

    def _expire(self, room: int, now: float) -> None:
        expires = self._expires.get(room)
        if expires is not None and expires <= now:
            self.forget(room)


class MemoryBroker:
    """One process's broker on a `MemoryHub` (a fresh private hub if none is given).

    Usage: ``broker = MemoryBroker(hub); await broker.connect(); await broker.subscribe(7)``;
    a consumer task loops on ``await broker.next_published()``. See `rooms.broker.base.Broker`.
    """

    def __init__(
        self,
        hub: MemoryHub | None = None,
        *,
        log_size: int = DEFAULT_LOG_SIZE,
        log_ttl: float = DEFAULT_LOG_TTL,
        seq_origin: SeqOrigin = "clock",
    ) -> None:
        if log_size < 1 or log_ttl <= 0:
            raise ValueError("log_size and log_ttl must be positive")
        self._seq_origin = seq_origin
        self.hub = hub if hub is not None else MemoryHub()
        self.reconnects = 0  # never reconnects; kept for parity with RedisBroker's metric
        self._log_size = log_size
        self._log_ttl = log_ttl
        self._rooms: set[int] = set()
        self._inbox = Inbox()
        self._inbox.close()  # closed until connect()

    async def connect(self) -> None:
        if self._inbox.closed:
            self._inbox = Inbox()

    async def disconnect(self) -> None:
        try:
            for room in self._rooms:
                self.hub.unsubscribe(room, self._inbox)
        finally:
            self._rooms.clear()
            self._inbox.close()

    async def subscribe(self, room: int) -> None:
        self._require()
        if room not in self._rooms:
            self._rooms.add(room)
            self.hub.subscribe(room, self._inbox)

    async def unsubscribe(self, room: int) -> None:
        if room in self._rooms:
            self._rooms.discard(room)
            self.hub.unsubscribe(room, self._inbox)

    async def publish(self, room: int, payload: bytes) -> int:
        self._require()
        return self.hub.publish(
            room, payload, log_size(room, self._log_size), self._log_ttl, self._seq_origin
        )

    async def next_published(self) -> Delivery:
        return await self._inbox.get()

    async def history(self, room: int, after_seq: int) -> tuple[list[Delivery], bool]:
        self._require()
        return self.hub.history(room, after_seq)

    async def forget(self, room: int) -> None:
        self._require()
        self.hub.forget(room)

    def _require(self) -> None:
        if self._inbox.closed:
            raise BrokerClosed("broker is not connected")
