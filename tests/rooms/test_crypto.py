"""RoomCipher seals per meeting, and only ciphertext ever crosses Redis."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest
import redis.asyncio as aioredis

from rooms.broker import RedisBroker
from rooms.crypto import NONCE_SIZE, TAG_SIZE, RoomCipher, SealBroken
from rooms.state import RedisState
from rooms.types import Member, RoomRole

if TYPE_CHECKING:
    from conftest import PrivateRedis

SECRET = "test-secret-" + "s" * 40
CANARY = "I have not told anyone about the lighthouse"


def test_round_trip() -> None:
    cipher = RoomCipher(SECRET)
    blob = cipher.seal(7, CANARY.encode())
    assert len(blob) == NONCE_SIZE + len(CANARY.encode()) + TAG_SIZE
    assert CANARY.encode() not in blob
    assert cipher.open(7, blob) == CANARY.encode()
    assert cipher.open(7, cipher.seal(7, b"")) == b""


def test_every_seal_uses_a_fresh_nonce() -> None:
    cipher = RoomCipher(SECRET)
    first, second = cipher.seal(1, b"same"), cipher.seal(1, b"same")
    assert first != second
    assert first[:NONCE_SIZE] != second[:NONCE_SIZE]


def test_another_process_with_the_same_secret_opens_it() -> None:
    assert RoomCipher(SECRET).open(3, RoomCipher(SECRET).seal(3, b"hello")) == b"hello"


def test_a_blob_cannot_be_replayed_into_another_room() -> None:
    cipher = RoomCipher(SECRET)
    with pytest.raises(SealBroken):
        cipher.open(8, cipher.seal(7, b"hello"))


def test_a_different_secret_cannot_open_it() -> None:
    blob = RoomCipher(SECRET).seal(7, b"hello")
    with pytest.raises(SealBroken):
        RoomCipher("another-secret-" + "t" * 40).open(7, blob)


@pytest.mark.parametrize("position", [0, NONCE_SIZE, -1])
def test_tampering_anywhere_is_detected(position: int) -> None:
    cipher = RoomCipher(SECRET)
    blob = bytearray(cipher.seal(7, CANARY.encode()))
    blob[position] ^= 0x01
    with pytest.raises(SealBroken):
        cipher.open(7, bytes(blob))


@pytest.mark.parametrize("blob", [b"", b"x" * (NONCE_SIZE + TAG_SIZE - 1)])
def test_short_blobs_are_refused(blob: bytes) -> None:
    with pytest.raises(SealBroken):
        RoomCipher(SECRET).open(7, blob)


def test_seal_broken_carries_neither_plaintext_nor_ciphertext() -> None:
    cipher = RoomCipher(SECRET)
    blob = bytearray(cipher.seal(7, CANARY.encode()))
    blob[-1] ^= 0x01
    with pytest.raises(SealBroken) as info:
        cipher.open(7, bytes(blob))
    error = info.value
    text = f"{error}{error!r}{error.args}"
    assert CANARY not in text
    assert bytes(blob).hex() not in text
    assert repr(bytes(blob)) not in text
    assert error.__cause__ is None


def test_keys_are_cached_but_bounded() -> None:
    cipher = RoomCipher(SECRET, cache_size=2)
    blobs = {room: cipher.seal(room, b"%d" % room) for room in range(5)}
    assert len(cipher._keys) == 2
    assert all(cipher.open(room, blob) == b"%d" % room for room, blob in blobs.items())


def test_weak_secrets_are_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        RoomCipher("short")


async def test_only_ciphertext_crosses_redis(private_redis: PrivateRedis) -> None:
    """MONITOR sees every command; afterwards no key holds the canary either."""
    cipher, room, prefix = RoomCipher(SECRET), 41, "hearth-canary:"
    monitor = await asyncio.create_subprocess_exec(
        "redis-cli", "-p", str(private_redis.port), "monitor", stdout=asyncio.subprocess.PIPE
    )
    assert monitor.stdout is not None
    broker = RedisBroker(private_redis.url, prefix=prefix)
    state = RedisState(private_redis.url, prefix=prefix)
    try:
        assert (await asyncio.wait_for(monitor.stdout.readline(), 5)).strip() == b"OK"
        await broker.connect()
        await state.connect()
        await broker.subscribe(room)
        # A display name is not confidential: it is the control that MONITOR shows clear text.
        await state.join(room, Member(5, "Marker-Name", RoomRole.member), "node1")
        event = json.dumps({"type": "message", "text": CANARY}).encode()
        seq = await broker.publish(room, cipher.seal(room, event))
        delivery = await asyncio.wait_for(broker.next_published(), 5)
        assert (delivery.seq, cipher.open(room, delivery.payload)) == (seq, event)
        await state.snapshot(room)
        await broker.history(room, 0)
    finally:
        await broker.disconnect()
        await state.disconnect()
        monitor.kill()
        output, _ = await monitor.communicate()
    for control in (b"Marker-Name", b"EVALSHA", b"hearth-canary:room:41"):
        assert control in output  # MONITOR did see the traffic, clear text included
    assert CANARY.encode() not in output
    assert CANARY.encode() not in await dump_everything(private_redis.url)


async def dump_everything(url: str) -> bytes:
    client = aioredis.from_url(url)
    parts: list[bytes] = []
    try:
        async for key in client.scan_iter(count=500):
            kind = await client.type(key)
            if kind == b"string":
                parts.append(await client.get(key))
            elif kind == b"list":
                parts.extend(await client.lrange(key, 0, -1))
            elif kind == b"hash":
                parts.extend(value for pair in (await client.hgetall(key)).items() for value in pair)
            elif kind == b"zset":
                parts.extend(member for member, _ in await client.zrange(key, 0, -1, withscores=True))
            else:
                parts.append(await client.dump(key))
    finally:
        await client.aclose()
    assert parts, "expected the broker and store to have left keys to inspect"
    return b"\n".join(parts)
