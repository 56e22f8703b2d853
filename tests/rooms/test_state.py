"""The room state store contract, on memory and on Redis (each store instance is one process)."""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import TYPE_CHECKING

import pytest

from rooms.state import MemoryState, RedisState, state_from_url
from rooms.state.base import Flag, Mark, encode_member
from rooms.types import Member, Presence, PresenceStatus, RoomRole, RoomSnapshot

if TYPE_CHECKING:
    from conftest import Backend

ROOM = 21
ANN = Member(1, "Ann", RoomRole.host)
BEN = Member(2, "Bén 🌿", RoomRole.member)
TTL = 0.5  # presence TTL used where a test waits for expiry
PAST_TTL = 0.8


def statuses(snapshot: RoomSnapshot) -> dict[int, PresenceStatus]:
    return {p.member.user_id: p.status for p in snapshot.members}


# --- presence -------------------------------------------------------------------------------------


async def test_join_is_fresh_once_and_the_snapshot_lists_the_member(backend: Backend) -> None:
    state = await backend.state()
    assert await state.join(ROOM, BEN, "a") is True
    assert await state.join(ROOM, ANN, "a") is True
    assert await state.join(ROOM, BEN, "a") is False  # a second tab
    snapshot = await state.snapshot(ROOM)
    assert snapshot.members == (
        Presence(ANN, PresenceStatus.present),
        Presence(BEN, PresenceStatus.present),
    )
    assert (await state.snapshot(ROOM + 1)).members == ()


async def test_present_until_the_last_connection_goes(backend: Backend) -> None:
    one, two = await backend.state(), await backend.state()
    await one.join(ROOM, BEN, "a")
    await one.join(ROOM, BEN, "a")
    await two.join(ROOM, BEN, "b")
    assert await one.mark_reconnecting(ROOM, BEN.user_id) is False
    assert await two.mark_reconnecting(ROOM, BEN.user_id, "b") is False
    assert statuses(await one.snapshot(ROOM)) == {BEN.user_id: PresenceStatus.present}
    assert await one.mark_reconnecting(ROOM, BEN.user_id, "a") is True
    assert statuses(await one.snapshot(ROOM)) == {BEN.user_id: PresenceStatus.reconnecting}
    assert await one.still_reconnecting(ROOM, BEN.user_id) is True
    assert await one.mark_reconnecting(ROOM, BEN.user_id, "a") is False  # nothing left to drop


async def test_a_reconnecting_member_who_comes_back_is_not_fresh(backend: Backend) -> None:
    first, second = await backend.state(), await backend.state()
    await first.join(ROOM, BEN, "a")
    assert await first.mark_reconnecting(ROOM, BEN.user_id) is True
    assert await second.join(ROOM, BEN, "b") is False  # back, through another process
    assert statuses(await first.snapshot(ROOM)) == {BEN.user_id: PresenceStatus.present}
    assert await first.still_reconnecting(ROOM, BEN.user_id) is False


async def test_leave_counts_down_then_removes(backend: Backend) -> None:
    state = await backend.state()
    await state.join(ROOM, BEN, "a")
    await state.join(ROOM, BEN, "b")
    assert await state.leave(ROOM, BEN.user_id, "a") is False
    assert await state.leave(ROOM, BEN.user_id, "a") is False  # no connection of theirs on a
    assert await state.leave(ROOM, BEN.user_id, "b") is True
    assert (await state.snapshot(ROOM)).members == ()
    assert await state.leave(ROOM, BEN.user_id, "b") is False
    assert await state.join(ROOM, BEN, "a") is True


async def test_leaving_while_reconnecting_removes_the_member(backend: Backend) -> None:
    state = await backend.state()
    await state.join(ROOM, BEN, "a")
    await state.mark_reconnecting(ROOM, BEN.user_id, "a")
    assert await state.leave(ROOM, BEN.user_id, "a") is True
    assert (await state.snapshot(ROOM)).members == ()


async def test_members_of_a_silent_node_expire_and_are_reaped_once(backend: Backend) -> None:
    state = await backend.state(presence_ttl=TTL)
    await state.join(ROOM, ANN, "alive")
    await state.join(ROOM, BEN, "crashed")
    await state.join(ROOM, ANN, "crashed")
    for _ in range(3):
        await asyncio.sleep(PAST_TTL / 3)
        assert await state.heartbeat("alive", {ROOM: [ANN.user_id]}) == []
    assert await state.reap(ROOM) == [BEN.user_id]
    assert await state.reap(ROOM) == []
    assert statuses(await state.snapshot(ROOM)) == {ANN.user_id: PresenceStatus.present}


async def test_an_expired_member_who_joins_again_is_fresh(backend: Backend) -> None:
    state = await backend.state(presence_ttl=TTL)
    await state.join(ROOM, BEN, "a")
    await asyncio.sleep(PAST_TTL)
    assert await state.join(ROOM, BEN, "b") is True  # not reaped yet, but gone all the same


async def test_reconnecting_members_are_reaped_after_their_grace(backend: Backend) -> None:
    state = await backend.state(presence_ttl=30, grace=TTL)
    await state.join(ROOM, ANN, "a")
    await state.join(ROOM, BEN, "a")
    await state.mark_reconnecting(ROOM, BEN.user_id, "a")
    assert await state.reap(ROOM) == []
    await asyncio.sleep(PAST_TTL)
    assert await state.reap(ROOM) == [BEN.user_id]
    assert await state.still_reconnecting(ROOM, BEN.user_id) is False
    assert (await state.snapshot(ROOM)).members == (Presence(ANN, PresenceStatus.present),)


async def test_still_reconnecting_prunes_an_expired_grace(backend: Backend) -> None:
    state = await backend.state(grace=TTL)
    await state.join(ROOM, BEN, "a")
    await state.mark_reconnecting(ROOM, BEN.user_id, "a")
    await asyncio.sleep(PAST_TTL)
    assert await state.still_reconnecting(ROOM, BEN.user_id) is False
    assert await state.reap(ROOM) == []  # already removed


async def test_heartbeat_reports_members_the_store_lost(backend: Backend) -> None:
    state = await backend.state(presence_ttl=TTL)
    await state.join(ROOM, BEN, "a")
    await state.join(ROOM + 1, ANN, "a")
    await asyncio.sleep(PAST_TTL)
    assert await state.reap(ROOM) == [BEN.user_id]
    missing = await state.heartbeat("a", {ROOM: [BEN.user_id], ROOM + 1: [ANN.user_id]})
    assert missing == [(ROOM, BEN.user_id)]  # ANN was expired but not reaped: revived
    assert statuses(await state.snapshot(ROOM + 1)) == {ANN.user_id: PresenceStatus.present}
    assert await state.heartbeat("a", {}) == []


def test_node_ids_are_checked() -> None:
    with pytest.raises(ValueError, match="node"):
        MemoryState(node="a|b")
    with pytest.raises(ValueError, match="node"):
        RedisState("redis://127.0.0.1:6379/0", node="")


# --- hands, floor, flags --------------------------------------------------------------------------


async def test_hand_queue_is_ordered_without_duplicates(backend: Backend) -> None:
    state = await backend.state()
    assert await state.raise_hand(ROOM, 3) == (3,)
    assert await state.raise_hand(ROOM, 1) == (3, 1)
    assert await state.raise_hand(ROOM, 3) == (3, 1)
    assert await state.raise_hand(ROOM, 2) == (3, 1, 2)
    assert await state.lower_hand(ROOM, 1) == (3, 2)
    assert await state.lower_hand(ROOM, 1) == (3, 2)
    assert (await state.snapshot(ROOM)).hands == (3, 2)


async def test_racing_processes_cannot_corrupt_the_hand_queue(backend: Backend) -> None:
    stores = [await backend.state() for _ in range(3)]
    users = range(100, 130)
    raises = [store.raise_hand(ROOM, uid) for store, uid in zip(itertools.cycle(stores), list(users) * 4)]
    await asyncio.gather(*raises)
    hands = (await stores[0].snapshot(ROOM)).hands
    assert sorted(hands) == list(users)
    lowers = [store.lower_hand(ROOM, uid) for store, uid in zip(itertools.cycle(stores), list(users) * 2)]
    await asyncio.gather(*lowers, *(stores[1].raise_hand(ROOM, uid) for uid in (7, 8)))
    assert (await stores[2].snapshot(ROOM)).hands == (7, 8)


async def test_floor_and_flags(backend: Backend) -> None:
    state = await backend.state()
    assert await state.snapshot(ROOM) == RoomSnapshot()
    assert await state.set_floor(ROOM, 5) is True
    assert await state.set_floor(ROOM, 5) is False
    assert await state.release_floor(ROOM, 6) is False
    assert (await state.snapshot(ROOM)).floor == 5
    assert await state.release_floor(ROOM, 5) is True
    assert await state.set_floor(ROOM, None) is False
    await state.set_floor(ROOM, 6)
    await state.set_flag(ROOM, Flag.locked, "1")
    await state.set_flag(ROOM, Flag.slow, "15")
    await state.set_flag(ROOM, Flag.facilitated, "1")
    await state.set_flag(ROOM, Flag.round, '{"order":[6]}')
    await state.set_flag(ROOM, Flag.note, base64.b64encode(b"\x00sealed").decode())
    snapshot = await state.snapshot(ROOM)
    assert (snapshot.floor, snapshot.locked, snapshot.slow_mode) == (6, True, 15)
    assert (snapshot.facilitated, snapshot.round, snapshot.note) == (True, '{"order":[6]}', b"\x00sealed")
    assert await state.set_floor(ROOM, None) is True
    for flag in Flag:
        await state.set_flag(ROOM, flag, None)
    assert await state.snapshot(ROOM) == RoomSnapshot()


async def test_member_marks_are_set_read_and_cleared(backend: Backend) -> None:
    state, other = await backend.state(), await backend.state()
    assert await state.set_mark(ROOM, Mark.muted, BEN.user_id, "0") is False
    assert await state.set_mark(ROOM, Mark.muted, ANN.user_id, "1700000000000") is False
    assert await state.set_mark(ROOM, Mark.muted, ANN.user_id, "1700000005000") is True  # replaced
    await state.set_mark(ROOM, Mark.removed, 9, "1")
    await state.set_mark(ROOM, Mark.admitted, 10, "1")
    await state.set_mark(ROOM, Mark.listening, BEN.user_id, "1")
    await state.set_mark(ROOM, Mark.waiting, 12, encode_member(Member(12, "Cy", RoomRole.member), 2))
    await state.set_mark(ROOM, Mark.waiting, 11, encode_member(Member(11, "Di", RoomRole.member), 1))
    seen = await other.snapshot(ROOM)  # another process sees the same
    assert seen.muted == {BEN.user_id: 0, ANN.user_id: 1700000005000}
    assert (seen.removed, seen.admitted, seen.listening) == (
        frozenset({9}),
        frozenset({10}),
        frozenset({BEN.user_id}),
    )
    assert [m.user_id for m in seen.waiting] == [11, 12]  # oldest first
    assert seen.waiting[0] == Member(11, "Di", RoomRole.member)
    assert await state.set_mark(ROOM, Mark.waiting, 11, None) is True
    assert await state.set_mark(ROOM, Mark.waiting, 11, None) is False  # already gone
    assert [m.user_id for m in (await other.snapshot(ROOM)).waiting] == [12]
    assert (await other.snapshot(ROOM + 1)).muted == {}


async def test_reports_count_distinct_reporters(backend: Backend) -> None:
    state, other = await backend.state(), await backend.state()
    assert await state.count_report(ROOM, "m1", 1) == 1
    assert await other.count_report(ROOM, "m1", 1) == 1  # the same member twice counts once
    assert await other.count_report(ROOM, "m1", 2) == 2
    assert await state.count_report(ROOM, "m2", 2) == 1
    assert await state.count_report(ROOM + 1, "m1", 3) == 1
    await state.clear(ROOM)
    assert await state.count_report(ROOM, "m1", 3) == 1


# --- sequence, connections, clearing --------------------------------------------------------------


async def test_first_seq_is_set_once_per_member(backend: Backend) -> None:
    state = await backend.state()
    assert await state.first_seq(ROOM, BEN.user_id, 40) == 40
    assert await state.first_seq(ROOM, BEN.user_id, 55) == 40
    assert await state.first_seq(ROOM, ANN.user_id, 55) == 55


async def test_snapshot_carries_the_brokers_seq(backend: Backend) -> None:
    broker, state = await backend.broker(), await backend.state()
    for _ in range(3):
        await broker.publish(ROOM, b"sealed")
    assert (await state.snapshot(ROOM)).seq == 3
    assert (await state.snapshot(ROOM + 1)).seq == 0


async def test_connections_are_counted_per_user_across_processes(backend: Backend) -> None:
    one, two = await backend.state(presence_ttl=TTL), await backend.state(presence_ttl=TTL)
    assert await one.connections(BEN.user_id, 1) == 1
    assert await two.connections(BEN.user_id, 1) == 2
    assert await one.connections(ANN.user_id, 1) == 1
    assert await two.connections(BEN.user_id, -1) == 1
    assert await one.connections(BEN.user_id, -1) == 0
    assert await one.connections(BEN.user_id, -1) == 0  # never negative
    await asyncio.sleep(PAST_TTL / 2)
    await one.heartbeat("a", {ROOM: [ANN.user_id]})
    await asyncio.sleep(PAST_TTL / 2)
    assert await one.connections(ANN.user_id, 0) == 1  # kept alive by the heartbeat
    await asyncio.sleep(PAST_TTL)
    assert await one.connections(ANN.user_id, 0) == 0  # its process went silent


async def test_clear_forgets_the_room(backend: Backend) -> None:
    state = await backend.state()
    await state.join(ROOM, BEN, "a")
    await state.join(ROOM + 1, BEN, "a")
    await state.raise_hand(ROOM, BEN.user_id)
    await state.set_floor(ROOM, BEN.user_id)
    await state.set_flag(ROOM, Flag.locked, "1")
    await state.set_mark(ROOM, Mark.muted, BEN.user_id, "0")
    await state.first_seq(ROOM, BEN.user_id, 9)
    await state.clear(ROOM)
    assert await state.snapshot(ROOM) == RoomSnapshot()
    assert await state.first_seq(ROOM, BEN.user_id, 12) == 12
    assert len((await state.snapshot(ROOM + 1)).members) == 1


def test_state_from_url() -> None:
    assert isinstance(state_from_url(None), MemoryState)
    assert isinstance(state_from_url("redis://127.0.0.1:6379/0"), RedisState)
    with pytest.raises(ValueError, match="redis://"):
        state_from_url("memcached://127.0.0.1")
