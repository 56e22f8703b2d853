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

from moderation.audit import ReportReason
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
    to_waiting_room = 4411  # a facilitator sent the member back to the waiting room: reconnect


class ErrorCode(StrEnum):
    bad_json = "bad_json"
    unknown_type = "unknown_type"
    invalid_frame = "invalid_frame"
    invalid_message = "invalid_message"
    # Refusals by the room's rules (moderation):
    forbidden = "forbidden"
    muted = "muted"
    rate_limited = "rate_limited"
    personal_info = "personal_info"
    blocked_term = "blocked_term"
    slow_mode = "slow_mode"
    not_your_turn = "not_your_turn"
    not_found = "not_found"  # the member or message the frame names is not in the room
    waiting = "waiting"  # in the waiting room: only `leave` and `ping` until admitted
    no_facilitator = "no_facilitator"


class CloseReason(StrEnum):
    """Short, fixed reasons sent with moderation close codes (never chat text)."""

    removed = "removed"
    banned = "banned"
    locked = "locked"
    waiting_room = "waiting_room"  # sent back to the waiting room: reconnect to wait there


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


UserId = Annotated[int, Field(ge=1, le=2**63 - 1, description="a user id (a whole number, 1 or more)")]
Reason = Annotated[str, Field(max_length=200, repr=False, description="text of at most 200 characters")]


class _Targeted(_Frame):
    user_id: UserId


class MuteFrame(_Targeted):
    type: Literal["mute"] = "mute"
    minutes: int | None = Field(default=None, ge=1, le=1440, description="1 to 1440 minutes, or absent")


class UnmuteFrame(_Targeted):
    type: Literal["unmute"] = "unmute"


class RemoveFrame(_Targeted):
    type: Literal["remove"] = "remove"
    reason: Reason = ""


class BanFrame(_Targeted):
    type: Literal["ban"] = "ban"
    reason: Reason = ""


class LockFrame(_Frame):
    type: Literal["lock"] = "lock"


class UnlockFrame(_Frame):
    type: Literal["unlock"] = "unlock"


class SlowModeFrame(_Frame):
    type: Literal["slow_mode"] = "slow_mode"
    seconds: int = Field(ge=0, le=120, description="0 to 120 seconds")


class FacilitatedModeFrame(_Frame):
    type: Literal["facilitated_mode"] = "facilitated_mode"
    on: bool


class GiveFloorFrame(_Targeted):
    type: Literal["give_floor"] = "give_floor"


class TakeFloorFrame(_Frame):
    type: Literal["take_floor"] = "take_floor"


class DeleteMessageFrame(_Frame):
    type: Literal["delete_message"] = "delete_message"
    message_id: OpaqueId


class RestoreMessageFrame(_Frame):
    type: Literal["restore_message"] = "restore_message"
    message_id: OpaqueId


class AnnounceFrame(_Frame):
    """Pin a facilitator note for everyone (an empty text unpins it)."""

    type: Literal["announce"] = "announce"
    text: Annotated[str, Field(max_length=1000, repr=False, description="text of at most 1000 characters")]


class EndFrame(_Frame):
    type: Literal["end"] = "end"


class AdmitFrame(_Frame):
    """Let one entrant in from the waiting room, or everyone waiting when `user_id` is absent."""

    type: Literal["admit"] = "admit"
    user_id: UserId | None = None


class ToWaitingRoomFrame(_Targeted):
    type: Literal["to_waiting_room"] = "to_waiting_room"


class RoundStartFrame(_Frame):
    type: Literal["round_start"] = "round_start"
    seconds_per_turn: int = Field(default=0, ge=0, le=900, description="0 (no timer) to 900 seconds")


class RoundNextFrame(_Frame):
    type: Literal["round_next"] = "round_next"


class RoundStopFrame(_Frame):
    type: Literal["round_stop"] = "round_stop"


class ListeningFrame(_Frame):
    """ "Just listening today": sharing rounds skip this member (`on: false` to undo)."""

    type: Literal["listening"] = "listening"
    on: bool


class ReportFrame(_Frame):
    type: Literal["report"] = "report"
    message_id: OpaqueId
    reason: ReportReason = Field(strict=False, description="one of " + ", ".join(ReportReason))


class BlockFrame(_Targeted):
    type: Literal["block"] = "block"


class UnblockFrame(_Targeted):
    type: Literal["unblock"] = "unblock"


class AskFacilitatorFrame(_Frame):
    """A private line to the facilitators present: delivered live to them only, never stored."""

    type: Literal["ask_facilitator"] = "ask_facilitator"
    text: MessageText


class ReplyPrivatelyFrame(_Targeted):
    """A facilitator's private answer to one member."""

    type: Literal["reply_privately"] = "reply_privately"
    text: MessageText


ClientFrame = (
    SayFrame
    | ReactFrame
    | RaiseHandFrame
    | LowerHandFrame
    | PassFrame
    | LeaveFrame
    | PingFrame
    | ResyncFrame
    | MuteFrame
    | UnmuteFrame
    | RemoveFrame
    | BanFrame
    | LockFrame
    | UnlockFrame
    | SlowModeFrame
    | FacilitatedModeFrame
    | GiveFloorFrame
    | TakeFloorFrame
    | DeleteMessageFrame
    | RestoreMessageFrame
    | AnnounceFrame
    | EndFrame
    | AdmitFrame
    | ToWaitingRoomFrame
    | RoundStartFrame
    | RoundNextFrame
    | RoundStopFrame
    | ListeningFrame
    | ReportFrame
    | BlockFrame
    | UnblockFrame
    | AskFacilitatorFrame
    | ReplyPrivatelyFrame
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


class Round(_Frame):
    """A sharing round: members in turn order, whose turn it is, when the turn's timer ends."""

    order: tuple[int, ...]  # user ids
    turn: int | None  # user id whose turn it is (they hold the floor)
    turn_ends_at: int | None  # unix ms; None when turns are untimed
    seconds_per_turn: int


class Announcement(_Frame):
    text: str = Field(repr=False)
    by: Person


class RoomState(_Frame):
    members: tuple[PresentMember, ...]
    hands: tuple[int, ...]  # user ids, oldest first
    floor: int | None  # user id holding the floor
    locked: bool
    slow_mode: int  # seconds between messages per member; 0 = off
    seq: int  # the room's newest event sequence number
    facilitated: bool = False
    round: Round | None = None
    announcement: Announcement | None = None


class Mute(_Frame):
    until: int | None  # unix ms; None: until a facilitator unmutes


class WelcomeFrame(_Frame):
    type: Literal["welcome"] = "welcome"
    you: RoomMember
    room: RoomState
    muted: Mute | None = None  # set when you are muted
    listening: bool = False  # you marked yourself "just listening today"
    blocked: tuple[int, ...] = ()  # members you blocked: their messages are not sent to you


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


class MutedEntry(_Frame):
    user_id: int
    until: int | None


class ModerationFrame(_Frame):
    """For facilitators only: who is muted, who is just listening, who waits to be admitted.
    Sent after their `welcome` and again whenever any of it changes."""

    type: Literal["moderation"] = "moderation"
    muted: tuple[MutedEntry, ...] = ()
    listening: tuple[int, ...] = ()
    waiting: tuple[RoomMember, ...] = ()


class WaitingFrame(_Frame):
    """Sent instead of `welcome` to an entrant held in the waiting room."""

    type: Literal["waiting"] = "waiting"
    you: RoomMember
    message: str = "You're in the waiting room. A facilitator will let you in shortly."


class MutedFrame(_Frame):
    """To a member: a facilitator muted you (`until` unix ms; None until unmuted)."""

    type: Literal["muted"] = "muted"
    until: int | None


class UnmutedFrame(_Frame):
    type: Literal["unmuted"] = "unmuted"


class ResourceItem(_Frame):
    name: str
    contact: str
    description: str
    url: str | None = None


class ResourcesFrame(_Frame):
    """To a member whose message may show they are in crisis: where to find help now."""

    type: Literal["resources"] = "resources"
    intro: str
    resources: tuple[ResourceItem, ...]


class AlertFrame(_Frame):
    """To facilitators: this member may be in crisis (no text, ever)."""

    type: Literal["alert"] = "alert"
    user_id: int


class ReportedFrame(_Frame):
    """To facilitators: a message was reported. `text` is shown live and never stored."""

    type: Literal["reported"] = "reported"
    message_id: str
    reason: ReportReason
    author: Person | None  # None when the message is no longer held
    text: str | None = Field(default=None, repr=False)
    hidden: bool = False  # reports reached the group's threshold: hidden until reviewed


class PrivateMessageFrame(_Frame):
    """A private line between a member and the facilitators: `sender` wrote it, `member` is the
    member of the conversation (so facilitators can answer). Never stored."""

    type: Literal["private_message"] = "private_message"
    sender: Person
    member: Person
    text: str = Field(repr=False)
    ts: int


class BlockedFrame(_Frame):
    """To your own connections: the members you block, after a change."""

    type: Literal["blocked"] = "blocked"
    user_ids: tuple[int, ...]


class ListeningStateFrame(_Frame):
    type: Literal["listening"] = "listening"
    on: bool


class AdmittedFrame(_Frame):
    """To an entrant in the waiting room: you are let in (`welcome` follows on the same socket)."""

    type: Literal["admitted"] = "admitted"


PrivateFrame = (
    WelcomeFrame
    | ErrorFrame
    | PongFrame
    | MissedFrame
    | ReplayedFrame
    | ModerationFrame
    | WaitingFrame
    | MutedFrame
    | UnmutedFrame
    | ResourcesFrame
    | AlertFrame
    | ReportedFrame
    | PrivateMessageFrame
    | BlockedFrame
    | ListeningStateFrame
    | AdmittedFrame
)


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


class SettingsEvent(_Frame):
    """The room's switches after a facilitator changed one."""

    type: Literal["settings"] = "settings"
    locked: bool
    slow_mode: int
    facilitated: bool


class NoticeKind(StrEnum):
    removed = "removed"  # "A member was removed by a facilitator" (never who or why)
    to_waiting_room = "to_waiting_room"


class NoticeEvent(_Frame):
    """A neutral system line for the room."""

    type: Literal["notice"] = "notice"
    kind: NoticeKind


class MessageChange(StrEnum):
    deleted = "deleted"  # removed from every screen
    hidden = "hidden"  # reported by enough members: hidden until a facilitator reviews it
    restored = "restored"  # a facilitator reviewed a hidden message and kept it


class MessageChangeEvent(_Frame):
    type: Literal["message_change"] = "message_change"
    message_id: str
    change: MessageChange


class AnnouncementEvent(_Frame):
    """The pinned note changed (`announcement` None: unpinned)."""

    type: Literal["announcement"] = "announcement"
    announcement: Announcement | None


class RoundEvent(_Frame):
    """The sharing round changed (`round` None: it stopped)."""

    type: Literal["round"] = "round"
    round: Round | None


RoomEvent = (
    PresenceEvent
    | MessageEvent
    | HandEvent
    | FloorEvent
    | ReactionEvent
    | EndedEvent
    | SettingsEvent
    | NoticeEvent
    | MessageChangeEvent
    | AnnouncementEvent
    | RoundEvent
)


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


_AUTHOR_MARKS = (('{"type":"message"', '"author":{"id":'), ('{"type":"reaction"', '"by":{"id":'))


def author_of(event_json: str) -> int | None:
    """Who wrote an encoded message event or reacted in a reaction event; None for others.

    Lets the fan-out skip a blocked member's messages and reactions without parsing."""
    for prefix, mark in _AUTHOR_MARKS:
        if event_json.startswith(prefix):
            start = event_json.find(mark)
            if start < 0:
                return None
            start += len(mark)
            end = start
            while end < len(event_json) and event_json[end].isdigit():
                end += 1
            return int(event_json[start:end]) if end > start else None
    return None


def skip_text(seq: int) -> str:
    """What a member gets in place of a room event not meant for them (from someone they
    blocked): its `seq`, so their count has no gap, and nothing else."""
    return f'{{"type":"skip","seq":{int(seq)}}}'
