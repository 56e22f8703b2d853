"""The per-connection outbox: a stalled client is cut off, frames are ordered and never repeated."""

from __future__ import annotations

import asyncio

from rooms.connection import Connection
from rooms.types import Member, RoomRole

BO = Member(user_id=2, name="Bo", role=RoomRole.member)


class Socket:
    """Records what the writer sends; `stalled` makes sends hang like a client that stopped reading."""

    def __init__(self, *, stalled: bool = False) -> None:
        self.sent: list[str] = []
        self.closed: tuple[int, str] | None = None
        self.stalled = stalled

    async def send_text(self, text: str) -> None:
        if self.stalled:
            await asyncio.Event().wait()
        self.sent.append(text)

    async def close(self, code: int, reason: str) -> None:
        self.closed = (code, reason)


def connection(socket: Socket, limit: int = 8) -> Connection:
    return Connection(room=1, member=BO, send_text=socket.send_text, close_socket=socket.close, limit=limit)


async def test_a_stalled_client_is_closed_with_1013_and_nobody_waits() -> None:
    socket = Socket(stalled=True)
    conn = connection(socket, limit=4)
    overflowed: list[Connection] = []
    conn.on_overflow(overflowed.append)
    writer = asyncio.create_task(conn.writer())
    for seq in range(1, 20):  # offering never blocks, however slow the client
        conn.offer(f"frame {seq}", seq)
    assert overflowed == [conn]
    assert conn.close_code == 1013
    socket.stalled = False
    writer.cancel()
    await asyncio.gather(writer, return_exceptions=True)


async def test_frames_go_out_in_order_then_the_socket_closes_with_the_code() -> None:
    socket = Socket()
    conn = connection(socket)
    writer = asyncio.create_task(conn.writer())
    conn.offer("a", 1)
    conn.offer("b", 2)
    conn.offer("a again", 1)  # a repeat (replay overlap) is dropped
    conn.shut(4410)
    await asyncio.wait_for(writer, 1)
    assert socket.sent == ["a", "b"]
    assert socket.closed is not None
    assert socket.closed[0] == 4410


async def test_a_gap_can_be_filled_later_but_nothing_twice() -> None:
    socket = Socket()
    conn = connection(socket)
    writer = asyncio.create_task(conn.writer())
    conn.offer("one", 1)
    conn.offer("three", 3)  # two was lost in transit
    conn.offer("two", 2)  # the replay brings it
    conn.offer("two", 2)
    conn.shut(1000)
    await asyncio.wait_for(writer, 1)
    assert socket.sent == ["one", "three", "two"]


async def test_live_frames_wait_while_history_is_replayed() -> None:
    socket = Socket()
    conn = connection(socket)
    writer = asyncio.create_task(conn.writer())
    conn.hold()
    conn.offer("live 12", 12)  # arrives while the replay is being fetched
    conn.offer("private reply")  # private frames are not held
    for seq in (10, 11, 12):  # then the replay itself
        conn.offer(f"replay {seq}", seq)
    conn.release()  # everything in seq order, each once
    conn.shut(1000)
    await asyncio.wait_for(writer, 1)
    assert socket.sent == ["private reply", "replay 10", "replay 11", "live 12"]


async def test_a_long_replay_is_not_mistaken_for_a_stalled_client() -> None:
    """A reload in a busy meeting replays far more than the outbox holds: it must get through."""
    socket = Socket()
    conn = connection(socket, limit=4)
    writer = asyncio.create_task(conn.writer())
    conn.hold()
    for seq in range(1, 51):  # fifty events since the member first entered
        conn.offer(f"replay {seq}", seq)
    conn.release()
    assert conn.close_code is None
    conn.shut(1000)
    await asyncio.wait_for(writer, 1)
    assert socket.sent == [f"replay {seq}" for seq in range(1, 51)]
