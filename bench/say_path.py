"""The cost a chat message adds to the room engine since moderation (run by hand).

    .venv/bin/python bench/say_path.py [--redis redis://127.0.0.1:6379/0]

Times, per `say` in a room of 20: the pure decision (`rooms.core.decide`: mute, turn, slow mode,
flood control, contact details, blocked terms, crisis language) and the state read the endpoint
makes before it (`snapshot(room, members=False)` and, for comparison, the full snapshot).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from rooms import core
from rooms.protocol import SayFrame
from rooms.state import RedisState
from rooms.types import Member, Presence, PresenceStatus, RoomPolicy, RoomRole, RoomSnapshot

TEXTS = [
    "Today was hard but I managed to get out for a walk and it helped a little.",
    "Thank you for sharing that, it really resonates with me.",
    "I've been feeling anxious all week, especially at night.",
    "Same here. Sleep has been rough.",
]


def time_decide(n: int) -> float:
    members = tuple(
        Presence(Member(i, f"Member {i}", RoomRole.member), PresenceStatus.present) for i in range(1, 21)
    )
    room = RoomSnapshot(members=members)
    policy = RoomPolicy(blocked_terms=("badword", "another term", "third"))
    frames = [SayFrame(text=t, client_id=f"c{i}") for i, t in enumerate(TEXTS)]
    started = time.perf_counter()
    for i in range(n):
        ctx = core.Context(
            member=members[i % 20].member, room=room, now_ms=1_700_000_000_000 + i, policy=policy
        )
        core.decide(frames[i % len(frames)], ctx)
    return (time.perf_counter() - started) / n * 1e6


async def time_snapshots(url: str, n: int) -> tuple[float, float]:
    state = RedisState(url, prefix="bench-say-path:")
    await state.connect()
    try:
        for i in range(1, 21):
            await state.join(1, Member(i, f"Member {i}", RoomRole.member), "bench")
        out = []
        for members in (False, True):
            samples = []
            for _ in range(n):
                started = time.perf_counter()
                await state.snapshot(1, members=members)
                samples.append(time.perf_counter() - started)
            out.append(statistics.median(samples) * 1e6)
        return out[0], out[1]
    finally:
        await state.clear(1)
        await state.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("-n", type=int, default=20_000)
    args = parser.parse_args()
    print(f"decide(say), room of 20: {time_decide(args.n):.0f} µs per message (mean of {args.n})")
    light, full = asyncio.run(time_snapshots(args.redis, 2_000))
    print(f"Redis snapshot without members: {light:.0f} µs; with 20 members: {full:.0f} µs (medians)")


if __name__ == "__main__":
    main()
