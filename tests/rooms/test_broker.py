"""The broker contract, on memory and on Redis; then Redis resilience on a private server."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis

from rooms.broker import (
    BrokerClosed,
    BrokerUnavailable,
    MemoryBroker,
    RedisBroker,
    broker_from_url,
)
from rooms.broker.base import RedisKeys
from rooms.types import Delivery

if TYPE_CHECKING:
    from conftest import Backend, PrivateRedis

ROOM = 11


async def receive(broker: MemoryBroker | RedisBroker, count: int) -> list[Delivery]:
    return [await asyncio.wait_for(broker.next_published(), 5) for _ in range(count)]


async def nothing_arrives(broker: MemoryBroker | RedisBroker) -> bool:
    try:
        await asyncio.wait_for(broker.next_published(), 0.2)
    except TimeoutError:
        return True
    return False


# --- the contract, on both backends ---------------------------------------------------------------


async def test_seq_starts_at_one_and_counts_per_room(backend: Backend) -> None:
    broker = await backend.broker()
    assert [await broker.publish(ROOM, b"a"), await broker.publish(ROOM, b"b")] == [1, 2]
    assert await broker.publish(ROOM + 1, b"c") == 1


async def test_by_default_a_counter_starts_at_the_clock_so_a_lost_one_never_goes_back(
    backend: Backend,
) -> None:
    broker = await backend.broker(seq_origin="clock")
    before_us = time.time_ns() // 1000
    first = await broker.publish(ROOM, b"a")
    assert before_us - 5_000_000 < first < before_us + 5_000_000  # the server's clock, in microseconds
    assert await broker.publish(ROOM, b"b") == first + 1
    await broker.forget(ROOM)  # as a Redis restart or an expiry would lose it
    assert await broker.publish(ROOM, b"c") > first + 1


async def test_delivery_carries_room_seq_and_payload(backend: Backend) -> None:
    broker = await backend.broker()
    await broker.subscribe(ROOM)
    seq = await broker.publish(ROOM, b"\x00sealed:bytes\xff")
    assert await receive(broker, 1) == [Delivery(ROOM, seq, b"\x00sealed:bytes\xff")]


async def test_two_processes_publishing_at_once_share_one_order(backend: Backend) -> None:
    first, second = await backend.broker(), await backend.broker()
    for broker in (first, second):
        await broker.subscribe(ROOM)
    payloads = [b"first-%d" % i for i in range(150)] + [b"second-%d" % i for i in range(150)]
    seqs = await asyncio.gather(
        *(first.publish(ROOM, p) for p in payloads[:150]), *(second.publish(ROOM, p) for p in payloads[150:])
    )
    assert sorted(seqs) == list(range(1, 301))
    for broker in (first, second):
        got = await receive(broker, 300)
        assert [d.seq for d in got] == list(range(1, 301))
        assert {d.payload for d in got} == set(payloads)
        assert all(dict(zip(seqs, payloads, strict=True))[d.seq] == d.payload for d in got)


async def test_subscribe_is_idempotent_and_needs_no_second_unsubscribe(backend: Backend) -> None:
    broker = await backend.broker()
    await broker.subscribe(ROOM)
    await broker.subscribe(ROOM)
    await broker.publish(ROOM, b"once")
    assert [d.payload for d in await receive(broker, 1)] == [b"once"]
    assert await nothing_arrives(broker)
    await broker.unsubscribe(ROOM)
    await broker.unsubscribe(ROOM)
    await broker.publish(ROOM, b"unheard")
    assert await nothing_arrives(broker)


async def test_only_subscribed_rooms_arrive_and_a_publisher_needs_no_subscription(backend: Backend) -> None:
    listener, publisher = await backend.broker(), await backend.broker()
    await listener.subscribe(ROOM)
    await listener.subscribe(ROOM + 1)
    await publisher.publish(ROOM + 2, b"elsewhere")
    await publisher.publish(ROOM + 1, b"one")
    await publisher.publish(ROOM, b"two")
    assert [(d.room, d.payload) for d in await receive(listener, 2)] == [(ROOM + 1, b"one"), (ROOM, b"two")]
    assert await nothing_arrives(listener)
    assert await nothing_arrives(publisher)


async def test_history_returns_events_after_a_seq(backend: Backend) -> None:
    broker = await backend.broker()
    for i in range(1, 6):
        await broker.publish(ROOM, b"e%d" % i)
    assert await broker.history(ROOM, 2) == ([Delivery(ROOM, s, b"e%d" % s) for s in (3, 4, 5)], True)
    assert await broker.history(ROOM, 5) == ([], True)
    assert await broker.history(ROOM, 99) == ([], True)
    assert seqs(await broker.history(ROOM, -3)) == ([1, 2, 3, 4, 5], True)
    assert await broker.history(ROOM + 1, 0) == ([], True)


async def test_private_and_control_channels_are_relayed_but_never_logged(backend: Backend) -> None:
    broker, listener = await backend.broker(), await backend.broker()
    await listener.subscribe(-ROOM)
    assert await broker.publish(-ROOM, b"private") == 1
    delivery = await asyncio.wait_for(listener.next_published(), 2)
    assert (delivery.room, delivery.payload) == (-ROOM, b"private")
    assert await broker.history(-ROOM, 0) == ([], False)  # relayed live, held nowhere
    await broker.publish(0, b"control")
    assert (await broker.history(0, 0))[0] == []


async def test_history_says_when_the_log_was_trimmed(backend: Backend) -> None:
    broker = await backend.broker(log_size=5)
    for i in range(1, 9):
        await broker.publish(ROOM, b"e%d" % i)
    assert seqs(await broker.history(ROOM, 0)) == ([4, 5, 6, 7, 8], False)
    assert seqs(await broker.history(ROOM, 2)) == ([4, 5, 6, 7, 8], False)
    assert seqs(await broker.history(ROOM, 3)) == ([4, 5, 6, 7, 8], True)
    assert seqs(await broker.history(ROOM, 6)) == ([7, 8], True)


def seqs(history: tuple[list[Delivery], bool]) -> tuple[list[int], bool]:
    return [d.seq for d in history[0]], history[1]


async def test_forget_deletes_log_and_counter(backend: Backend) -> None:
    broker = await backend.broker()
    await broker.publish(ROOM, b"old")
    await broker.publish(ROOM + 1, b"kept")
    await broker.forget(ROOM)
    assert await broker.history(ROOM, 0) == ([], True)
    assert await broker.publish(ROOM, b"new") == 1
    assert await broker.publish(ROOM + 1, b"kept too") == 2


async def test_an_idle_room_expires(backend: Backend) -> None:
    broker = await backend.broker(log_ttl=0.3)
    await broker.publish(ROOM, b"soon gone")
    await asyncio.sleep(0.5)
    assert await broker.history(ROOM, 0) == ([], True)
    assert await broker.publish(ROOM, b"again") == 1


async def test_many_concurrent_publishers_do_not_exhaust_connections(backend: Backend) -> None:
    options = {"max_connections": 3} if backend.kind == "redis" else {}
    broker = await backend.broker(**options)
    seqs = await asyncio.gather(*(broker.publish(ROOM, b"p%d" % i) for i in range(400)))
    assert sorted(seqs) == list(range(1, 401))


async def test_disconnect_ends_the_consumer_and_calls_after_it_fail(backend: Backend) -> None:
    broker = await backend.broker()
    await broker.subscribe(ROOM)
    consumer = asyncio.create_task(broker.next_published())
    await asyncio.sleep(0.05)
    await broker.disconnect()
    with pytest.raises(BrokerClosed):
        await consumer
    with pytest.raises(BrokerClosed):
        await broker.publish(ROOM, b"x")
    with pytest.raises(BrokerClosed):
        await broker.next_published()


async def test_one_consumer_at_a_time(backend: Backend) -> None:
    broker = await backend.broker()
    first = asyncio.create_task(broker.next_published())
    await asyncio.sleep(0.01)
    with pytest.raises(RuntimeError, match="one consumer"):
        await broker.next_published()
    await broker.subscribe(ROOM)
    await broker.publish(ROOM, b"for the first")
    assert (await asyncio.wait_for(first, 5)).payload == b"for the first"


def test_broker_from_url() -> None:
    assert isinstance(broker_from_url(None), MemoryBroker)
    assert isinstance(broker_from_url("redis://127.0.0.1:6379/0"), RedisBroker)
    with pytest.raises(ValueError, match="redis://") as info:
        broker_from_url("http://user:hunter2@example.org")
    assert "hunter2" not in str(info.value)


# --- Redis specifics ------------------------------------------------------------------------------


async def test_wire_format_is_seq_colon_payload(shared_redis: str) -> None:
    prefix = "hearth-test-wire:"
    broker = RedisBroker(shared_redis, prefix=prefix)
    raw = aioredis.from_url(shared_redis)
    pubsub = raw.pubsub()
    await broker.connect()
    try:
        await pubsub.subscribe(RedisKeys(prefix).channel(ROOM))
        await pubsub.get_message(timeout=1)  # the subscribe confirmation
        seq = await broker.publish(ROOM, b"sealed")
        message = await pubsub.get_message(timeout=2)
        assert message is not None
        assert message["data"] == b"%d:sealed" % seq
        assert await raw.lrange(RedisKeys(prefix).log(ROOM), 0, -1) == [b"%d:sealed" % seq]
        assert 0 < await raw.pttl(RedisKeys(prefix).log(ROOM)) <= 12 * 3600 * 1000
    finally:
        await broker.forget(ROOM)
        await broker.disconnect()
        await pubsub.aclose()
        await raw.aclose()


async def test_malformed_messages_are_dropped_and_the_listener_goes_on(shared_redis: str) -> None:
    prefix = "hearth-test-malformed:"
    broker = RedisBroker(shared_redis, prefix=prefix)
    raw = aioredis.from_url(shared_redis)
    await broker.connect()
    try:
        await broker.subscribe(ROOM)
        for junk in (b"no separator", b":empty seq", b"12x:not a number", b""):
            await raw.publish(RedisKeys(prefix).channel(ROOM), junk)
        seq = await broker.publish(ROOM, b"fine")
        assert await receive(broker, 1) == [Delivery(ROOM, seq, b"fine")]
    finally:
        await broker.forget(ROOM)
        await broker.disconnect()
        await raw.aclose()


async def test_connect_fails_fast_when_redis_is_down(private_redis: PrivateRedis) -> None:
    await private_redis.kill()
    broker = RedisBroker(private_redis.url, op_timeout=1)
    with pytest.raises(BrokerUnavailable):
        await broker.connect()
    with pytest.raises(BrokerClosed):
        await broker.publish(ROOM, b"x")


async def test_listener_survives_a_redis_restart(private_redis: PrivateRedis) -> None:
    broker = RedisBroker(private_redis.url, prefix="p:", op_timeout=1, health_interval=1)
    channels = [RedisKeys("p:").channel(room) for room in (1, 2, 3)]
    await broker.connect()
    try:
        await broker.subscribe(1)
        await broker.subscribe(2)
        await broker.publish(1, b"before")
        assert [d.payload for d in await receive(broker, 1)] == [b"before"]

        await private_redis.kill()
        with pytest.raises(BrokerUnavailable) as info:
            await broker.publish(2, b"secret while down")
        assert "secret" not in f"{info.value!r}{info.value.__cause__!r}"
        await asyncio.wait_for(broker.subscribe(3), 1)  # recorded now, subscribed on reconnect
        await asyncio.sleep(1.5)  # several reconnect attempts fail meanwhile

        await private_redis.start()
        started = asyncio.get_running_loop().time()
        delivery = await publish_until_delivered(broker, 2, b"after")
        assert asyncio.get_running_loop().time() - started < 10
        assert (delivery.room, delivery.payload) == (2, b"after")
        assert broker.reconnects == 1
        assert await numsub(private_redis.url, channels) == [1, 1, 1]
        await broker.publish(3, b"subscribed while down")
        assert [(d.room, d.payload) for d in await receive(broker, 1)] == [(3, b"subscribed while down")]
    finally:
        await broker.disconnect()


async def test_a_link_that_goes_silent_is_replaced(private_redis: PrivateRedis) -> None:
    """CLIENT PAUSE holds every reply, as a dead peer would: the PING check must notice."""
    broker = RedisBroker(private_redis.url, prefix="p:", health_interval=0.3)
    client = aioredis.from_url(private_redis.url)
    await broker.connect()
    try:
        await broker.subscribe(1)
        await client.execute_command("CLIENT", "PAUSE", 1500, "ALL")
        await asyncio.sleep(2)
        delivery = await publish_until_delivered(broker, 1, b"after the pause")
        assert delivery.payload == b"after the pause"
        assert broker.reconnects >= 1
        assert await numsub(private_redis.url, [RedisKeys("p:").channel(1)]) == [1]
    finally:
        await broker.disconnect()
        await client.aclose()


async def numsub(url: str, channels: list[bytes]) -> list[int]:
    client = aioredis.from_url(url)
    try:
        return [count for _, count in await client.pubsub_numsub(*channels)]
    finally:
        await client.aclose()


async def publish_until_delivered(broker: RedisBroker, room: int, payload: bytes) -> Delivery:
    """Publish until the (reconnecting) listener hands the event back; 10 s at most."""
    async with asyncio.timeout(10):
        while True:
            try:
                await broker.publish(room, payload)
                return await asyncio.wait_for(broker.next_published(), 0.3)
            except (BrokerUnavailable, TimeoutError):
                await asyncio.sleep(0.05)


async def test_scripts_are_reloaded_after_script_flush(private_redis: PrivateRedis) -> None:
    broker = RedisBroker(private_redis.url, prefix="p:", seq_origin="zero")
    client = aioredis.from_url(private_redis.url)
    await broker.connect()
    try:
        assert await broker.publish(ROOM, b"one") == 1
        await client.script_flush()
        assert await broker.publish(ROOM, b"two") == 2
        assert [d.seq for d in (await broker.history(ROOM, 0))[0]] == [1, 2]
    finally:
        await broker.disconnect()
        await client.aclose()
