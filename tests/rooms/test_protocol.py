"""Wire protocol: parsing client frames (valid and every kind of bad), and encoding server frames."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from rooms.protocol import (
    CLIENT_FRAMES,
    ClientFrame,
    EndedEvent,
    ErrorCode,
    ErrorFrame,
    FloorEvent,
    HandEvent,
    LeaveFrame,
    LowerHandFrame,
    MessageEvent,
    PassFrame,
    Person,
    PingFrame,
    PongFrame,
    PresenceEvent,
    PresenceKind,
    PrivateFrame,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    Reaction,
    ReactionEvent,
    ResyncFrame,
    RoomEvent,
    RoomMember,
    SayFrame,
    author_frame_text,
    encode,
    event_json,
    frame_text,
    message_id_of,
    parse_client_frame,
)
from rooms.types import RoomRole


def say(text: Any = "hello", client_id: Any = "c1", **extra: Any) -> str:
    return json.dumps({"type": "say", "text": text, "client_id": client_id, **extra})


def react(message_id: Any = "m1", reaction: Any = "heart") -> str:
    return json.dumps({"type": "react", "message_id": message_id, "reaction": reaction})


def resync(after_seq: Any) -> str:
    return json.dumps({"type": "resync", "after_seq": after_seq})


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
    ("facilitator-frame-not-yet", '{"type":"give_floor"}', UNKNOWN, "Unknown frame type."),
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
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "code", "message"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED]
)
def test_parse_refuses_malformed_frames(raw: str | bytes, code: ErrorCode, message: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_client_frame(raw)
    assert (caught.value.code, caught.value.message, str(caught.value)) == (code, message, message)
    # A well-formed say with refused text names its client_id, so the client can restore the draft.
    assert caught.value.client_id == ("c1" if code is BAD_TEXT else None)
    assert caught.value.__cause__ is None
    assert caught.value.__context__ is None  # no ValidationError or JSONDecodeError (with input) chained


# --- server frames ----------------------------------------------------------------------------

ROBIN = Person(id=7, name="Robin")
HOST = RoomMember(id=1, name="Sam", role=RoomRole.host)
MESSAGE = MessageEvent(id="abc_-123XYZ0", author=ROBIN, text='say "hi"\n', ts=1_700_000_000_000)

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
]  # fmt: skip


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
]  # fmt: skip


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
        if data["type"] in CLIENT_FRAMES:
            parse_client_frame(example)
        else:
            data.pop("seq", None)
            data.pop("client_id", None)
            server_models[data["type"]].model_validate(data, strict=False)
    assert seen >= set(CLIENT_FRAMES) | set(server_models) - {"moderation"}  # its shape comes later
