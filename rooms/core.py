"""The room's decisions: what to do about one member's frame. Pure: no I/O, no clock, no dice.

The endpoint (the I/O driver) calls `receive(raw, ctx)` for each text frame, or `decide(frame,
ctx)` with a frame it already parsed, and executes the returned commands in order:

- `Reply(frame)`: send `encode(frame)` to this connection only.
- `Publish(event, client_id)`: `js = event_json(event)` once; publish it to the room, where the
  broker assigns `seq`; each connection gets `frame_text(js, seq)`. When `client_id` is set, the
  author's connection gets `author_frame_text(js, seq, client_id)` instead: remember
  `event.id -> client_id` before publishing and match deliveries with `message_id_of(js)`.
- `RaiseHand(user_id)` / `LowerHand(user_id)`: change the hand queue (both idempotent); if it
  changed, publish `hand_event(queue)`.
- `SetFloor(holder)`: give the floor to `holder` (None: nobody); `ReleaseFloor(user_id)`: clear
  it only if `user_id` still holds it. If the floor changed, publish `floor_event(holder)`.
- `Replay(after_seq)`: send this connection the room events it still holds with seq above
  `after_seq`, but never one from before the member first entered, in order, as delivered;
  if some are gone, send `encode(missed())` first; end with `encode(replayed())`.
- `Depart(member)`: take the member out of the room now (not "reconnecting") and publish
  `presence_event(PresenceKind.left, member)`.
- `Close(code)`: close this connection with that code.

`Context` is the situation a frame is judged in; it grows when policy needs more (a member's
mute, their last message time). Each frame type has one row in `RULES`: its handler and the
checks it must pass first. A check returns an `ErrorFrame` to refuse the frame (mute, slow mode,
facilitated turns, rate limits, facilitator-only frames) or None to let it through.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rooms.protocol import (
    ClientFrame,
    CloseCode,
    EndedEvent,
    ErrorFrame,
    FloorEvent,
    HandEvent,
    LeaveFrame,
    LowerHandFrame,
    MessageEvent,
    MissedFrame,
    PassFrame,
    Person,
    PingFrame,
    PongFrame,
    PresenceEvent,
    PresenceKind,
    PresentMember,
    PrivateFrame,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    ReactionEvent,
    ReplayedFrame,
    ResyncFrame,
    RoomEvent,
    RoomMember,
    RoomState,
    SayFrame,
    WelcomeFrame,
    error_frame,
    parse_client_frame,
)
from rooms.types import Member, RoomSnapshot


def new_message_id() -> str:
    """A random, URL-safe, practically unique message id (12 characters)."""
    return secrets.token_urlsafe(9)


@dataclass(frozen=True)
class Context:
    """The situation one frame is judged in. Pass `now_ms` and `new_id` so tests can fix them."""

    member: Member
    room: RoomSnapshot
    now_ms: int
    new_id: Callable[[], str] = new_message_id


# --- commands for the driver (see the module docstring for how to execute each) -------------


@dataclass(frozen=True)
class Reply:
    frame: PrivateFrame


@dataclass(frozen=True)
class Publish:
    event: RoomEvent
    client_id: str | None = None  # the author's `say` id, for their own copy only


@dataclass(frozen=True)
class RaiseHand:
    user_id: int


@dataclass(frozen=True)
class LowerHand:
    user_id: int


@dataclass(frozen=True)
class SetFloor:
    holder: int | None


@dataclass(frozen=True)
class ReleaseFloor:
    user_id: int


@dataclass(frozen=True)
class Replay:
    after_seq: int


@dataclass(frozen=True)
class Depart:
    member: Member


@dataclass(frozen=True)
class Close:
    code: int
    reason: str = ""  # short and fixed; never chat text


Command = Reply | Publish | RaiseHand | LowerHand | SetFloor | ReleaseFloor | Replay | Depart | Close


# --- per-frame rules ----------------------------------------------------------------------------

F = TypeVar("F", bound=ClientFrame)
Handler = Callable[[F, Context], list[Command]]
Check = Callable[[F, Context], ErrorFrame | None]  # an error refuses the frame; None lets it by


@dataclass(frozen=True)
class Rule(Generic[F]):
    """How one frame type is handled: `checks` run in order; the first refusal wins."""

    handler: Handler[F]
    checks: tuple[Check[F], ...] = ()


def receive(raw: str, ctx: Context) -> list[Command]:
    """Parse one text frame and decide on it; a malformed frame gets an `error` reply."""
    try:
        frame = parse_client_frame(raw)
    except ProtocolError as exc:
        return [Reply(error_frame(exc.code, exc.message, exc.client_id))]
    return decide(frame, ctx)


def decide(frame: ClientFrame, ctx: Context) -> list[Command]:
    """The commands that carry out `frame` from `ctx.member`, or one `error` reply refusing it."""
    rule: Rule[Any] = RULES[type(frame)]
    for check in rule.checks:
        refusal = check(frame, ctx)
        if refusal is not None:
            if isinstance(frame, SayFrame):  # so the sender can put the draft back
                refusal = refusal.model_copy(update={"client_id": frame.client_id})
            return [Reply(refusal)]
    return rule.handler(frame, ctx)


def departure(member: Member) -> list[Command]:
    """What leaving means: hand down, floor released, gone. Also for a reconnect that timed out."""
    return [LowerHand(member.user_id), ReleaseFloor(member.user_id), Depart(member)]


def _say(frame: SayFrame, ctx: Context) -> list[Command]:
    event = MessageEvent(id=ctx.new_id(), author=_person(ctx.member), text=frame.text, ts=ctx.now_ms)
    return [Publish(event, client_id=frame.client_id)]


def _react(frame: ReactFrame, ctx: Context) -> list[Command]:
    event = ReactionEvent(message_id=frame.message_id, reaction=frame.reaction, by=_person(ctx.member))
    return [Publish(event)]


def _raise_hand(frame: RaiseHandFrame, ctx: Context) -> list[Command]:
    return [RaiseHand(ctx.member.user_id)]


def _lower_hand(frame: LowerHandFrame, ctx: Context) -> list[Command]:
    return [LowerHand(ctx.member.user_id)]


def _pass(frame: PassFrame, ctx: Context) -> list[Command]:
    # ReleaseFloor is conditional, so this is right even if the snapshot is already stale.
    return [LowerHand(ctx.member.user_id), ReleaseFloor(ctx.member.user_id)]


def _leave(frame: LeaveFrame, ctx: Context) -> list[Command]:
    return [*departure(ctx.member), Close(CloseCode.normal, "left")]


def _ping(frame: PingFrame, ctx: Context) -> list[Command]:
    return [Reply(PongFrame())]


def _resync(frame: ResyncFrame, ctx: Context) -> list[Command]:
    return [Replay(frame.after_seq)]


RULES: dict[type[ClientFrame], Rule[Any]] = {
    SayFrame: Rule(_say),
    ReactFrame: Rule(_react),
    RaiseHandFrame: Rule(_raise_hand),
    LowerHandFrame: Rule(_lower_hand),
    PassFrame: Rule(_pass),
    LeaveFrame: Rule(_leave),
    PingFrame: Rule(_ping),
    ResyncFrame: Rule(_resync),
}


# --- events and replies the driver builds after executing a command ---------------------------


def welcome(member: Member, room: RoomSnapshot) -> WelcomeFrame:
    """The first frame on a new connection: who you are and the room as it stands."""
    members = tuple(
        PresentMember(id=p.member.user_id, name=p.member.name, role=p.member.role, status=p.status)
        for p in room.members
    )
    state = RoomState(
        members=members,
        hands=room.hands,
        floor=room.floor,
        locked=room.locked,
        slow_mode=room.slow_mode,
        seq=room.seq,
    )
    return WelcomeFrame(you=_room_member(member), room=state)


def presence_event(kind: PresenceKind, member: Member) -> PresenceEvent:
    return PresenceEvent(kind=kind, member=_room_member(member))


def hand_event(hands: Iterable[int]) -> HandEvent:
    """The whole hand queue after a change, oldest first."""
    return HandEvent(hands=tuple(hands))


def floor_event(holder: int | None) -> FloorEvent:
    return FloorEvent(holder=holder)


def missed() -> MissedFrame:
    return MissedFrame()


def replayed() -> ReplayedFrame:
    return ReplayedFrame()


def ended() -> EndedEvent:
    return EndedEvent()


def _person(member: Member) -> Person:
    return Person(id=member.user_id, name=member.name)


def _room_member(member: Member) -> RoomMember:
    return RoomMember(id=member.user_id, name=member.name, role=member.role)
