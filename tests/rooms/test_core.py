"""The room's decisions: each case is (frame, the room as it stands) -> the driver's commands.

One case per frame type here, from someone allowed to send it; the moderation rules (every
refusal, every role) are tabled in test_moderation_core.py.
"""

from __future__ import annotations

import dataclasses
import json
import re
import traceback
from typing import get_args

import pytest

from moderation.audit import AuditAction, ReportReason
from moderation.flood import RecentMessages, TokenBucket, message_digest
from moderation.resources import CrisisResources, Resource
from rooms import core, rounds, views
from rooms.checks import Check
from rooms.commands import Ban, EndMeeting, Flood, Kick, Pin
from rooms.core import (
    RULES,
    Audit,
    Block,
    Close,
    Command,
    Context,
    Deliver,
    Depart,
    LowerHand,
    Publish,
    RaiseHand,
    RefreshStaff,
    ReleaseFloor,
    Replay,
    Reply,
    Report,
    SetFlag,
    SetFloor,
    SetMark,
    Spoke,
    decide,
    receive,
)
from rooms.protocol import (
    AdmitFrame,
    AdmittedFrame,
    AnnounceFrame,
    Announcement,
    AskFacilitatorFrame,
    BanFrame,
    BlockedFrame,
    BlockFrame,
    ClientFrame,
    DeleteMessageFrame,
    EndFrame,
    ErrorFrame,
    FacilitatedModeFrame,
    GiveFloorFrame,
    LeaveFrame,
    ListeningFrame,
    ListeningStateFrame,
    LockFrame,
    LowerHandFrame,
    MessageChange,
    MessageChangeEvent,
    MessageEvent,
    MutedFrame,
    MuteFrame,
    NoticeEvent,
    NoticeKind,
    PassFrame,
    Person,
    PingFrame,
    PongFrame,
    PresenceKind,
    PrivateMessageFrame,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    Reaction,
    ReactionEvent,
    RemoveFrame,
    ReplyPrivatelyFrame,
    ReportFrame,
    RestoreMessageFrame,
    ResyncFrame,
    Round,
    RoundEvent,
    RoundNextFrame,
    RoundStartFrame,
    RoundStopFrame,
    SayFrame,
    SettingsEvent,
    SlowModeFrame,
    TakeFloorFrame,
    ToWaitingRoomFrame,
    UnblockFrame,
    UnlockFrame,
    UnmutedFrame,
    UnmuteFrame,
    encode,
    error_frame,
    event_json,
    parse_client_frame,
)
from rooms.state.base import Flag, Mark
from rooms.types import Member, Presence, PresenceStatus, RoomRole, RoomSnapshot

NOW = 1_700_000_000_123
ROBIN = Member(user_id=7, name="Robin", role=RoomRole.member)
ALEX = Member(user_id=3, name="Alex", role=RoomRole.facilitator)
JO = Member(user_id=8, name="Jo", role=RoomRole.member)
SAM = Member(user_id=9, name="Sam", role=RoomRole.member)  # waits in the waiting room
ROOM = RoomSnapshot(
    members=(Presence(ROBIN, PresenceStatus.present), Presence(ALEX, PresenceStatus.reconnecting)),
    hands=(3, 7),
    floor=3,
    seq=10,
)
ROBIN_HAS_FLOOR = dataclasses.replace(ROOM, floor=7)
QUIET_ROOM = RoomSnapshot(members=(Presence(ROBIN, PresenceStatus.present),), seq=2)
ALEX_HERE = dataclasses.replace(
    ROOM, members=(Presence(ALEX, PresenceStatus.present), Presence(ROBIN, PresenceStatus.present))
)
LOCKED = dataclasses.replace(ROOM, locked=True)
LOBBY = dataclasses.replace(ROOM, waiting=(SAM,))
ROUND_ROOM = RoomSnapshot(  # Robin's turn in a round of Robin then Jo
    members=tuple(Presence(m, PresenceStatus.present) for m in (ALEX, ROBIN, JO)),
    floor=7,
    facilitated=True,
    round=rounds.dump(rounds.RoundPlan(order=(7, 8), index=0, seconds_per_turn=0, turn_started_ms=NOW - 5)),
    seq=20,
)
AS_ROBIN = Person(id=7, name="Robin")
AS_ALEX = Person(id=3, name="Alex")
IN_10_MIN = NOW + 10 * 60_000


def ctx(member: Member = ROBIN, room: RoomSnapshot = ROOM, blocks: frozenset[int] = frozenset()) -> Context:
    return Context(member=member, room=room, now_ms=NOW, new_id=lambda: "msg-1", blocks=blocks)


def spoke(text: str) -> Spoke:
    """A member's flood-control state after their first message, sent now: a token taken from a
    full bucket (5, the default burst), the message's digest remembered (None: too short)."""
    now = NOW / 1000
    return Spoke(Flood(TokenBucket(4.0, now), RecentMessages(((now, message_digest(text)),)), NOW))


def said(text: str, member: Member = ROBIN, client_id: str = "c") -> list[Command]:
    """What relaying a `say` comes to: the flood state kept, then the message published."""
    event = MessageEvent(id="msg-1", author=Person(id=member.user_id, name=member.name), text=text, ts=NOW)
    return [spoke(text), Publish(event, client_id=client_id)]


def settings(*, locked: bool = False, slow: int = 0, facilitated: bool = False) -> Publish:
    return Publish(SettingsEvent(locked=locked, slow_mode=slow, facilitated=facilitated))


JOS_TURN: list[Command] = [
    SetFlag(Flag.round, f'{{"o":[7,8],"i":1,"s":0,"t":{NOW}}}'),
    SetFloor(8),
    LowerHand(8),
    Publish(RoundEvent(round=Round(order=(7, 8), turn=8, turn_ends_at=None, seconds_per_turn=0))),
]

DECISIONS: list[tuple[str, ClientFrame, Context, list[Command]]] = [
    # (id, frame, situation, commands)
    # --- members' frames
    ("say-publishes-message-with-client-id", SayFrame(text="hello", client_id="c1"), ctx(),
     said("hello", client_id="c1")),
    ("facilitator-says-the-same-way", SayFrame(text="welcome all", client_id="f"), ctx(ALEX),
     said("welcome all", ALEX, "f")),
    ("say-without-the-floor-while-not-facilitated", SayFrame(text="hi", client_id="c"), ctx(room=ROOM),
     said("hi")),
    ("react-publishes-reaction", ReactFrame(message_id="m9", reaction=Reaction.hug), ctx(),
     [Publish(ReactionEvent(message_id="m9", reaction=Reaction.hug, by=AS_ROBIN))]),
    # hands: nothing to do when the snapshot already shows the hand as asked (no `hand` event)
    ("raise-hand", RaiseHandFrame(), ctx(room=QUIET_ROOM), [RaiseHand(7)]),
    ("raise-hand-already-raised", RaiseHandFrame(), ctx(), []),
    ("lower-hand", LowerHandFrame(), ctx(), [LowerHand(7)]),
    ("lower-hand-not-raised", LowerHandFrame(), ctx(room=QUIET_ROOM), []),
    # the store's floor release is compare-and-clear, so a stale snapshot cannot mislead
    ("pass-with-the-floor-releases-it", PassFrame(), ctx(room=ROBIN_HAS_FLOOR),
     [LowerHand(7), ReleaseFloor(7)]),
    ("pass-without-the-floor-only-if-still-held", PassFrame(), ctx(), [LowerHand(7), ReleaseFloor(7)]),
    ("pass-on-your-turn-in-a-round-moves-it-on", PassFrame(), ctx(room=ROUND_ROOM),
     [LowerHand(7), *JOS_TURN]),
    ("leave-departs-then-closes", LeaveFrame(), ctx(),
     [LowerHand(7), ReleaseFloor(7), Depart(ROBIN), Close(1000, "left")]),
    ("ping-gets-pong", PingFrame(), ctx(), [Reply(PongFrame())]),
    ("resync", ResyncFrame(after_seq=4), ctx(), [Replay(4)]),
    ("resync-from-the-start", ResyncFrame(after_seq=0), ctx(), [Replay(0)]),
    # the snapshot may be older than what the client saw live; the driver sorts it out
    ("resync-past-snapshot-seq", ResyncFrame(after_seq=99), ctx(), [Replay(99)]),
    ("listening-on", ListeningFrame(on=True), ctx(),
     [SetMark(Mark.listening, 7, "1"), Deliver(7, ListeningStateFrame(on=True)), RefreshStaff()]),
    ("listening-off", ListeningFrame(on=False), ctx(),
     [SetMark(Mark.listening, 7, None), Deliver(7, ListeningStateFrame(on=False)), RefreshStaff()]),
    ("report", ReportFrame(message_id="m9", reason=ReportReason.harmful), ctx(),
     [Report("m9", "harmful")]),
    ("block", BlockFrame(user_id=8), ctx(blocks=frozenset({12})),
     [Block(8, True), Deliver(7, BlockedFrame(user_ids=(8, 12)))]),
    ("unblock", UnblockFrame(user_id=12), ctx(blocks=frozenset({8, 12})),
     [Block(12, False), Deliver(7, BlockedFrame(user_ids=(8,)))]),
    ("ask-facilitator", AskFacilitatorFrame(text="can we talk?"), ctx(room=ALEX_HERE),
     [spoke("can we talk?"),
      Deliver("staff", PrivateMessageFrame(sender=AS_ROBIN, member=AS_ROBIN, text="can we talk?", ts=NOW)),
      Deliver(7, PrivateMessageFrame(sender=AS_ROBIN, member=AS_ROBIN, text="can we talk?", ts=NOW))]),
    # --- facilitator frames (from Alex, a facilitator, at Robin, a member)
    ("mute-for-minutes", MuteFrame(user_id=7, minutes=10), ctx(ALEX),
     [SetMark(Mark.muted, 7, str(IN_10_MIN)), Deliver(7, MutedFrame(until=IN_10_MIN)),
      Audit(AuditAction.mute, 7, "10 min"), RefreshStaff()]),
    ("unmute", UnmuteFrame(user_id=7), ctx(ALEX),
     [SetMark(Mark.muted, 7, None), Deliver(7, UnmutedFrame()), Audit(AuditAction.unmute, 7),
      RefreshStaff()]),
    ("remove", RemoveFrame(user_id=7, reason="spam"), ctx(ALEX),
     [SetMark(Mark.removed, 7, "1"), Kick(7, 4403, "removed"), Publish(NoticeEvent(kind=NoticeKind.removed)),
      Audit(AuditAction.remove, 7, "spam")]),
    ("ban", BanFrame(user_id=7, reason="threats"), ctx(ALEX),
     [Ban(7, "threats"), SetMark(Mark.removed, 7, "1"), Kick(7, 4403, "banned"),
      Publish(NoticeEvent(kind=NoticeKind.removed))]),
    ("to-waiting-room", ToWaitingRoomFrame(user_id=7), ctx(ALEX),
     [SetMark(Mark.admitted, 7, "0"), Kick(7, 4411, "waiting_room"),
      Publish(NoticeEvent(kind=NoticeKind.to_waiting_room)), Audit(AuditAction.to_waiting_room, 7)]),
    ("lock", LockFrame(), ctx(ALEX),
     [SetFlag(Flag.locked, "1"), settings(locked=True), Audit(AuditAction.lock)]),
    ("unlock", UnlockFrame(), ctx(ALEX, LOCKED),
     [SetFlag(Flag.locked, None), settings(locked=False), Audit(AuditAction.unlock)]),
    ("slow-mode", SlowModeFrame(seconds=30), ctx(ALEX),
     [SetFlag(Flag.slow, "30"), settings(slow=30), Audit(AuditAction.slow_mode, reason="30 s")]),
    ("facilitated-mode", FacilitatedModeFrame(on=True), ctx(ALEX),
     [SetFlag(Flag.facilitated, "1"), settings(facilitated=True),
      Audit(AuditAction.facilitated_mode, reason="on")]),
    ("give-floor", GiveFloorFrame(user_id=7), ctx(ALEX), [SetFloor(7), LowerHand(7)]),
    ("take-floor", TakeFloorFrame(), ctx(ALEX), [SetFloor(None)]),
    ("delete-message", DeleteMessageFrame(message_id="m9"), ctx(ALEX),
     [Publish(MessageChangeEvent(message_id="m9", change=MessageChange.deleted)),
      Audit(AuditAction.delete_message)]),
    ("restore-message", RestoreMessageFrame(message_id="m9"), ctx(ALEX),
     [Publish(MessageChangeEvent(message_id="m9", change=MessageChange.restored)),
      Audit(AuditAction.restore_message)]),
    ("announce", AnnounceFrame(text=" Break at 8 "), ctx(ALEX),
     [Pin(Announcement(text="Break at 8", by=AS_ALEX)), Audit(AuditAction.announce)]),
    ("end", EndFrame(), ctx(ALEX), [EndMeeting()]),
    ("admit-one", AdmitFrame(user_id=9), ctx(ALEX, LOBBY),
     [SetMark(Mark.waiting, 9, None), SetMark(Mark.admitted, 9, "1"), Deliver(9, AdmittedFrame()),
      Audit(AuditAction.admit, 9), RefreshStaff()]),
    ("round-start", RoundStartFrame(seconds_per_turn=60), ctx(ALEX),  # Alex's hand: staff take no turn
     [SetFlag(Flag.facilitated, "1"), settings(facilitated=True),
      SetFlag(Flag.round, f'{{"o":[7],"i":0,"s":60,"t":{NOW}}}'), SetFloor(7), LowerHand(7),
      Publish(RoundEvent(round=Round(order=(7,), turn=7, turn_ends_at=NOW + 60_000, seconds_per_turn=60)))]),
    ("round-next", RoundNextFrame(), ctx(ALEX, ROUND_ROOM), JOS_TURN),
    ("round-stop", RoundStopFrame(), ctx(ALEX, ROUND_ROOM),
     [SetFlag(Flag.round, None), SetFloor(None), Publish(RoundEvent(round=None))]),
    ("reply-privately", ReplyPrivatelyFrame(user_id=7, text="I'm here"), ctx(ALEX),
     [Deliver(7, PrivateMessageFrame(sender=AS_ALEX, member=AS_ROBIN, text="I'm here", ts=NOW)),
      Deliver("staff", PrivateMessageFrame(sender=AS_ALEX, member=AS_ROBIN, text="I'm here", ts=NOW))]),
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
     said("caf\u00e9")),
    ("bad-json-gets-error", "{", [Reply(error_frame("bad_json", "The frame is not valid JSON."))]),
    ("unknown-type-gets-error", '{"type":"shout"}',
     [Reply(error_frame("unknown_type", "Unknown frame type."))]),
    ("empty-say-gets-error", '{"type":"say","text":"  ","client_id":"c"}',
     [Reply(error_frame("invalid_message", "The message is empty.", client_id="c"))]),
    ("facilitator-frame-is-judged-by-the-room", '{"type":"lock"}',
     [Reply(error_frame("forbidden", "Only a facilitator can do that."))]),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "commands"), [c[1:] for c in RECEIVED], ids=[c[0] for c in RECEIVED])
def test_receive(raw: str, commands: list[Command]) -> None:
    assert receive(raw, ctx()) == commands


# --- the place for policy: checks run before the handler, the first refusal wins ---------------


def refuse(code: str) -> Check:
    return lambda frame, context: error_frame(code, "No.")


def allow(frame: SayFrame, context: Context) -> ErrorFrame | None:
    return None


CHECKED: list[tuple[str, tuple[Check, ...], list[Command]]] = [
    # (id, checks on `say`, commands)
    ("no-checks", (), said("hi")),
    ("passing-check", (allow,), said("hi")),
    ("refusal-carries-the-say-client-id", (refuse("muted"),), [Reply(error_frame("muted", "No.", "c"))]),
    ("first-refusal-wins", (allow, refuse("slow_mode"), refuse("muted")),
     [Reply(error_frame("slow_mode", "No.", "c"))]),
]  # fmt: skip


@pytest.mark.parametrize(("checks", "commands"), [c[1:] for c in CHECKED], ids=[c[0] for c in CHECKED])
def test_checks(monkeypatch: pytest.MonkeyPatch, checks: tuple[Check, ...], commands: list[Command]) -> None:
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
    frame = views.welcome(ROBIN, dataclasses.replace(ROOM, locked=True, slow_mode=30))
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
            "facilitated": False,
            "round": None,
            "announcement": None,
        },
        "muted": None,
        "listening": False,
        "blocked": [],
    }


def test_welcome_with_every_moderation_field() -> None:
    room = dataclasses.replace(
        ROUND_ROOM,
        round=rounds.dump(rounds.RoundPlan(order=(7, 8), index=1, seconds_per_turn=90, turn_started_ms=NOW)),
        muted={7: IN_10_MIN, 8: 0},
        listening=frozenset({7}),
    )
    note = Announcement(text="Break at 8", by=AS_ALEX)
    frame = views.welcome(ROBIN, room, now_ms=NOW, announcement=note, blocks=[12, 8])
    assert json.loads(encode(frame)) == {
        "type": "welcome",
        "you": {"id": 7, "name": "Robin", "role": "member"},
        "room": {
            "members": [
                {"id": 3, "name": "Alex", "role": "facilitator", "status": "present"},
                {"id": 7, "name": "Robin", "role": "member", "status": "present"},
                {"id": 8, "name": "Jo", "role": "member", "status": "present"},
            ],
            "hands": [],
            "floor": 7,
            "locked": False,
            "slow_mode": 0,
            "seq": 20,
            "facilitated": True,
            "round": {"order": [7, 8], "turn": 8, "turn_ends_at": NOW + 90_000, "seconds_per_turn": 90},
            "announcement": {"text": "Break at 8", "by": {"id": 3, "name": "Alex"}},
        },
        "muted": {"until": IN_10_MIN},
        "listening": True,
        "blocked": [8, 12],
    }


WELCOME_MUTED: list[tuple[str, dict[int, int], dict[str, int | None] | None]] = [
    # (id, the room's mutes, welcome's `muted` for Robin)
    ("not-muted", {}, None),
    ("someone-else-muted", {8: 0}, None),
    ("until-unmuted", {7: 0}, {"until": None}),
    ("until-a-time", {7: NOW + 1}, {"until": NOW + 1}),
    ("ends-now", {7: NOW}, None),
    ("ended", {7: NOW - 1}, None),
]


@pytest.mark.parametrize(
    ("muted", "expected"), [c[1:] for c in WELCOME_MUTED], ids=[c[0] for c in WELCOME_MUTED]
)
def test_welcome_says_whether_you_are_muted(
    muted: dict[int, int], expected: dict[str, int | None] | None
) -> None:
    frame = views.welcome(ROBIN, dataclasses.replace(ROOM, muted=muted), now_ms=NOW)
    assert json.loads(encode(frame))["muted"] == expected


def test_welcome_to_an_empty_room() -> None:
    room = json.loads(encode(views.welcome(ALEX, RoomSnapshot())))["room"]
    assert room == {
        "members": [],
        "hands": [],
        "floor": None,
        "locked": False,
        "slow_mode": 0,
        "seq": 0,
        "facilitated": False,
        "round": None,
        "announcement": None,
    }


def test_welcome_ignores_a_malformed_round() -> None:
    room = dataclasses.replace(ROOM, facilitated=True, round="{not json")
    assert json.loads(encode(views.welcome(ROBIN, room)))["room"]["round"] is None


def test_moderation_view() -> None:
    room = dataclasses.replace(
        ROOM,
        muted={9: IN_10_MIN, 7: 0, 8: NOW},  # Jo's mute ends now: not listed
        listening=frozenset({8, 7}),
        waiting=(SAM, Member(user_id=4, name="Kim", role=RoomRole.member)),
    )
    assert json.loads(encode(views.moderation_view(room, now_ms=NOW))) == {
        "type": "moderation",
        "muted": [{"user_id": 7, "until": None}, {"user_id": 9, "until": IN_10_MIN}],
        "listening": [7, 8],
        "waiting": [
            {"id": 9, "name": "Sam", "role": "member"},  # in the order they started waiting
            {"id": 4, "name": "Kim", "role": "member"},
        ],
    }


def test_resources_frame_lists_the_deployments_resources() -> None:
    resources = CrisisResources(
        intro="Help is there.",
        resources=(
            Resource(name="Line", contact="Call 988", description="Any time.", url="https://988lifeline.org"),
            Resource(name="A friend", contact="Someone you trust", description="Tell one person."),
        ),
    )
    context = dataclasses.replace(ctx(), resources=resources)
    assert json.loads(encode(views.resources_frame(context))) == {
        "type": "resources",
        "intro": "Help is there.",
        "resources": [
            {
                "name": "Line",
                "contact": "Call 988",
                "description": "Any time.",
                "url": "https://988lifeline.org",
            },
            {
                "name": "A friend",
                "contact": "Someone you trust",
                "description": "Tell one person.",
                "url": None,
            },
        ],
    }


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
    ("ask-text-too-long", json.dumps({"type": "ask_facilitator", "text": (C + " ") * 200})),
    ("ask-extra-key", json.dumps({"type": "ask_facilitator", "text": C, C: C})),
    ("reply-text-object", json.dumps({"type": "reply_privately", "user_id": 7, "text": {C: C}})),
    ("reply-user-id", json.dumps({"type": "reply_privately", "user_id": C, "text": C})),
    ("remove-reason-too-long", json.dumps({"type": "remove", "user_id": 7, "reason": C * 11})),
    ("ban-reason-list", json.dumps({"type": "ban", "user_id": 7, "reason": [C]})),
    ("announce-too-long", json.dumps({"type": "announce", "text": C * 51})),
    ("report-reason", json.dumps({"type": "report", "message_id": "m1", "reason": C})),
    ("mute-minutes", json.dumps({"type": "mute", "user_id": 7, "minutes": C})),
    ("block-user-id", json.dumps({"type": "block", "user_id": C})),
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
    [spoke_, publish] = commands
    assert isinstance(spoke_, Spoke)
    assert isinstance(publish, Publish)
    assert isinstance(publish.event, MessageEvent)
    assert publish.event.text == C  # relayed, of course
    assert not leaks(repr(commands))
    assert not leaks(str(commands))


CANARY_CARRIED: list[tuple[str, ClientFrame, Context]] = [
    # (id, a frame whose text or reason is carried out in its commands, from someone allowed)
    ("ask-facilitator", AskFacilitatorFrame(text=C), ctx(room=ALEX_HERE)),
    ("reply-privately", ReplyPrivatelyFrame(user_id=7, text=C), ctx(ALEX)),
    ("announce", AnnounceFrame(text=C), ctx(ALEX)),
    ("remove-reason", RemoveFrame(user_id=7, reason=C), ctx(ALEX)),
    ("ban-reason", BanFrame(user_id=7, reason=C), ctx(ALEX)),
    ("crisis-say", SayFrame(text=f"{C} I want to die", client_id="c"), ctx()),
]


@pytest.mark.parametrize(
    ("frame", "context"), [c[1:] for c in CANARY_CARRIED], ids=[c[0] for c in CANARY_CARRIED]
)
def test_canary_stays_out_of_moderation_command_reprs(frame: ClientFrame, context: Context) -> None:
    commands = decide(frame, context)
    assert not any(isinstance(c, Reply) and isinstance(c.frame, ErrorFrame) for c in commands)
    assert not leaks(repr(frame) + str(frame))
    assert not leaks(repr(commands))
    assert not leaks(str(commands))
