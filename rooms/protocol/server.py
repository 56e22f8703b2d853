"""Server -> client frames: private replies and room events."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field

from moderation.audit import ReportReason
from rooms.protocol.base import (
    PresenceKind,
    Reaction,
    _Frame,
)
from rooms.types import PresenceStatus, RoomRole


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
    # Set only by refusals that say when to try again.
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
