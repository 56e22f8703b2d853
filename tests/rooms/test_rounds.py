"""Sharing rounds (`rooms.rounds`): who takes a turn and in what order, moving on, and the stored form."""

from __future__ import annotations

import dataclasses

import pytest

from rooms import rounds
from rooms.protocol import Round
from rooms.rounds import RoundPlan
from rooms.state.base import build_snapshot
from rooms.types import Member, Presence, PresenceStatus, RoomRole, RoomSnapshot

NOW = 1_700_000_000_123
ALEX = Member(3, "Alex", RoomRole.facilitator)
HANA = Member(2, "Hana", RoomRole.host)
ADA = Member(1, "Ada", RoomRole.admin)
ROBIN, JO = Member(7, "Robin", RoomRole.member), Member(8, "Jo", RoomRole.member)
KIM, LEE = Member(9, "Kim", RoomRole.member), Member(10, "Lee", RoomRole.member)
HERE, AWAY = PresenceStatus.present, PresenceStatus.reconnecting


def snapshot(
    *members: Member,
    hands: tuple[int, ...] = (),
    listening: frozenset[int] = frozenset(),
    reconnecting: frozenset[int] = frozenset(),
) -> RoomSnapshot:
    """The room as the state store returns it: members in ascending id, whatever order they came."""
    presences = [Presence(m, AWAY if m.user_id in reconnecting else HERE) for m in members]
    room = build_snapshot(members=presences, hands=hands, floor=None, flags={}, marks={}, seq=1)
    return dataclasses.replace(room, listening=listening)


STARTS: list[tuple[str, RoomSnapshot, tuple[int, ...] | None]] = [
    # (id, the room, the round's order; None: nobody to share)
    ("by-id", snapshot(LEE, ROBIN, KIM, JO), (7, 8, 9, 10)),
    ("hands-first-oldest-first", snapshot(LEE, ROBIN, KIM, JO, hands=(9, 8)), (9, 8, 7, 10)),
    ("a-raised-hand-is-not-a-second-turn", snapshot(ROBIN, JO, hands=(8, 8, 7)), (8, 7)),
    ("staff-take-no-turn", snapshot(ALEX, HANA, ADA, ROBIN, hands=(3, 2, 1)), (7,)),
    ("listeners-take-no-turn", snapshot(ROBIN, JO, KIM, hands=(8,), listening=frozenset({8, 9})), (7,)),
    ("reconnecting-members-take-no-turn", snapshot(ROBIN, JO, hands=(8,), reconnecting=frozenset({8})), (7,)),
    ("a-hand-of-someone-who-left", snapshot(ROBIN, hands=(8, 7)), (7,)),
    ("only-staff", snapshot(ALEX, HANA), None),
    ("only-listeners", snapshot(ALEX, ROBIN, listening=frozenset({7})), None),
    ("empty-room", snapshot(), None),
]  # fmt: skip


@pytest.mark.parametrize(("room", "order"), [c[1:] for c in STARTS], ids=[c[0] for c in STARTS])
def test_start(room: RoomSnapshot, order: tuple[int, ...] | None) -> None:
    plan = rounds.start(room, seconds_per_turn=60, now_ms=NOW)
    expected = None if order is None else RoundPlan(order, 0, 60, NOW)
    assert plan == expected
    if plan is not None and order is not None:
        assert plan.turn == order[0]


EVERYONE = snapshot(ALEX, ROBIN, JO, KIM, LEE)
ROUND = RoundPlan(order=(7, 8, 9, 10), index=0, seconds_per_turn=90, turn_started_ms=NOW - 90_000)

ADVANCES: list[tuple[str, RoundPlan, RoomSnapshot, int | None]] = [
    # (id, the round, the room now, whose turn is next; None: the round is over)
    ("next", ROUND, EVERYONE, 1),
    ("skips-who-left", ROUND, snapshot(ALEX, ROBIN, KIM, LEE), 2),
    ("skips-who-started-listening", ROUND, dataclasses.replace(EVERYONE, listening=frozenset({8, 9})), 3),
    ("skips-who-is-reconnecting", ROUND, snapshot(ALEX, ROBIN, JO, KIM, LEE, reconnecting=frozenset({8})), 2),
    ("the-current-speaker-may-have-left", ROUND, snapshot(JO), 1),
    ("from-the-middle", dataclasses.replace(ROUND, index=2), EVERYONE, 3),
    ("after-the-last-turn", dataclasses.replace(ROUND, index=3), EVERYONE, None),
    ("nobody-left-after-this-turn", ROUND, snapshot(ALEX, ROBIN), None),
    ("nobody-here-at-all", ROUND, snapshot(), None),
    ("never-goes-back", dataclasses.replace(ROUND, index=2), snapshot(ROBIN, JO), None),
    # someone who joined during the round waits for the next one
    ("newcomers-wait", RoundPlan((7,), 0, 0, NOW), snapshot(ROBIN, JO), None),
]  # fmt: skip


@pytest.mark.parametrize(("plan", "room", "index"), [c[1:] for c in ADVANCES], ids=[c[0] for c in ADVANCES])
def test_advance(plan: RoundPlan, room: RoomSnapshot, index: int | None) -> None:
    expected = None if index is None else RoundPlan(plan.order, index, plan.seconds_per_turn, NOW)
    assert rounds.advance(plan, room, now_ms=NOW) == expected


PLANS = [
    RoundPlan((7,), 0, 0, 0),
    RoundPlan((7, 8, 9), 2, 900, NOW),
    RoundPlan((2**63 - 1, 1), 1, 1, 2**53),
]


@pytest.mark.parametrize("plan", PLANS)
def test_dump_and_parse_round_trip(plan: RoundPlan) -> None:
    assert rounds.parse(rounds.dump(plan)) == plan


def test_dump_is_compact_json() -> None:
    assert rounds.dump(RoundPlan((7, 8), 1, 60, NOW)) == f'{{"o":[7,8],"i":1,"s":60,"t":{NOW}}}'


MALFORMED: list[tuple[str, str | None]] = [
    # (id, what the store holds): never worth a crash, always "no round"
    ("none", None),
    ("empty", ""),
    ("not-json", "{oops"),
    ("truncated", '{"o":[7,8],"i":0'),
    ("null", "null"),
    ("number", "42"),
    ("string", '"round"'),
    ("list", "[7, 8]"),
    ("empty-object", "{}"),
    ("no-order", '{"i":0,"s":0,"t":0}'),
    ("no-index", '{"o":[7],"s":0,"t":0}'),
    ("no-seconds", '{"o":[7],"i":0,"t":0}'),
    ("no-start", '{"o":[7],"i":0,"s":0}'),
    ("order-null", '{"o":null,"i":0,"s":0,"t":0}'),
    ("order-of-words", '{"o":["seven"],"i":0,"s":0,"t":0}'),
    ("order-of-lists", '{"o":[[7]],"i":0,"s":0,"t":0}'),
    ("index-word", '{"o":[7],"i":"first","s":0,"t":0}'),
    ("seconds-nan", '{"o":[7],"i":0,"s":NaN,"t":0}'),
    ("empty-order", '{"o":[],"i":0,"s":0,"t":0}'),
    ("index-past-the-end", '{"o":[7,8],"i":2,"s":0,"t":0}'),
    ("index-negative", '{"o":[7,8],"i":-1,"s":0,"t":0}'),
]


@pytest.mark.parametrize("raw", [c[1] for c in MALFORMED], ids=[c[0] for c in MALFORMED])
def test_parse_malformed_is_no_round(raw: str | None) -> None:
    assert rounds.parse(raw) is None


UNCAUGHT: list[tuple[str, str]] = [
    # (id, what the store holds): Python's json reads these, then `int()` or the parser raises
    # values that raise OverflowError or RecursionError inside `parse`: still None
    ("seconds-infinity", '{"o":[7],"i":0,"s":Infinity,"t":0}'),
    ("id-overflows-to-infinity", '{"o":[1e400],"i":0,"s":0,"t":0}'),
    ("deep-nesting", "[" * 100_000),
]


@pytest.mark.parametrize("raw", [c[1] for c in UNCAUGHT], ids=[c[0] for c in UNCAUGHT])
def test_parse_never_raises(raw: str) -> None:
    assert rounds.parse(raw) is None


PUBLIC: list[tuple[str, RoundPlan, Round]] = [
    # (id, the round, as members see it)
    ("timed", RoundPlan((7, 8), 1, 90, NOW),
     Round(order=(7, 8), turn=8, turn_ends_at=NOW + 90_000, seconds_per_turn=90)),
    ("untimed", RoundPlan((7, 8), 0, 0, NOW),
     Round(order=(7, 8), turn=7, turn_ends_at=None, seconds_per_turn=0)),
    ("one-second", RoundPlan((7,), 0, 1, NOW),
     Round(order=(7,), turn=7, turn_ends_at=NOW + 1000, seconds_per_turn=1)),
    ("the-timer-runs-from-the-turn-start", RoundPlan((7, 8, 9), 2, 900, 5),
     Round(order=(7, 8, 9), turn=9, turn_ends_at=900_005, seconds_per_turn=900)),
]  # fmt: skip


@pytest.mark.parametrize(("plan", "public"), [c[1:] for c in PUBLIC], ids=[c[0] for c in PUBLIC])
def test_public(plan: RoundPlan, public: Round) -> None:
    assert plan.public() == public
