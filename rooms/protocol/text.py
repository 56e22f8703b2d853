"""Encoding server frames, once per event, and splicing `seq` into them per delivery."""

from __future__ import annotations

import json

from rooms.protocol.base import (
    ErrorCode,
)
from rooms.protocol.server import (
    ErrorFrame,
    PrivateFrame,
    RoomEvent,
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
