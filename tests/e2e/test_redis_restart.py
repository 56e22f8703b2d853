"""Redis restarts mid-meeting: two processes resubscribe and messages flow again within 10 s."""

from __future__ import annotations

import asyncio
import secrets
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from live import Member, open_meeting
from support import (
    drop_postgres_database,
    free_port,
    fresh_postgres_database,
    start_server,
    unavailable,
)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


class PrivateRedis:
    """A redis-server of this test's own, so killing it disturbs nobody else."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            unavailable("the redis-server binary")
        self.binary = str(binary)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen([self.binary, *args], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 5
        while (
            subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout
            != b"PONG\n"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    yield server
    server.kill()


async def numsub(url: str, channel: str) -> int:
    client = aioredis.from_url(url)
    try:
        return int(dict(await client.pubsub_numsub(channel))[channel.encode()])
    finally:
        await client.aclose()


async def until_delivered(sender: Member, receiver: Member, text: str, within: float) -> float:
    """Send `text` (numbered: flood control refuses repeats) until the receiver gets one of the
    tries; returns the seconds it took."""
    started = time.monotonic()
    tries = 0
    while time.monotonic() - started < within:
        tries += 1
        await sender.send(type="say", text=f"{text} (try {tries})", client_id=secrets.token_hex(4))
        try:
            async with asyncio.timeout(1):
                while not (await receiver.expect("message"))["text"].startswith(text):
                    pass
            return time.monotonic() - started
        except TimeoutError:
            continue
    raise AssertionError(f"no delivery within {within} s")


async def test_messages_flow_again_on_both_processes_after_redis_restarts(
    tmp_path: Path, private_redis: PrivateRedis
) -> None:
    name, db_url = fresh_postgres_database()
    ports = (free_port(), free_port())
    env = {
        "HEARTH_DATABASE_URL": db_url,
        "HEARTH_REDIS_URL": private_redis.url,
        "HEARTH_SECRET_KEY": "restart-secret-" + secrets.token_hex(24),
        "HEARTH_ALLOWED_ORIGINS": ",".join(f"http://127.0.0.1:{p}" for p in ports),
    }
    a = start_server(tmp_path, env=env, name="a", port=ports[0])
    b = start_server(tmp_path, env=env, name="b", port=ports[1])
    try:
        room = await asyncio.to_thread(open_meeting, a.url, ["Ada", "Bo"])
        channel = f"hearth:room:{room.meeting_id}"
        async with Member.join(a.url, room, "Ada") as ada, Member.join(b.url, room, "Bo") as bo:
            await until_delivered(ada, bo, "before the restart", within=5)
            assert await numsub(private_redis.url, channel) == 2
            private_redis.kill()
            await ada.send(type="say", text="during the outage", client_id="out")
            refusal = await ada.expect("error", within=10)
            assert refusal["code"] == "unavailable"  # told plainly; the socket stays open
            assert refusal["client_id"] == "out"  # so the page can put the draft back
            private_redis.start()
            restarted = time.monotonic()
            await until_delivered(ada, bo, "after the restart, a to b", within=10)
            await until_delivered(bo, ada, "after the restart, b to a", within=10)
            assert time.monotonic() - restarted <= 10
            assert await numsub(private_redis.url, channel) == 2  # both processes resubscribed
        for server in (a, b):
            assert "Traceback" not in server.log()
    finally:
        a.stop()
        b.stop()
        drop_postgres_database(name)
