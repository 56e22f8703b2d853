"""Wire protocol: parsing client frames (valid and every kind of bad), and encoding server frames."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from moderation.audit import ReportReason
from rooms.protocol import (
    CLIENT_FRAMES,
    AdmitFrame,
    AdmittedFrame,
    AlertFrame,
    AnnounceFrame,
    Announcement,
    AnnouncementEvent,
    AskFacilitatorFrame,
    BanFrame,
    BlockedFrame,
    BlockFrame,
    ClientFrame,
    CloseCode,
    CloseReason,
    DeleteMessageFrame,
    EndedEvent,
    EndFrame,
    ErrorCode,
    ErrorFrame,
    FacilitatedModeFrame,
    FloorEvent,
    GiveFloorFrame,
    HandEvent,
    LeaveFrame,
    ListeningFrame,
    ListeningStateFrame,
    LockFrame,
    LowerHandFrame,
    MessageChange,
    MessageChangeEvent,
    MessageEvent,
    MissedFrame,
    ModerationFrame,
    MutedEntry,
    MutedFrame,
    MuteFrame,
    NoticeEvent,
    NoticeKind,
    PassFrame,
    Person,
    PingFrame,
    PongFrame,
    PresenceEvent,
    PresenceKind,
    PrivateFrame,
    PrivateMessageFrame,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    Reaction,
    ReactionEvent,
    RemoveFrame,
    ReplayedFrame,
    ReplyPrivatelyFrame,
    ReportedFrame,
    ReportFrame,
    ResourceItem,
    ResourcesFrame,
    RestoreMessageFrame,
    ResyncFrame,
    RoomEvent,
    RoomMember,
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
    WaitingFrame,
    WelcomeFrame,
    author_frame_text,
    author_of,
    encode,
    event_json,
    frame_text,
    message_id_of,
    parse_client_frame,
    skip_text,
)
from rooms.types import RoomRole


def say(text: Any = "hello", client_id: Any = "c1", **extra: Any) -> str:
    return json.dumps({"type": "say", "text": text, "client_id": client_id, **extra})


def react(message_id: Any = "m1", reaction: Any = "heart") -> str:
    return json.dumps({"type": "react", "message_id": message_id, "reaction": reaction})


def resync(after_seq: Any) -> str:
    return json.dumps({"type": "resync", "after_seq": after_seq})


def frame(kind: str, **fields: Any) -> str:
    return json.dumps({"type": kind, **fields})


VALID: list[tuple[str, str | bytes, ClientFrame]] = [
    # (id, raw frame, parsed)
    ("say", say(), SayFrame(text="hello", client_id="c1")),
    ("say-any-key-order", '{"client_id":"c1","text":"hello","type":"say"}',
     SayFrame(text="hello", client_id="c1")),
    ("say-text-normalized", say(" cafe\u0301 \r\n"), SayFrame(text="caf\u00e9", client_id="c1")),
    ("say-escaped-unicode", '{"type":"say","text":"\\u00e9\\ud83d\\ude42","client_id":"c"}',
     SayFrame(text="\u00e9\U0001f642", client_id="c")),
    ("say-max-text", say("x" * 2000), SayFrame(text="x" * 2000, client_id="c1")),
    ("say-client-id-64", say(client_id="a" * 64), SayFrame(text="hello", client_id="a" * 64)),
    ("say-client-id-symbols", say(client_id="A-z_0-9"), SayFrame(text="hello", client_id="A-z_0-9")),
    ("utf8-bytes", say("h\u00e9").encode(), SayFrame(text="h\u00e9", client_id="c1")),
    ("surrounding-whitespace", ' \n{"type":"ping"}\t', PingFrame()),
    *[(f"react-{r}", react(reaction=r.value), ReactFrame(message_id="m1", reaction=r)) for r in Reaction],
    ("react-id-64", react(message_id="Z" * 64), ReactFrame(message_id="Z" * 64, reaction=Reaction.heart)),
    ("raise-hand", '{"type":"raise_hand"}', RaiseHandFrame()),
    ("lower-hand", '{"type":"lower_hand"}', LowerHandFrame()),
    ("pass", '{"type":"pass"}', PassFrame()),
    ("leave", '{"type":"leave"}', LeaveFrame()),
    ("ping", '{"type":"ping"}', PingFrame()),
    ("ping-bytes", b'{"type":"ping"}', PingFrame()),
    ("resync-zero", resync(0), ResyncFrame(after_seq=0)),
    ("resync-large", resync(2**63 - 1), ResyncFrame(after_seq=2**63 - 1)),
    # members' moderation frames
    ("listening-on", frame("listening", on=True), ListeningFrame(on=True)),
    ("listening-off", frame("listening", on=False), ListeningFrame(on=False)),
    *[(f"report-{r}", frame("report", message_id="m1", reason=r.value),
       ReportFrame(message_id="m1", reason=r)) for r in ReportReason],
    ("block", frame("block", user_id=7), BlockFrame(user_id=7)),
    ("unblock", frame("unblock", user_id=7), UnblockFrame(user_id=7)),
    ("ask-facilitator-normalized", frame("ask_facilitator", text=" can we talk?\r\n"),
     AskFacilitatorFrame(text="can we talk?")),
    # facilitator frames (anyone may send them; the room's rules refuse them from members)
    ("mute-until-unmuted", frame("mute", user_id=7), MuteFrame(user_id=7)),
    ("mute-null-minutes", frame("mute", user_id=7, minutes=None), MuteFrame(user_id=7)),
    ("mute-1-minute", frame("mute", user_id=7, minutes=1), MuteFrame(user_id=7, minutes=1)),
    ("mute-a-day", frame("mute", user_id=7, minutes=1440), MuteFrame(user_id=7, minutes=1440)),
    ("mute-largest-user-id", frame("mute", user_id=2**63 - 1), MuteFrame(user_id=2**63 - 1)),
    ("unmute", frame("unmute", user_id=7), UnmuteFrame(user_id=7)),
    ("remove", frame("remove", user_id=7), RemoveFrame(user_id=7)),
    ("remove-with-reason", frame("remove", user_id=7, reason="r" * 200),
     RemoveFrame(user_id=7, reason="r" * 200)),
    ("ban", frame("ban", user_id=7, reason="threats"), BanFrame(user_id=7, reason="threats")),
    ("lock", frame("lock"), LockFrame()),
    ("unlock", frame("unlock"), UnlockFrame()),
    ("slow-mode-off", frame("slow_mode", seconds=0), SlowModeFrame(seconds=0)),
    ("slow-mode-max", frame("slow_mode", seconds=120), SlowModeFrame(seconds=120)),
    ("facilitated-mode-on", frame("facilitated_mode", on=True), FacilitatedModeFrame(on=True)),
    ("facilitated-mode-off", frame("facilitated_mode", on=False), FacilitatedModeFrame(on=False)),
    ("give-floor", frame("give_floor", user_id=7), GiveFloorFrame(user_id=7)),
    ("take-floor", frame("take_floor"), TakeFloorFrame()),
    ("delete-message", frame("delete_message", message_id="m1"), DeleteMessageFrame(message_id="m1")),
    ("restore-message", frame("restore_message", message_id="m1"), RestoreMessageFrame(message_id="m1")),
    # an announcement is normalised by its handler (empty text unpins), not by the parser
    ("announce", frame("announce", text=" Break at 8 "), AnnounceFrame(text=" Break at 8 ")),
    ("announce-empty-unpins", frame("announce", text=""), AnnounceFrame(text="")),
    ("announce-max", frame("announce", text="a" * 1000), AnnounceFrame(text="a" * 1000)),
    ("end", frame("end"), EndFrame()),
    ("admit-everyone", frame("admit"), AdmitFrame()),
    ("admit-one", frame("admit", user_id=7), AdmitFrame(user_id=7)),
    ("to-waiting-room", frame("to_waiting_room", user_id=7), ToWaitingRoomFrame(user_id=7)),
    ("round-start-untimed", frame("round_start"), RoundStartFrame()),
    ("round-start-timed", frame("round_start", seconds_per_turn=900), RoundStartFrame(seconds_per_turn=900)),
    ("round-next", frame("round_next"), RoundNextFrame()),
    ("round-stop", frame("round_stop"), RoundStopFrame()),
    ("reply-privately", frame("reply_privately", user_id=7, text="I'm here "),
     ReplyPrivatelyFrame(user_id=7, text="I'm here")),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_parse_valid_frames(raw: str | bytes, expected: ClientFrame) -> None:
    assert parse_client_frame(raw) == expected


def test_every_client_frame_type_is_parsed_and_tested() -> None:
    assert set(CLIENT_FRAMES.values()) == set(get_args(ClientFrame))
    assert set(CLIENT_FRAMES) == {type(frame).model_fields["type"].default for _, _, frame in VALID}


TYPE_FIELD = "Field 'type' must be a string."
NOT_OBJECT = "A frame must be a JSON object."
NOT_JSON = "The frame is not valid JSON."
CLIENT_ID_RULE = "Field 'client_id' must be 1 to 64 letters, digits, '-' or '_'."
MESSAGE_ID_RULE = "Field 'message_id' must be 1 to 64 letters, digits, '-' or '_'."
REACTION_RULE = "Field 'reaction' must be one of heart, me_too, thanks, hug, strength."
AFTER_SEQ_RULE = "Field 'after_seq' must be a whole number, 0 or more."
USER_ID_RULE = "Field 'user_id' must be a user id (a whole number, 1 or more)."
MINUTES_RULE = "Field 'minutes' must be 1 to 1440 minutes, or absent."
SECONDS_RULE = "Field 'seconds' must be 0 to 120 seconds."
TURN_RULE = "Field 'seconds_per_turn' must be 0 (no timer) to 900 seconds."
REASON_RULE = "Field 'reason' must be text of at most 200 characters."
REPORT_RULE = "Field 'reason' must be one of harmful, disrespectful, solicitation, personal_info, other."
ANNOUNCE_RULE = "Field 'text' must be text of at most 1000 characters."
ON_RULE = "Field 'on' must be valid."
EMPTY = "The message is empty."
TOO_LONG = "The message is longer than 2,000 characters."
BAD_JSON, UNKNOWN = ErrorCode.bad_json, ErrorCode.unknown_type
INVALID, BAD_TEXT = ErrorCode.invalid_frame, ErrorCode.invalid_message

MALFORMED: list[tuple[str, str | bytes, ErrorCode, str]] = [
    # (id, raw frame, error code, error message)
    # not JSON at all
    ("empty-frame", "", BAD_JSON, NOT_JSON),
    ("plain-text", "hello everyone", BAD_JSON, NOT_JSON),
    ("truncated", '{"type":"say","text":"hi', BAD_JSON, NOT_JSON),
    ("single-quotes", "{'type':'ping'}", BAD_JSON, NOT_JSON),
    ("trailing-comma", '{"type":"ping",}', BAD_JSON, NOT_JSON),
    ("two-objects", '{"type":"ping"}{"type":"ping"}', BAD_JSON, NOT_JSON),
    ("nan", '{"type":"resync","after_seq":NaN}', BAD_JSON, NOT_JSON),
    ("infinity", '{"type":"resync","after_seq":-Infinity}', BAD_JSON, NOT_JSON),
    ("byte-order-mark", '\ufeff{"type":"ping"}', BAD_JSON, NOT_JSON),
    ("deep-nesting", "[" * 100_000, BAD_JSON, NOT_JSON),
    ("huge-integer", '{"type":"resync","after_seq":' + "9" * 5000 + "}", BAD_JSON, NOT_JSON),
    ("invalid-utf8-bytes", b'{"type":"say","text":"\xff"}', BAD_JSON, NOT_JSON),
    ("utf16-bytes", '{"type":"ping"}'.encode("utf-16"), BAD_JSON, NOT_JSON),
    # JSON, but not an object
    ("array", '[{"type":"ping"}]', INVALID, NOT_OBJECT),
    ("string", '"ping"', INVALID, NOT_OBJECT),
    ("number", "42", INVALID, NOT_OBJECT),
    ("null", "null", INVALID, NOT_OBJECT),
    ("true", "true", INVALID, NOT_OBJECT),
    # the type field
    ("no-type", "{}", INVALID, "Field 'type' is required."),
    ("no-type-with-text", '{"text":"hi"}', INVALID, "Field 'type' is required."),
    ("type-number", '{"type":1}', INVALID, TYPE_FIELD),
    ("type-null", '{"type":null}', INVALID, TYPE_FIELD),
    ("type-list", '{"type":["say"]}', INVALID, TYPE_FIELD),
    ("type-unknown", '{"type":"shout"}', UNKNOWN, "Unknown frame type."),
    ("type-empty", '{"type":""}', UNKNOWN, "Unknown frame type."),
    ("type-wrong-case", '{"type":"SAY"}', UNKNOWN, "Unknown frame type."),
    ("type-padded", '{"type":" ping"}', UNKNOWN, "Unknown frame type."),
    ("server-frame-type", '{"type":"welcome"}', UNKNOWN, "Unknown frame type."),
    ("server-only-frame-type", '{"type":"settings"}', UNKNOWN, "Unknown frame type."),
    ("skip-is-not-a-client-frame", '{"type":"skip","seq":1}', UNKNOWN, "Unknown frame type."),
    # extra fields are refused, without naming them (a key is client input too)
    ("say-extra", say(seq=3), INVALID, "A 'say' frame has an unknown field."),
    ("ping-extra", '{"type":"ping","x":1}', INVALID, "A 'ping' frame has an unknown field."),
    ("pass-extra-null", '{"type":"pass","x":null}', INVALID, "A 'pass' frame has an unknown field."),
    # say
    ("say-no-text", '{"type":"say","client_id":"c"}', INVALID, "Field 'text' is required."),
    ("say-no-client-id", '{"type":"say","text":"hi"}', INVALID, "Field 'client_id' is required."),
    ("say-text-number", say(42), INVALID, "Field 'text' must be a string."),
    ("say-text-null", say(None), INVALID, "Field 'text' must be a string."),
    ("say-text-list", say(["hi"]), INVALID, "Field 'text' must be a string."),
    ("say-text-object", say({"t": "hi"}), INVALID, "Field 'text' must be a string."),
    ("say-client-id-empty", say(client_id=""), INVALID, CLIENT_ID_RULE),
    ("say-client-id-65", say(client_id="a" * 65), INVALID, CLIENT_ID_RULE),
    ("say-client-id-space", say(client_id="a b"), INVALID, CLIENT_ID_RULE),
    ("say-client-id-slash", say(client_id="a/b"), INVALID, CLIENT_ID_RULE),
    ("say-client-id-newline", say(client_id="ab\n"), INVALID, CLIENT_ID_RULE),
    ("say-client-id-accent", say(client_id="caf\u00e9"), INVALID, CLIENT_ID_RULE),
    ("say-client-id-number", say(client_id=7), INVALID, CLIENT_ID_RULE),
    # say text that normalizes to nothing, or to too much
    ("say-empty", say(""), BAD_TEXT, EMPTY),
    ("say-blank", say(" \n\t "), BAD_TEXT, EMPTY),
    ("say-only-controls", say("\x00\x07"), BAD_TEXT, EMPTY),
    ("say-zero-width", say("\u200b\u200b"), BAD_TEXT, EMPTY),
    ("say-too-long", say("x" * 2001), BAD_TEXT, TOO_LONG),
    # a broken frame is reported as broken before its text is judged
    ("say-empty-and-bad-id", say("", client_id="a b"), INVALID, CLIENT_ID_RULE),
    # react
    ("react-no-reaction", '{"type":"react","message_id":"m1"}', INVALID,
     "Field 'reaction' is required."),
    ("react-no-message-id", '{"type":"react","reaction":"hug"}', INVALID,
     "Field 'message_id' is required."),
    ("react-unknown-reaction", react(reaction="angry"), INVALID, REACTION_RULE),
    ("react-reaction-case", react(reaction="HEART"), INVALID, REACTION_RULE),
    ("react-reaction-emoji", react(reaction="\u2764\ufe0f"), INVALID, REACTION_RULE),
    ("react-reaction-number", react(reaction=1), INVALID, REACTION_RULE),
    ("react-message-id-65", react(message_id="m" * 65), INVALID, MESSAGE_ID_RULE),
    ("react-message-id-dot", react(message_id="m.1"), INVALID, MESSAGE_ID_RULE),
    ("react-message-id-number", react(message_id=1), INVALID, MESSAGE_ID_RULE),
    # resync
    ("resync-no-after-seq", '{"type":"resync"}', INVALID, "Field 'after_seq' is required."),
    ("resync-negative", resync(-1), INVALID, AFTER_SEQ_RULE),
    ("resync-string", resync("5"), INVALID, AFTER_SEQ_RULE),
    ("resync-float", resync(5.0), INVALID, AFTER_SEQ_RULE),
    ("resync-bool", resync(True), INVALID, AFTER_SEQ_RULE),
    ("resync-null", resync(None), INVALID, AFTER_SEQ_RULE),
    ("resync-2-pow-63", resync(2**63), INVALID, AFTER_SEQ_RULE),
    # user ids (every frame aimed at a person)
    *[(f"{kind}-no-user-id", frame(kind), INVALID, "Field 'user_id' is required.")
      for kind in ("mute", "unmute", "remove", "ban", "to_waiting_room", "give_floor", "block", "unblock")],
    ("user-id-zero", frame("mute", user_id=0), INVALID, USER_ID_RULE),
    ("user-id-negative", frame("ban", user_id=-7), INVALID, USER_ID_RULE),
    ("user-id-string", frame("remove", user_id="7"), INVALID, USER_ID_RULE),
    ("user-id-float", frame("block", user_id=7.0), INVALID, USER_ID_RULE),
    ("user-id-bool", frame("give_floor", user_id=True), INVALID, USER_ID_RULE),
    ("user-id-2-pow-63", frame("unblock", user_id=2**63), INVALID, USER_ID_RULE),
    # (admit's user_id may be absent, and the optional field has no rule to name)
    ("admit-user-id-zero", frame("admit", user_id=0), INVALID, "Field 'user_id' must be valid."),
    ("reply-user-id-null", frame("reply_privately", user_id=None, text="hi"), INVALID, USER_ID_RULE),
    # mute
    ("mute-zero-minutes", frame("mute", user_id=7, minutes=0), INVALID, MINUTES_RULE),
    ("mute-over-a-day", frame("mute", user_id=7, minutes=1441), INVALID, MINUTES_RULE),
    ("mute-minutes-string", frame("mute", user_id=7, minutes="10"), INVALID, MINUTES_RULE),
    ("mute-extra", frame("mute", user_id=7, until=5), INVALID, "A 'mute' frame has an unknown field."),
    # reasons
    ("remove-reason-201", frame("remove", user_id=7, reason="r" * 201), INVALID, REASON_RULE),
    ("ban-reason-null", frame("ban", user_id=7, reason=None), INVALID, REASON_RULE),
    ("report-no-reason", frame("report", message_id="m1"), INVALID, "Field 'reason' is required."),
    ("report-no-message-id", frame("report", reason="other"), INVALID, "Field 'message_id' is required."),
    ("report-unknown-reason", frame("report", message_id="m1", reason="boring"), INVALID, REPORT_RULE),
    ("report-free-text", frame("report", message_id="m1", reason="other", text="why"), INVALID,
     "A 'report' frame has an unknown field."),
    # switches
    ("slow-mode-missing", frame("slow_mode"), INVALID, "Field 'seconds' is required."),
    ("slow-mode-negative", frame("slow_mode", seconds=-1), INVALID, SECONDS_RULE),
    ("slow-mode-121", frame("slow_mode", seconds=121), INVALID, SECONDS_RULE),
    ("slow-mode-string", frame("slow_mode", seconds="30"), INVALID, SECONDS_RULE),
    ("facilitated-mode-missing", frame("facilitated_mode"), INVALID, "Field 'on' is required."),
    ("facilitated-mode-string", frame("facilitated_mode", on="true"), INVALID, ON_RULE),
    ("facilitated-mode-number", frame("facilitated_mode", on=1), INVALID, ON_RULE),
    ("listening-missing", frame("listening"), INVALID, "Field 'on' is required."),
    ("listening-null", frame("listening", on=None), INVALID, ON_RULE),
    ("lock-extra", frame("lock", on=True), INVALID, "A 'lock' frame has an unknown field."),
    # rounds
    ("round-start-negative", frame("round_start", seconds_per_turn=-1), INVALID, TURN_RULE),
    ("round-start-901", frame("round_start", seconds_per_turn=901), INVALID, TURN_RULE),
    ("round-next-extra", frame("round_next", user_id=7), INVALID,
     "A 'round_next' frame has an unknown field."),
    # messages named by id
    ("delete-no-message-id", frame("delete_message"), INVALID, "Field 'message_id' is required."),
    ("restore-message-id-dot", frame("restore_message", message_id="m.1"), INVALID, MESSAGE_ID_RULE),
    # text frames: announce is checked for length here, the private lines like a say
    ("announce-missing", frame("announce"), INVALID, "Field 'text' is required."),
    ("announce-1001", frame("announce", text="a" * 1001), INVALID, ANNOUNCE_RULE),
    ("announce-null", frame("announce", text=None), INVALID, ANNOUNCE_RULE),
    ("ask-no-text", frame("ask_facilitator"), INVALID, "Field 'text' is required."),
    ("ask-blank", frame("ask_facilitator", text=" \u200b "), BAD_TEXT, EMPTY),
    ("ask-too-long", frame("ask_facilitator", text="x" * 2001), BAD_TEXT, TOO_LONG),
    ("ask-with-client-id", frame("ask_facilitator", text="hi", client_id="c1"), INVALID,
     "A 'ask_facilitator' frame has an unknown field."),
    ("reply-empty", frame("reply_privately", user_id=7, text=""), BAD_TEXT, EMPTY),
    ("reply-no-text", frame("reply_privately", user_id=7), INVALID, "Field 'text' is required."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "code", "message"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED]
)
def test_parse_refuses_malformed_frames(raw: str | bytes, code: ErrorCode, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(raw)
    assert (caught.value.code, caught.value.message, str(caught.value)) == (code, message, message)
    # A well-formed say with refused text names its client_id, so the client can restore the draft;
    # other frames with text (ask_facilitator, reply_privately) have none to name.
    is_say = code is BAD_TEXT and json.loads(raw)["type"] == "say"
    assert caught.value.client_id == ("c1" if is_say else None)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None  # no ValidationError or JSONDecodeError (with input) chained


# --- server frames ----------------------------------------------------------------------------

ROBIN = Person(id=7, name="Robin")
HOST = RoomMember(id=1, name="Sam", role=RoomRole.host)
MESSAGE = MessageEvent(id="abc_-123XYZ0", author=ROBIN, text='say "hi"\n', ts=1_700_000_000_000)
ALEX = Person(id=3, name="Alex")
ROBIN_AS_MEMBER = RoomMember(id=7, name="Robin", role=RoomRole.member)
LINE = ResourceItem(name="Line", contact="Call 988", description="Any time.", url="https://988lifeline.org")
A_FRIEND = ResourceItem(name="A friend", contact="Someone you trust", description="Tell one person.")
ROUND = Round(order=(7, 8), turn=8, turn_ends_at=1_700_000_060_000, seconds_per_turn=60)

PRIVATE: list[tuple[str, PrivateFrame, str]] = [
    # (id, frame, exact text on the wire)
    ("pong", PongFrame(), '{"type":"pong"}'),
    ("error", ErrorFrame(code="bad_json", message="m"), '{"type":"error","code":"bad_json","message":"m"}'),
    ("error-client-id", ErrorFrame(code="invalid_message", message="m", client_id="c1"),
     '{"type":"error","code":"invalid_message","message":"m","client_id":"c1"}'),
    ("error-retry-after", ErrorFrame(code="slow_mode", message="m", retry_after=3),
     '{"type":"error","code":"slow_mode","message":"m","retry_after":3}'),
    ("error-until", ErrorFrame(code="muted", message="m", until=5),
     '{"type":"error","code":"muted","message":"m","until":5}'),
    ("error-refused-say-until", ErrorFrame(code="muted", message="m", client_id="c1", until=5),
     '{"type":"error","code":"muted","message":"m","client_id":"c1","until":5}'),
    ("missed", MissedFrame(), '{"type":"missed","message":"You may have missed some messages."}'),
    ("replayed", ReplayedFrame(), '{"type":"replayed"}'),
    ("moderation-empty", ModerationFrame(), '{"type":"moderation","muted":[],"listening":[],"waiting":[]}'),
    ("moderation", ModerationFrame(muted=(MutedEntry(user_id=7, until=None), MutedEntry(user_id=8, until=5)),
                                   listening=(9,), waiting=(HOST,)),
     '{"type":"moderation","muted":[{"user_id":7,"until":null},{"user_id":8,"until":5}],"listening":[9],'
     '"waiting":[{"id":1,"name":"Sam","role":"host"}]}'),
    ("waiting", WaitingFrame(you=ROBIN_AS_MEMBER),
     '{"type":"waiting","you":{"id":7,"name":"Robin","role":"member"},'
     '"message":"You\'re in the waiting room. A facilitator will let you in shortly."}'),
    ("admitted", AdmittedFrame(), '{"type":"admitted"}'),
    ("muted-until", MutedFrame(until=5), '{"type":"muted","until":5}'),
    ("muted-until-unmuted", MutedFrame(until=None), '{"type":"muted","until":null}'),
    ("unmuted", UnmutedFrame(), '{"type":"unmuted"}'),
    ("resources", ResourcesFrame(intro="Help.", resources=(LINE, A_FRIEND)),
     '{"type":"resources","intro":"Help.","resources":[{"name":"Line","contact":"Call 988",'
     '"description":"Any time.","url":"https://988lifeline.org"},{"name":"A friend",'
     '"contact":"Someone you trust","description":"Tell one person.","url":null}]}'),
    ("alert", AlertFrame(user_id=7), '{"type":"alert","user_id":7}'),
    ("reported",
     ReportedFrame(message_id="m1", reason=ReportReason.harmful, author=ROBIN, text="t", hidden=True),
     '{"type":"reported","message_id":"m1","reason":"harmful","author":{"id":7,"name":"Robin"},'
     '"text":"t","hidden":true}'),
    ("reported-message-gone", ReportedFrame(message_id="m1", reason=ReportReason.other, author=None),
     '{"type":"reported","message_id":"m1","reason":"other","author":null,"text":null,"hidden":false}'),
    ("private-message", PrivateMessageFrame(sender=ALEX, member=ROBIN, text="hi", ts=5),
     '{"type":"private_message","sender":{"id":3,"name":"Alex"},"member":{"id":7,"name":"Robin"},'
     '"text":"hi","ts":5}'),
    ("blocked", BlockedFrame(user_ids=(3, 8)), '{"type":"blocked","user_ids":[3,8]}'),
    ("blocked-nobody", BlockedFrame(user_ids=()), '{"type":"blocked","user_ids":[]}'),
    ("listening", ListeningStateFrame(on=True), '{"type":"listening","on":true}'),
]  # fmt: skip


def test_every_private_frame_type_is_encoded() -> None:
    tested = {type(frame) for _, frame, _ in PRIVATE} | {WelcomeFrame}  # welcome: in test_core.py
    assert tested == set(get_args(PrivateFrame))


@pytest.mark.parametrize(("frame", "text"), [c[1:] for c in PRIVATE], ids=[c[0] for c in PRIVATE])
def test_encode_private_frames(frame: PrivateFrame, text: str) -> None:
    assert encode(frame) == text


EVENTS: list[tuple[str, RoomEvent]] = [
    ("message", MESSAGE),
    ("presence", PresenceEvent(kind=PresenceKind.joined, member=HOST)),
    ("hand", HandEvent(hands=(7, 3))),
    ("floor-held", FloorEvent(holder=7)),
    ("floor-free", FloorEvent(holder=None)),
    ("reaction", ReactionEvent(message_id="m1", reaction=Reaction.me_too, by=ROBIN)),
    ("ended", EndedEvent()),
    ("settings", SettingsEvent(locked=True, slow_mode=30, facilitated=False)),
    ("notice-removed", NoticeEvent(kind=NoticeKind.removed)),
    ("notice-to-waiting-room", NoticeEvent(kind=NoticeKind.to_waiting_room)),
    *[(f"message-{c}", MessageChangeEvent(message_id="m1", change=c)) for c in MessageChange],
    ("announcement", AnnouncementEvent(announcement=Announcement(text="Break at 8", by=ALEX))),
    ("announcement-unpinned", AnnouncementEvent(announcement=None)),
    ("round", RoundEvent(round=ROUND)),
    ("round-untimed",
     RoundEvent(round=ROUND.model_copy(update={"turn_ends_at": None, "seconds_per_turn": 0}))),
    ("round-stopped", RoundEvent(round=None)),
]  # fmt: skip


def test_every_room_event_type_is_tested() -> None:
    assert {type(event) for _, event in EVENTS} == set(get_args(RoomEvent))


@pytest.mark.parametrize("event", [c[1] for c in EVENTS], ids=[c[0] for c in EVENTS])
def test_frame_text_adds_seq_to_the_encoded_event(event: RoomEvent) -> None:
    text = frame_text(event_json(event), 41)
    assert json.loads(text) == {**event.model_dump(mode="json"), "seq": 41}


def test_message_event_on_the_wire() -> None:
    assert event_json(MESSAGE) == (
        '{"type":"message","id":"abc_-123XYZ0","author":{"id":7,"name":"Robin"},'
        '"text":"say \\"hi\\"\\n","ts":1700000000000}'
    )
    assert json.loads(author_frame_text(event_json(MESSAGE), 9, "c-1")) == {
        **MESSAGE.model_dump(mode="json"),
        "client_id": "c-1",
        "seq": 9,
    }


@pytest.mark.parametrize("event", [c[1] for c in EVENTS], ids=[c[0] for c in EVENTS])
def test_message_id_of(event: RoomEvent) -> None:
    expected = event.id if isinstance(event, MessageEvent) else None
    assert message_id_of(event_json(event)) == expected


@pytest.mark.parametrize("event", [c[1] for c in EVENTS], ids=[c[0] for c in EVENTS])
def test_author_of(event: RoomEvent) -> None:
    expected = (
        event.author.id
        if isinstance(event, MessageEvent)
        else event.by.id
        if isinstance(event, ReactionEvent)
        else None  # an announcement has a `by` too, but it is never skipped
    )
    assert author_of(event_json(event)) == expected


def test_author_of_reads_the_author_not_the_text() -> None:
    forged = MESSAGE.model_copy(
        update={"text": '"author":{"id":99,"name":"X"}', "author": Person(id=12, name="")}
    )
    assert author_of(event_json(forged)) == 12


def test_skip_text() -> None:
    assert skip_text(41) == '{"type":"skip","seq":41}'
    assert json.loads(skip_text(2**60)) == {"type": "skip", "seq": 2**60}


def test_close_codes_and_reasons() -> None:
    assert (CloseCode.not_allowed, CloseCode.room_locked_or_full, CloseCode.to_waiting_room) == (
        4403,
        4409,
        4411,
    )
    assert list(CloseReason) == ["removed", "banned", "locked", "waiting_room"]


def test_chat_text_stays_out_of_reprs() -> None:
    frame = parse_client_frame(say("my secret canary"))
    event = MESSAGE.model_copy(update={"text": "my secret canary"})
    assert "canary" not in repr(frame) + str(frame) + repr(event) + str(event)


# --- docs/protocol.md -------------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def test_every_json_example_in_the_docs_is_a_real_frame() -> None:
    from rooms import protocol

    server_models = {
        m.model_fields["type"].default: m
        for m in (*get_args(protocol.PrivateFrame), *get_args(protocol.RoomEvent))
    }
    examples = re.findall(r"```json\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(examples) >= len(CLIENT_FRAMES) + len(server_models)
    seen: set[str] = set()
    for example in examples:
        data = json.loads(example)
        seen.add(data["type"])
        if data["type"] == "skip":  # not a model: sent in place of an event from someone you blocked
            assert data == json.loads(skip_text(data["seq"]))
        elif data["type"] in CLIENT_FRAMES:  # `listening` is both: the server's echo has the same shape
            parse_client_frame(example)
        else:
            data.pop("seq", None)
            data.pop("client_id", None)
            server_models[data["type"]].model_validate(data, strict=False)
    assert seen >= set(CLIENT_FRAMES) | set(server_models) | {"skip"}


DOCUMENTED_CODE = re.compile(r"^\| `?(\w+)`? \|", flags=re.MULTILINE)


def test_every_error_code_and_close_code_is_documented() -> None:
    documented = set(DOCUMENTED_CODE.findall(DOCS.read_text(encoding="utf-8")))
    assert {code.value for code in ErrorCode} <= documented
    assert {str(code.value) for code in CloseCode} <= documented
