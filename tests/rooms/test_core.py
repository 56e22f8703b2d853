"""The room's decisions: each case is (frame, the room as it stands) -> the driver's commands."""

from __future__ import annotations

import dataclasses
import json
import re
import traceback
from typing import get_args

import pytest

from rooms import core
from rooms.core import (
    RULES,
    Close,
    Command,
    Context,
    Depart,
    LowerHand,
    Publish,
    RaiseHand,
    ReleaseFloor,
    Replay,
    Reply,
    decide,
    receive,
)
from rooms.protocol import (
    ClientFrame,
    ErrorFrame,
    LeaveFrame,
    LowerHandFrame,
    MessageEvent,
    PassFrame,
    Person,
    PingFrame,
    PongFrame,
    PresenceKind,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    Reaction,
    ReactionEvent,
    ResyncFrame,
    SayFrame,
    encode,
    error_frame,
    event_json,
    parse_client_frame,
)
from rooms.types import Member, Presence, PresenceStatus, RoomRole, RoomSnapshot

NOW = 1_700_000_000_123
ROBIN = Member(user_id=7, name="Robin", role=RoomRole.member)
ALEX = Member(user_id=3, name="Alex", role=RoomRole.facilitator)
ROOM = RoomSnapshot(
    members=(Presence(ROBIN, PresenceStatus.present), Presence(ALEX, PresenceStatus.reconnecting)),
    hands=(3, 7),
    floor=3,
    seq=10,
)
ROBIN_HAS_FLOOR = dataclasses.replace(ROOM, floor=7)
QUIET_ROOM = RoomSnapshot(members=(Presence(ROBIN, PresenceStatus.present),), seq=2)
AS_ROBIN = Person(id=7, name="Robin")


def ctx(member: Member = ROBIN, room: RoomSnapshot = ROOM) -> Context:
    return Context(member=member, room=room, now_ms=NOW, new_id=lambda: "msg-1")


DECISIONS: list[tuple[str, ClientFrame, Context, list[Command]]] = [
    # (id, frame, situation, commands)
    ("say-publishes-message-with-client-id", SayFrame(text="hello", client_id="c1"), ctx(),
     [Publish(MessageEvent(id="msg-1", author=AS_ROBIN, text="hello", ts=NOW), client_id="c1")]),
    ("facilitator-says-the-same-way", SayFrame(text="welcome all", client_id="f"), ctx(ALEX),
     [Publish(MessageEvent(id="msg-1", author=Person(id=3, name="Alex"), text="welcome all", ts=NOW),
              client_id="f")]),
    ("say-without-the-floor-while-not-facilitated", SayFrame(text="hi", client_id="c"), ctx(room=ROOM),
     [Publish(MessageEvent(id="msg-1", author=AS_ROBIN, text="hi", ts=NOW), client_id="c")]),
    ("react-publishes-reaction", ReactFrame(message_id="m9", reaction=Reaction.hug), ctx(),
     [Publish(ReactionEvent(message_id="m9", reaction=Reaction.hug, by=AS_ROBIN))]),
    # the store's hand and floor operations are idempotent, so a stale snapshot cannot mislead
    ("raise-hand", RaiseHandFrame(), ctx(room=QUIET_ROOM), [RaiseHand(7)]),
    ("raise-hand-already-raised", RaiseHandFrame(), ctx(), [RaiseHand(7)]),
    ("lower-hand", LowerHandFrame(), ctx(), [LowerHand(7)]),
    ("lower-hand-not-raised", LowerHandFrame(), ctx(room=QUIET_ROOM), [LowerHand(7)]),
    ("pass-with-the-floor-releases-it", PassFrame(), ctx(room=ROBIN_HAS_FLOOR),
     [LowerHand(7), ReleaseFloor(7)]),
    ("pass-without-the-floor-only-if-still-held", PassFrame(), ctx(), [LowerHand(7), ReleaseFloor(7)]),
    ("leave-departs-then-closes", LeaveFrame(), ctx(),
     [LowerHand(7), ReleaseFloor(7), Depart(ROBIN), Close(1000, "left")]),
    ("ping-gets-pong", PingFrame(), ctx(), [Reply(PongFrame())]),
    ("resync", ResyncFrame(after_seq=4), ctx(), [Replay(4)]),
    ("resync-from-the-start", ResyncFrame(after_seq=0), ctx(), [Replay(0)]),
    # the snapshot may be older than what the client saw live; the driver sorts it out
    ("resync-past-snapshot-seq", ResyncFrame(after_seq=99), ctx(), [Replay(99)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("frame", "context", "commands"), [c[1:] for c in DECISIONS], ids=[c[0] for c in DECISIONS]
)
def test_decide(frame: ClientFrame, context: Context, commands: list[Command]) -> None:
    assert decide(frame, context) == commands


def test_every_frame_type_has_a_rule_and_a_case() -> None:
    assert set(RULES) == set(get_args(ClientFrame))
    assert {type(c[1]) for c in DECISIONS} == set(RULES)


RECEIVED: list[tuple[str, str, list[Command]]] = [
    # (id, raw text frame, commands)
    ("ping", '{"type":"ping"}', [Reply(PongFrame())]),
    ("say-is-normalized-once-at-the-edge", '{"type":"say","text":" cafe\\u0301 ","client_id":"c"}',
     [Publish(MessageEvent(id="msg-1", author=AS_ROBIN, text="caf\u00e9", ts=NOW), client_id="c")]),
    ("bad-json-gets-error", "{", [Reply(error_frame("bad_json", "The frame is not valid JSON."))]),
    ("unknown-type-gets-error", '{"type":"shout"}',
     [Reply(error_frame("unknown_type", "Unknown frame type."))]),
    ("empty-say-gets-error", '{"type":"say","text":"  ","client_id":"c"}',
     [Reply(error_frame("invalid_message", "The message is empty.", client_id="c"))]),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "commands"), [c[1:] for c in RECEIVED], ids=[c[0] for c in RECEIVED])
def test_receive(raw: str, commands: list[Command]) -> None:
    assert receive(raw, ctx()) == commands


# --- the place for policy: checks run before the handler, the first refusal wins ---------------


def refuse(code: str) -> core.Check[SayFrame]:
    return lambda frame, context: error_frame(code, "No.")


def allow(frame: SayFrame, context: Context) -> ErrorFrame | None:
    return None


CHECKED: list[tuple[str, tuple[core.Check[SayFrame], ...], list[Command]]] = [
    # (id, checks on `say`, commands)
    ("no-checks", (), [Publish(MessageEvent(id="msg-1", author=AS_ROBIN, text="hi", ts=NOW), client_id="c")]),
    ("passing-check", (allow,), [Publish(MessageEvent(id="msg-1", author=AS_ROBIN, text="hi", ts=NOW),
                                         client_id="c")]),
    ("refusal-carries-the-say-client-id", (refuse("muted"),), [Reply(error_frame("muted", "No.", "c"))]),
    ("first-refusal-wins", (allow, refuse("slow_mode"), refuse("muted")),
     [Reply(error_frame("slow_mode", "No.", "c"))]),
]  # fmt: skip


@pytest.mark.parametrize(("checks", "commands"), [c[1:] for c in CHECKED], ids=[c[0] for c in CHECKED])
def test_checks(
    monkeypatch: pytest.MonkeyPatch, checks: tuple[core.Check[SayFrame], ...], commands: list[Command]
) -> None:
    monkeypatch.setitem(RULES, SayFrame, dataclasses.replace(RULES[SayFrame], checks=checks))
    assert decide(SayFrame(text="hi", client_id="c"), ctx()) == commands


def test_refusing_a_frame_without_client_id(monkeypatch: pytest.MonkeyPatch) -> None:
    forbidden = error_frame("forbidden", "Only facilitators may do that.")
    monkeypatch.setitem(
        RULES, RaiseHandFrame, dataclasses.replace(RULES[RaiseHandFrame], checks=(lambda f, c: forbidden,))
    )
    assert decide(RaiseHandFrame(), ctx()) == [Reply(forbidden)]


# --- what the driver builds ------------------------------------------------------------------


def test_welcome() -> None:
    frame = core.welcome(ROBIN, dataclasses.replace(ROOM, locked=True, slow_mode=30))
    assert json.loads(encode(frame)) == {
        "type": "welcome",
        "you": {"id": 7, "name": "Robin", "role": "member"},
        "room": {
            "members": [
                {"id": 7, "name": "Robin", "role": "member", "status": "present"},
                {"id": 3, "name": "Alex", "role": "facilitator", "status": "reconnecting"},
            ],
            "hands": [3, 7],
            "floor": 3,
            "locked": True,
            "slow_mode": 30,
            "seq": 10,
        },
    }


def test_welcome_to_an_empty_room() -> None:
    room = json.loads(encode(core.welcome(ALEX, RoomSnapshot())))["room"]
    assert room == {"members": [], "hands": [], "floor": None, "locked": False, "slow_mode": 0, "seq": 0}


BUILT: list[tuple[str, str, dict[str, object]]] = [
    # (id, encoded frame or event, what it says)
    ("presence", event_json(core.presence_event(PresenceKind.returned, ALEX)),
     {"type": "presence", "kind": "returned", "member": {"id": 3, "name": "Alex", "role": "facilitator"}}),
    ("hand-from-list", event_json(core.hand_event([7, 3])), {"type": "hand", "hands": [7, 3]}),
    ("hand-empty", event_json(core.hand_event(())), {"type": "hand", "hands": []}),
    ("floor", event_json(core.floor_event(7)), {"type": "floor", "holder": 7}),
    ("floor-free", event_json(core.floor_event(None)), {"type": "floor", "holder": None}),
    ("ended", event_json(core.ended()), {"type": "ended"}),
    ("missed", encode(core.missed()), {"type": "missed", "message": "You may have missed some messages."}),
    ("replayed", encode(core.replayed()), {"type": "replayed"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BUILT], ids=[c[0] for c in BUILT])
def test_built_frames(text: str, expected: dict[str, object]) -> None:
    assert json.loads(text) == expected


def test_departure_is_what_leave_does_before_closing() -> None:
    assert core.departure(ALEX) == [LowerHand(3), ReleaseFloor(3), Depart(ALEX)]
    assert decide(LeaveFrame(), ctx(ALEX))[:-1] == core.departure(ALEX)


def test_message_ids_are_random_url_safe_and_unique() -> None:
    ids = {core.new_message_id() for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) for i in ids)
    assert Context(member=ROBIN, room=ROOM, now_ms=NOW).new_id is core.new_message_id


# --- confidentiality: chat text never reaches an exception, an error frame, or a repr -----------

CANARY = "PURPLE_ELEPHANT_7731"
C = CANARY

CANARY_FRAMES: list[tuple[str, str | bytes]] = [
    # (id, raw frame carrying the canary somewhere it will be refused)
    ("not-json", f'{{"type":"say","text":"{C}'),
    ("not-json-bytes", f'{{"type":"say","text":"{C}"}}'.encode() + b"\xff"),
    ("not-an-object", json.dumps(C)),
    ("array", json.dumps([C])),
    ("type-is-canary", json.dumps({"type": C})),
    ("type-is-object", json.dumps({"type": {C: C}})),
    ("deep-nesting", "[" * 50_000 + json.dumps(C)),
    ("extra-key", json.dumps({"type": "ping", C: 1})),
    ("extra-value", json.dumps({"type": "ping", "x": C})),
    ("say-extra-key-and-text", json.dumps({"type": "say", "text": C, "client_id": "c", C: C})),
    ("say-text-too-long", json.dumps({"type": "say", "text": (C + " ") * 200, "client_id": "c"})),
    ("say-text-list", json.dumps({"type": "say", "text": [C], "client_id": "c"})),
    ("say-text-object", json.dumps({"type": "say", "text": {C: C}, "client_id": "c"})),
    ("say-client-id-is-text", json.dumps({"type": "say", "text": C, "client_id": f"{C} {C}"})),
    ("say-client-id-too-long", json.dumps({"type": "say", "text": C, "client_id": C * 4})),
    ("say-no-client-id", json.dumps({"type": "say", "text": C})),
    ("react-message-id", json.dumps({"type": "react", "message_id": C * 4, "reaction": "heart"})),
    ("react-reaction", json.dumps({"type": "react", "message_id": "m1", "reaction": C})),
    ("resync-after-seq", json.dumps({"type": "resync", "after_seq": C})),
    ("resync-after-seq-list", json.dumps({"type": "resync", "after_seq": [C]})),
]


def leaks(text: str) -> bool:
    return "ELEPHANT" in text.upper()


@pytest.mark.parametrize("raw", [c[1] for c in CANARY_FRAMES], ids=[c[0] for c in CANARY_FRAMES])
def test_canary_never_leaks_from_a_refused_frame(raw: str | bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(raw)
    exc = caught.value
    shown = [str(exc), repr(exc), exc.message, *map(str, exc.args), "".join(traceback.format_exception(exc))]
    assert not any(leaks(s) for s in shown)
    assert exc.__cause__ is None
    assert exc.__context__ is None

    if isinstance(raw, str):
        [reply] = receive(raw, ctx())
        assert isinstance(reply, Reply)
        assert isinstance(reply.frame, ErrorFrame)
        assert not leaks(encode(reply.frame))
        assert not leaks(repr(reply))


def test_canary_stays_out_of_command_reprs() -> None:
    commands = receive(json.dumps({"type": "say", "text": C, "client_id": "c"}), ctx())
    [publish] = commands
    assert isinstance(publish, Publish)
    assert isinstance(publish.event, MessageEvent)
    assert publish.event.text == C  # relayed, of course
    assert not leaks(repr(commands))
    assert not leaks(str(commands))
