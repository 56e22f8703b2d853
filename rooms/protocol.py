"""The room's wire protocol: every frame as a typed model, parsed once at the edge. No I/O.

Client frames arrive as JSON text; `parse_client_frame(raw)` returns one of the `ClientFrame`
models or raises `ProtocolError`, whose message names the bad field but never repeats a value
(any value may be chat text). Server frames are models too: private replies are encoded with
`encode(frame)`; room events go to everyone and carry a per-room `seq` that the broker assigns
at publish time, so an event is encoded once with `event_json(event)` and each delivery gets
its final text from `frame_text(event_json, seq)`, a string splice, not a second encoding.

Adding a client frame type: write its model and add it to the `ClientFrame` union (then give
it a rule in `rooms.core.RULES`). docs/protocol.md describes all of this for client authors.
"""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from moderation.text import InvalidMessage, normalize_message
from rooms.types import PresenceStatus, RoomRole

MAX_FRAME_BYTES = 16 * 1024  # larger frames are closed with `CloseCode.too_big` by the server


class CloseCode(IntEnum):
    normal = 1000
    binary_frame = 1003
    session_expired = 1008
    too_big = 1009
    too_slow = 1013  # the client's send queue overflowed
    not_logged_in = 4401
    not_allowed = 4403  # not a member, banned, or guidelines not accepted
    no_such_meeting = 4404
    room_locked_or_full = 4409
    meeting_not_open = 4410  # not open yet, or ended


class ErrorCode(StrEnum):
    bad_json = "bad_json"
    unknown_type = "unknown_type"
    invalid_frame = "invalid_frame"
    invalid_message = "invalid_message"


class Reaction(StrEnum):
    heart = "heart"
    me_too = "me_too"
    thanks = "thanks"
    hug = "hug"
    strength = "strength"


class PresenceKind(StrEnum):
    joined = "joined"
    left = "left"
    reconnecting = "reconnecting"
    returned = "returned"


class ProtocolError(Exception):
    """A frame the server cannot act on: answer with `error_frame(e.code, e.message, e.client_id)`.

    `client_id` is set when a `say` was well formed but its text was refused, so the client can
    put the draft back; it is the sender's own id and is never part of the message.
    """

    def __init__(self, code: ErrorCode, message: str, client_id: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.client_id = client_id


def _normalized(text: str) -> str:
    try:
        return normalize_message(text)
    except InvalidMessage as exc:
        reason = exc.message
    raise PydanticCustomError("invalid_message", reason)  # outside `except`: nothing chains on


_ID_PATTERN = r"^[A-Za-z0-9_-]+$"
_ID_RULE = "1 to 64 letters, digits, '-' or '_'"
OpaqueId = Annotated[str, Field(min_length=1, max_length=64, pattern=_ID_PATTERN, description=_ID_RULE)]
MessageText = Annotated[str, AfterValidator(_normalized), Field(description="a string", repr=False)]


class _Frame(BaseModel):
    """Every frame: unknown fields refused, no coercion ("5" is not 5), immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --- client -> server ------------------------------------------------------------------------


class SayFrame(_Frame):
    type: Literal["say"] = "say"
    text: MessageText
    client_id: OpaqueId


class ReactFrame(_Frame):
    type: Literal["react"] = "react"
    message_id: OpaqueId
    # Lax for this field only: in strict mode an enum field takes only Enum instances, not "hug".
    reaction: Reaction = Field(strict=False, description="one of " + ", ".join(Reaction))


class RaiseHandFrame(_Frame):
    type: Literal["raise_hand"] = "raise_hand"


class LowerHandFrame(_Frame):
    type: Literal["lower_hand"] = "lower_hand"


class PassFrame(_Frame):
    type: Literal["pass"] = "pass"


class LeaveFrame(_Frame):
    type: Literal["leave"] = "leave"


class PingFrame(_Frame):
    type: Literal["ping"] = "ping"


class ResyncFrame(_Frame):
    type: Literal["resync"] = "resync"
    after_seq: int = Field(ge=0, le=2**63 - 1, description="a whole number, 0 or more")


ClientFrame = (
    SayFrame | ReactFrame | RaiseHandFrame | LowerHandFrame | PassFrame | LeaveFrame | PingFrame | ResyncFrame
)
CLIENT_FRAMES: dict[str, type[ClientFrame]] = {
    m.model_fields["type"].default: m for m in get_args(ClientFrame)
}


def parse_client_frame(raw: str | bytes) -> ClientFrame:
    """Parse one client text frame, or raise `ProtocolError` (which never quotes the input)."""
    data = _load_object(raw)
    if "type" not in data:
        raise ProtocolError(ErrorCode.invalid_frame, "Field 'type' is required.")
    kind = data["type"]
    if not isinstance(kind, str):
        raise ProtocolError(ErrorCode.invalid_frame, "Field 'type' must be a string.")
    model = CLIENT_FRAMES.get(kind)
    if model is None:
        raise ProtocolError(ErrorCode.unknown_type, "Unknown frame type.")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Raised outside the `except` so the ValidationError, which holds the input values,
        # is not chained onto it as __context__ for a traceback to print.
        error = _describe(exc, model, data)
    raise error


def _load_object(raw: str | bytes) -> dict[str, Any]:
    data = _decode(raw)
    if data is _NOT_JSON:
        raise ProtocolError(ErrorCode.bad_json, "The frame is not valid JSON.")
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.invalid_frame, "A frame must be a JSON object.")
    return data


_NOT_JSON = object()


def _decode(raw: str | bytes) -> object:
    try:
        # Decode bytes ourselves: json.loads would also accept UTF-16 and UTF-32.
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _NOT_JSON  # and the caller raises outside this block: the error holds the input


def _reject_constant(name: str) -> None:
    raise ValueError("NaN and Infinity are not JSON")


def _describe(exc: ValidationError, model: type[ClientFrame], data: dict[str, Any]) -> ProtocolError:
    """One safe message for the most useful error: built from our field names, never the input."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    first = next((e for e in errors if e["type"] != "invalid_message"), errors[0])
    kind = model.model_fields["type"].default
    field = str(first["loc"][0]) if first["loc"] else ""
    if first["type"] == "invalid_message":  # and so every other field, client_id too, is valid
        return ProtocolError(ErrorCode.invalid_message, first["msg"], client_id=data.get("client_id"))
    if field not in model.model_fields:  # an extra field: its name came from the client
        return ProtocolError(ErrorCode.invalid_frame, f"A '{kind}' frame has an unknown field.")
    if first["type"] == "missing":
        return ProtocolError(ErrorCode.invalid_frame, f"Field '{field}' is required.")
    rule = model.model_fields[field].description or "valid"
    return ProtocolError(ErrorCode.invalid_frame, f"Field '{field}' must be {rule}.")


# --- server -> client ------------------------------------------------------------------------


class Person(_Frame):
    """Who wrote a message or reacted: enough to show a name."""

    id: int
    name: str


class RoomMember(Person):
    role: RoomRole


class PresentMember(RoomMember):
    status: PresenceStatus


class RoomState(_Frame):
    members: tuple[PresentMember, ...]
    hands: tuple[int, ...]  # user ids, oldest first
    floor: int | None  # user id holding the floor
    locked: bool
    slow_mode: int  # seconds between messages per member; 0 = off
    seq: int  # the room's newest event sequence number


class WelcomeFrame(_Frame):
    type: Literal["welcome"] = "welcome"
    you: RoomMember
    room: RoomState


class ErrorFrame(_Frame):
    type: Literal["error"] = "error"
    code: str
    message: str
    client_id: str | None = Field(default=None, exclude_if=lambda v: v is None)  # of a refused say
    # Set only by refusals that say when to try again (added by the moderation issue).
    until: int | None = Field(default=None, exclude_if=lambda v: v is None)  # unix ms
    retry_after: int | None = Field(default=None, exclude_if=lambda v: v is None)  # seconds


class PongFrame(_Frame):
    type: Literal["pong"] = "pong"


class MissedFrame(_Frame):
    type: Literal["missed"] = "missed"
    message: str = "You may have missed some messages."


class ReplayedFrame(_Frame):
    """Ends a replay: every room event the server still had for the request has been sent."""

    type: Literal["replayed"] = "replayed"


class ModerationFrame(_Frame):
    """Placeholder: its fields are defined by the moderation issue."""

    type: Literal["moderation"] = "moderation"


PrivateFrame = WelcomeFrame | ErrorFrame | PongFrame | MissedFrame | ReplayedFrame | ModerationFrame


class PresenceEvent(_Frame):
    type: Literal["presence"] = "presence"
    kind: PresenceKind
    member: RoomMember


class MessageEvent(_Frame):
    # Field order matters: `message_id_of` reads `id` at a fixed place in the encoded text.
    type: Literal["message"] = "message"
    id: str
    author: Person
    text: str = Field(repr=False)  # chat text: keep it out of reprs, and so out of logs
    ts: int  # unix ms


class HandEvent(_Frame):
    type: Literal["hand"] = "hand"
    hands: tuple[int, ...]  # the whole queue after the change, oldest first


class FloorEvent(_Frame):
    type: Literal["floor"] = "floor"
    holder: int | None


class ReactionEvent(_Frame):
    type: Literal["reaction"] = "reaction"
    message_id: str
    reaction: Reaction
    by: Person


class EndedEvent(_Frame):
    type: Literal["ended"] = "ended"


RoomEvent = PresenceEvent | MessageEvent | HandEvent | FloorEvent | ReactionEvent | EndedEvent


def error_frame(code: ErrorCode | str, message: str, client_id: str | None = None) -> ErrorFrame:
    """The reply to a refused frame. `message` must be a fixed sentence, never client input;
    `client_id` is the refused `say`'s own, for its sender."""
    return ErrorFrame(code=code, message=message, client_id=client_id)


def encode(frame: PrivateFrame) -> str:
    """The text of a private reply (no `seq`), ready for `send_text`."""
    return frame.model_dump_json()


def event_json(event: RoomEvent) -> str:
    """Encode a room event once, without `seq`; this is what the broker publishes."""
    return event.model_dump_json()


def frame_text(event_json: str, seq: int) -> str:
    """The frame every recipient gets: `event_json` with `"seq"` spliced in before the final `}`."""
    return f'{event_json[:-1]},"seq":{int(seq)}}}'


def author_frame_text(event_json: str, seq: int, client_id: str) -> str:
    """The author's own copy of a message event: as `frame_text`, plus the `say`'s `client_id`."""
    return f'{event_json[:-1]},"client_id":{json.dumps(client_id)},"seq":{int(seq)}}}'


_MESSAGE_PREFIX = '{"type":"message","id":"'


def message_id_of(event_json: str) -> str | None:
    """The id of an encoded message event, without parsing it; None for other events.

    Lets a fan-out loop spot the author's own message (to send `author_frame_text`) cheaply.
    """
    if not event_json.startswith(_MESSAGE_PREFIX):
        return None
    end = event_json.find('"', len(_MESSAGE_PREFIX))
    return event_json[len(_MESSAGE_PREFIX) : end] if end > 0 else None
