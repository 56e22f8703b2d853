"""The core promise: what is said in a meeting is relayed, never kept.

A meeting is held with a canary phrase in every kind of frame a member can send (messages,
malformed frames, oversized and invalid ones), and every moderation tool is used with it (crisis
words, refusals, the private line, pins, reports), on the embedded default and on two processes
sharing PostgreSQL and Redis. Afterwards the phrase must be nowhere: not in any log line (at
DEBUG), any database table, anything Redis saw (MONITOR) or holds, or any file in the data dir.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa
from live import Member, Room, open_meeting
from sqlmodel import SQLModel
from support import REDIS_URL, Cluster, Server, run_async
from websockets.exceptions import ConnectionClosed

import meeting.models  # noqa: F401  (every table on the metadata)
from meeting.db import Database

pytestmark = pytest.mark.e2e


@pytest.fixture
def canary() -> str:
    return f"CANARY-{secrets.token_hex(6)}-quiet-heron"


@pytest.fixture
def monitor(tmp_path: Path, redis_url: str) -> Iterator[Path]:
    """Everything Redis is asked to do, captured with MONITOR for the length of the test."""
    out = tmp_path / "monitor.txt"
    host, port = redis_url.split("//", 1)[1].split("/", 1)[0].split(":")
    with out.open("wb") as f:
        proc = subprocess.Popen(["redis-cli", "-h", host, "-p", port, "monitor"], stdout=f, stderr=f)
    try:
        yield out
    finally:
        proc.terminate()
        proc.wait(timeout=5)


async def hold_a_meeting(urls: tuple[str, str], room: Room, canary: str) -> None:
    """Ada (on the first URL) and Bo (on the second) exercise every path text can take."""
    async with Member.join(urls[0], room, "Ada") as ada, Member.join(urls[1], room, "Bo") as bo:
        await bo.send(type="say", text=f"I have been struggling, {canary}", client_id="c1")
        await ada.expect("message")
        await ada.send(type="say", text=f"Thank you for sharing {canary}\n\nwith us", client_id="c2")
        await bo.expect("message")
        for raw in [  # refused: each gets an error frame, which must not quote the input
            f"{{not json {canary}",
            json.dumps({"type": canary}),
            json.dumps({"type": "say", "text": canary * 100, "client_id": "long"}),  # > 2,000 characters
            json.dumps({"type": "react", "message_id": "abc", "reaction": canary}),
            json.dumps({"type": "ping", canary: 1}),
            json.dumps({"type": "resync", "after_seq": canary}),
        ]:
            await bo.ws.send(raw)
            await bo.expect("error")
        canary_id = canary.replace("-", "_")  # valid ids: relayed (sealed), never kept
        await bo.send(type="say", text="ok", client_id=canary_id)
        await bo.expect("message", client_id=canary_id)
        await bo.send(type="react", message_id=canary_id, reaction="heart")
        await ada.expect("reaction", message_id=canary_id)
        await use_every_moderation_tool(ada, bo, canary)
        await bo.send(type="leave")
    async with Member.join(urls[1], room, "Bo") as bo:  # an oversized frame, closed with 1009
        await bo.ws.send(json.dumps({"type": "say", "text": canary * 1000, "client_id": "big"}))
        with pytest.raises(ConnectionClosed):
            await bo.expect("never")


async def use_every_moderation_tool(ada: Member, bo: Member, canary: str) -> None:
    """Ada (an admin) runs every facilitator tool; Bo (a member) every member tool; the canary
    rides in every text a tool carries: crisis words, refusals, the private line, pins, reports."""
    bo_id = bo.frames[0]["you"]["id"]
    await bo.send(type="say", text=f"I don't want to be here anymore {canary}", client_id="crisis")
    crisis = await ada.expect("message", text=f"I don't want to be here anymore {canary}")
    await ada.expect("alert")
    await bo.expect("resources")
    for text in (f"write to {canary}@example.com", f"my insta is @{canary.replace('-', '_')}"):
        await bo.send(type="say", text=text, client_id="refused")
        await bo.expect("error", code="personal_info")
    await bo.send(type="ask_facilitator", text=f"can we talk {canary}")
    await ada.expect("private_message")
    await ada.send(type="reply_privately", user_id=bo_id, text=f"yes {canary}")
    await bo.expect("private_message", text=f"yes {canary}")
    await bo.send(type="report", message_id=crisis["id"], reason="other")
    await ada.expect("reported")
    await ada.send(type="announce", text=f"Pinned {canary}")
    await bo.expect("announcement")
    for frame in (
        {"type": "mute", "user_id": bo_id, "minutes": 5},
        {"type": "unmute", "user_id": bo_id},
        {"type": "slow_mode", "seconds": 10},
        {"type": "slow_mode", "seconds": 0},
        {"type": "lock"},
        {"type": "unlock"},
        {"type": "facilitated_mode", "on": True},
        {"type": "give_floor", "user_id": bo_id},
        {"type": "round_start", "seconds_per_turn": 60},
        {"type": "round_stop"},
        {"type": "facilitated_mode", "on": False},
        {"type": "delete_message", "message_id": crisis["id"]},
        {"type": "restore_message", "message_id": crisis["id"]},
    ):
        await ada.send(**frame)
    await bo.expect("message_change", change="restored")
    await bo.send(type="listening", on=True)
    await bo.expect("listening", on=True)
    await bo.send(type="block", user_id=ada.frames[0]["you"]["id"])  # refused: staff can't be blocked
    await bo.expect("error", code="forbidden")
    for i in range(7):  # flood control and repeats refuse, privately
        await bo.send(type="say", text=f"again and again {canary}", client_id=f"f{i}")
    await bo.expect("error", code="rate_limited")


async def table_dump(url: str) -> str:
    db = Database(url)
    try:
        async with db.engine.connect() as conn:
            rows = []
            for table in SQLModel.metadata.sorted_tables:
                rows += [repr(tuple(r)) for r in await conn.execute(sa.select(table))]
            return "\n".join(rows)
    finally:
        await db.close()


async def redis_dump(url: str, prefix: str) -> bytes:
    client = aioredis.from_url(url)
    try:
        out = []
        async for key in client.scan_iter(match=prefix + "*"):
            out.append(key + b"=" + repr(await client.dump(key)).encode())
        return b"\n".join(out)
    finally:
        await client.aclose()


def files_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def assert_absent(canary: str, where: str, content: str | bytes) -> None:
    needle = canary.encode() if isinstance(content, bytes) else canary
    assert needle not in content, f"the canary phrase leaked into {where}"  # type: ignore[operator]


@pytest.mark.redis
def test_embedded_default_keeps_nothing(server: Server, canary: str, monitor: Path) -> None:
    room = open_meeting(server.url, ["Ada", "Bo"])
    asyncio.run(hold_a_meeting((server.url, server.url), room, canary))
    server.stop()
    assert "ws.connect" in server.log()  # the log is real and was written at DEBUG
    assert_absent(canary, "the server log", server.log())
    assert_absent(canary, "the data dir (SQLite database, WAL, secret)", files_under(server.data_dir))
    url = f"sqlite+aiosqlite:///{server.data_dir / 'hearth.db'}"
    dump = run_async(table_dump(url))
    assert "Evening circle" in dump  # the dump sees real rows
    assert "crisis_alert" in dump  # and the moderation audit: that it happened, not what
    assert_absent(canary, "a database table", dump)


@pytest.mark.postgres
@pytest.mark.redis
def test_two_processes_keep_nothing_anywhere(cluster: Cluster, canary: str, monitor: Path) -> None:
    a, b = cluster.servers
    room = open_meeting(a.url, ["Ada", "Bo"])
    asyncio.run(hold_a_meeting((a.url, b.url), room, canary))
    held = run_async(redis_dump(REDIS_URL, cluster.prefix))
    assert held  # the replay log exists while the meeting runs: sealed, not readable
    assert_absent(canary, "a Redis key", held)
    a.stop()
    b.stop()
    for server in (a, b):
        assert "ws.connect" in server.log()
        assert_absent(canary, "a server log", server.log())
        assert_absent(canary, "a data dir", files_under(server.data_dir))
    seen = monitor.read_bytes()
    assert b"PUBLISH" in seen.upper() or b"EVALSHA" in seen.upper()  # MONITOR saw the traffic
    assert_absent(canary, "Redis MONITOR output", seen)
    dump = run_async(table_dump(cluster.env["HEARTH_DATABASE_URL"]))
    assert "Evening circle" in dump
    assert "crisis_alert" in dump  # the moderation audit was written: that it happened, not what
    assert_absent(canary, "a PostgreSQL table", dump)
