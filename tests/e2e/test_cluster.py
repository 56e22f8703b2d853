"""Two real `hearth serve` processes sharing PostgreSQL and Redis: one meeting across both."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx
import pytest
import redis.asyncio as aioredis
from live import Member, open_meeting, relax_flood
from support import Cluster
from websockets.exceptions import ConnectionClosed

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


async def test_members_on_two_processes_talk_both_ways_in_order(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(open_meeting, a.url, ["Ada", "Bo"])
    await asyncio.to_thread(relax_flood, a.url, room, by="Ada")  # ten in a burst: above the default
    async with Member.join(a.url, room, "Ada") as ada, Member.join(b.url, room, "Bo") as bo:
        await ada.expect("presence", kind="joined", within=10)
        for i in range(10):
            await ada.send(type="say", text=f"from a {i}", client_id=f"a{i}")
            await bo.send(type="say", text=f"from b {i}", client_id=f"b{i}")
        seen_a = [(await ada.expect("message"))["text"] for _ in range(20)]
        seen_b = [(await bo.expect("message"))["text"] for _ in range(20)]
        assert seen_a == seen_b  # one order for everyone, whichever process they are on
        assert [t for t in seen_a if t.startswith("from a")] == [f"from a {i}" for i in range(10)]
        assert [t for t in seen_b if t.startswith("from b")] == [f"from b {i}" for i in range(10)]
        seqs = [f["seq"] for f in ada.frames if f.get("type") == "message"]
        assert seqs == sorted(seqs)
        # presence agrees on both processes
        async with Member.join(a.url, room, "Ada") as again_a, Member.join(b.url, room, "Bo") as again_b:
            members_a = {m["name"] for m in again_a.frames[0]["room"]["members"]}
            members_b = {m["name"] for m in again_b.frames[0]["room"]["members"]}
            assert members_a == members_b == {"Ada", "Bo"}


async def test_a_dead_process_members_vanish_and_can_rejoin_through_the_survivor(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(open_meeting, a.url, ["Ada", "Bo"])
    async with Member.join(b.url, room, "Bo") as bo:
        ada_ws = Member.join(a.url, room, "Ada")
        await ada_ws.__aenter__()
        await bo.expect("presence", kind="joined", within=10)
        a.process.kill()  # no goodbye: the process just dies
        a.process.wait()
        started = time.monotonic()
        left = await bo.expect("presence", kind="left", within=40)
        assert left["member"]["name"] == "Ada"
        assert time.monotonic() - started <= 30
        with contextlib.suppress(ConnectionClosed, OSError):
            await ada_ws.__aexit__(None, None, None)  # her old socket died with process a
        async with Member.join(b.url, room, "Ada") as ada:  # the survivor takes her back
            await bo.expect("presence", kind="joined")
            await ada.send(type="say", text="back again", client_id="r")
            assert (await bo.expect("message"))["text"] == "back again"


async def test_logout_on_one_process_closes_the_socket_on_the_other(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(open_meeting, a.url, ["Ada", "Bo"])
    async with Member.join(b.url, room, "Bo") as bo:
        out = await asyncio.to_thread(
            httpx.delete, f"{a.url}/api/v1/session", cookies={"hearth_session": room.cookies["Bo"]}
        )
        assert out.status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            await bo.expect("never", within=5)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4401


async def test_each_process_subscribes_only_to_rooms_it_serves(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(open_meeting, a.url, ["Ada", "Bo"])
    channel = f"{cluster.prefix}room:{room.meeting_id}"
    client = aioredis.from_url(cluster.env["HEARTH_REDIS_URL"])
    try:

        async def subscribers() -> int:
            return int(dict(await client.pubsub_numsub(channel))[channel.encode()])

        assert await subscribers() == 0
        async with Member.join(a.url, room, "Ada"):
            assert await subscribers() == 1
            async with Member.join(b.url, room, "Bo"):
                assert await subscribers() == 2
            await asyncio.sleep(0.3)
            assert await subscribers() == 1
        await asyncio.sleep(0.3)
        assert await subscribers() == 0
    finally:
        await client.aclose()


async def test_ending_the_meeting_closes_every_socket_and_deletes_what_was_held(cluster: Cluster) -> None:
    a, b = cluster.servers
    room = await asyncio.to_thread(open_meeting, a.url, ["Ada", "Bo"])
    client = aioredis.from_url(cluster.env["HEARTH_REDIS_URL"])
    try:
        async with Member.join(a.url, room, "Ada") as ada, Member.join(b.url, room, "Bo") as bo:
            await bo.send(type="say", text="something private", client_id="p")
            await ada.expect("message")
            held = [k async for k in client.scan_iter(match=f"{cluster.prefix}room:{room.meeting_id}:*")]
            assert held  # the replay log and state exist while the meeting runs
            end = await asyncio.to_thread(
                httpx.post,
                f"{a.url}/api/v1/meetings/{room.meeting_id}/end",
                cookies={"hearth_session": room.cookies["Ada"]},
                headers={"origin": a.url},
            )
            assert end.status_code == 200, end.text
            for member in (ada, bo):
                await member.expect("ended")
                with pytest.raises(ConnectionClosed) as closed:
                    await member.expect("never")
                assert closed.value.rcvd is not None
                assert closed.value.rcvd.code == 4410
        await asyncio.sleep(1)
        left = [k async for k in client.scan_iter(match=f"{cluster.prefix}room:{room.meeting_id}:*")]
        assert left == []
    finally:
        await client.aclose()
