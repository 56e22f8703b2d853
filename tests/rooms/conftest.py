"""Fixtures for the room transport tests (broker, state store, cipher); self-sufficient.

`backend` runs a test twice: on a `MemoryHub` and on the local Redis (127.0.0.1:6379, or
HEARTH_TEST_REDIS) under a key prefix unique to the test, whose keys are deleted afterwards.
Every broker or store made through it counts as one server process. `private_redis` starts a
throw-away `redis-server` on a free port, for tests that kill Redis or watch it with MONITOR.
Under CI=true a missing Redis fails the run; elsewhere those tests skip with the reason.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import shutil
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis
import redis.asyncio as aioredis

from rooms.broker import MemoryBroker, MemoryHub, RedisBroker
from rooms.state import MemoryState, RedisState

CI = os.environ.get("CI") == "true"
SHARED_REDIS = os.environ.get("HEARTH_TEST_REDIS", "redis://127.0.0.1:6379/0")
RUN_ID = secrets.token_hex(4)
_test_numbers = itertools.count()


def unavailable(what: str) -> None:
    """A missing service fails under CI (it must never pass silently) and skips elsewhere."""
    if CI:
        pytest.fail(f"{what} is required under CI=true but is not available")
    pytest.skip(f"{what} is not available")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def ping(url: str) -> bool:
    client = aioredis.from_url(url, socket_connect_timeout=1)
    try:
        return bool(await client.ping())
    except (aioredis.RedisError, OSError):
        return False
    finally:
        await client.aclose()


async def delete_prefixed(url: str, prefix: str) -> None:
    client = aioredis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=500)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture(scope="session")
def shared_redis() -> str:
    """The URL of the shared local Redis, after checking that it answers.

    Synchronous on purpose: async fixtures ask for it with `getfixturevalue` while a loop runs.
    """
    client = redis.Redis.from_url(SHARED_REDIS, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        unavailable(f"Redis at {SHARED_REDIS} ({type(exc).__name__})")
    finally:
        client.close()
    return SHARED_REDIS


class Backend:
    """Makes connected brokers and state stores on one backend; each one is "a process"."""

    def __init__(self, kind: str, url: str | None, prefix: str) -> None:
        self.kind, self.url, self.prefix = kind, url, prefix
        self.hub = MemoryHub()
        self._brokers: list[MemoryBroker | RedisBroker] = []
        self._states: list[MemoryState | RedisState] = []

    async def broker(self, **options: Any) -> MemoryBroker | RedisBroker:
        """A connected broker; counters start at zero unless `seq_origin="clock"` is passed."""
        options.setdefault("seq_origin", "zero")
        broker: MemoryBroker | RedisBroker
        if self.url is None:
            broker = MemoryBroker(self.hub, **options)
        else:
            broker = RedisBroker(self.url, prefix=self.prefix, **options)
        self._brokers.append(broker)
        await broker.connect()
        return broker

    async def state(self, **options: Any) -> MemoryState | RedisState:
        state: MemoryState | RedisState
        if self.url is None:
            state = MemoryState(self.hub, **options)
        else:
            state = RedisState(self.url, prefix=self.prefix, **options)
        self._states.append(state)
        await state.connect()
        return state

    async def close(self) -> None:
        for broker in self._brokers:
            await broker.disconnect()
        for state in self._states:
            await state.disconnect()
        if self.url is not None:
            await delete_prefixed(self.url, self.prefix)


@pytest.fixture(params=["memory", "redis"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    url = None if request.param == "memory" else request.getfixturevalue("shared_redis")
    prefix = f"hearth-test:{RUN_ID}:{next(_test_numbers)}:"
    made = Backend(request.param, url, prefix)
    try:
        yield made
    finally:
        await made.close()


class PrivateRedis:
    """A `redis-server` subprocess of our own, on a fixed free port, that tests may kill."""

    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self.binary,
            *("--port", str(self.port), "--bind", "127.0.0.1", "--save", ""),
            *("--appendonly", "no", "--daemonize", "no"),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        for _ in range(100):
            if await ping(self.url):
                return
            await asyncio.sleep(0.05)
        await self.kill()
        pytest.fail("private redis-server did not start within 5 s")

    async def kill(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()


@pytest.fixture
async def private_redis() -> AsyncIterator[PrivateRedis]:
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("the redis-server binary")
        raise AssertionError("unreachable")
    server = PrivateRedis(binary)
    await server.start()
    try:
        yield server
    finally:
        await server.kill()
