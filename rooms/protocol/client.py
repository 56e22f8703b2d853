"""Client -> server frames, and `parse_client_frame`, which turns raw text into one of them."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, ValidationError

from moderation.audit import ReportReason
from rooms.protocol.base import (
    ErrorCode,
    MessageText,
    OpaqueId,
    ProtocolError,
    Reaction,
    _Frame,
)


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
