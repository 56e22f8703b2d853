"""One member's socket on this process: a bounded outbox drained by one writer task.

The fan-out never awaits a recipient: it calls `offer()`, which only appends to the outbox
(a plain deque, cheaper per frame than an `asyncio.Queue`; the writer drains whatever has piled
up in one go).
A client too slow to keep up overflows its outbox and is closed with 1013, so one stalled
connection never delays the room. Room frames are deduplicated by `seq`, and while a replay
is being prepared (`hold()` … `release()`), live frames wait so history is never overtaken.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from rooms.types import Member, RoomPolicy

OUTBOX_LIMIT = 256
MAX_GAP = 512  # larger jumps are not tracked: the client asks, and is told it may have missed some
SendText = Callable[[str], Awaitable[None]]
CloseSocket = Callable[[int, str], Awaitable[None]]


@dataclass(eq=False)
class Connection:
    """Create per accepted socket; run `writer()` as a task; `offer()` frames; `shut()` to close."""

    room: int
    member: Member
    send_text: SendText
    close_socket: CloseSocket
    limit: int = OUTBOX_LIMIT
    session_key: str = ""  # which login session opened it (for logout of one device)
    outbox: deque[str | None] = field(init=False, default_factory=deque)  # None: stop
    pending: dict[str, str] = field(default_factory=dict)  # message id -> the say's client_id
    sent_seq: int = 0  # the highest room seq offered
    first_seq: int = 0
    gaps: set[int] = field(default_factory=set)  # seqs below sent_seq never offered (lost in transit)
    close_code: int | None = None
    close_reason: str = ""  # fixed words for the close frame, never chat text
    policy: RoomPolicy = field(default_factory=RoomPolicy)
    blocks: frozenset[int] = frozenset()  # members whose messages and reactions this member skips
    waiting: bool = False  # in the waiting room: no room events until admitted
    admitted: asyncio.Event = field(default_factory=asyncio.Event)
    _held: list[tuple[int, str]] | None = None
    _burst: int = 0  # extra room for one replay, until the client has caught up with it
    _overflowed: Callable[[Connection], None] | None = None
    _wake: asyncio.Future[None] | None = None  # the idle writer waits on it

    def on_overflow(self, callback: Callable[[Connection], None]) -> None:
        self._overflowed = callback

    def offer(self, text: str, seq: int = 0) -> None:
        """Queue a frame without waiting. `seq` > 0 marks a room event (deduplicated, ordered)."""
        if self.close_code is not None:
            return
        if seq:
            if self._held is not None:
                self._held.append((seq, text))
                return
            if seq > self.sent_seq:
                if seq - self.sent_seq <= MAX_GAP:
                    self.gaps.update(range(self.sent_seq + 1, seq))
                self.sent_seq = seq
            elif seq in self.gaps:
                self.gaps.discard(seq)  # a replay filling a gap
            else:
                return  # already offered
        if len(self.outbox) >= self.limit + self._burst:
            self.close_code = 1013
            if self._overflowed is not None:
                self._overflowed(self)
            return
        self.outbox.append(text)
        self._wakeup()

    def _wakeup(self) -> None:
        wake = self._wake
        if wake is not None:
            self._wake = None
            if not wake.done():
                wake.set_result(None)

    def hold(self) -> None:
        """Start holding live room frames (a replay is being fetched)."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Send the held live frames, in order, skipping what the replay already sent."""
        held, self._held = self._held or [], None
        self._burst = len(held)  # a replay may be long (a reload in a busy meeting): it is not a stall
        for seq, text in sorted(held, key=lambda item: item[0]):
            self.offer(text, seq)

    async def writer(self) -> None:
        """Drain the outbox to the socket until `shut()`; closes the socket with `close_code`."""
        outbox = self.outbox
        try:
            while True:
                if not outbox:
                    self._burst = 0  # caught up: from now on the usual limit
                    self._wake = asyncio.get_running_loop().create_future()
                    await self._wake
                    continue
                text = outbox.popleft()
                if text is None or self.close_code == 1013:  # a stalled client gets no backlog
                    break
                await self.send_text(text)
        except Exception:  # the socket went away; the reader notices and cleans up
            return
        if self.close_code is not None:
            with contextlib.suppress(Exception):
                reason = self.close_reason or _REASONS.get(self.close_code, "")
                await self.close_socket(self.close_code, reason)

    def shut(self, code: int, reason: str = "") -> None:
        """Close the socket with `code` once what is already queued is sent (idempotent)."""
        if self.close_code is None:
            self.close_code, self.close_reason = code, reason
        self.outbox.append(None)  # after what is queued; a 1013 close skips the backlog anyway
        self._wakeup()


_REASONS = {
    1000: "left",
    1008: "session ended",
    1013: "too slow: messages were piling up",
    4403: "not allowed",
    4409: "locked",
    4411: "waiting room",
    4410: "meeting ended",
}
