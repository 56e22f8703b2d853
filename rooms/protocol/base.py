"""Shared parts of the wire protocol: close and error codes, the frame base, id and text types."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from moderation.text import InvalidMessage, normalize_message

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
