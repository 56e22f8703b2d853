"""The room's decisions: what to do about one member's frame. Pure: no I/O, no clock, no dice.

The endpoint (the I/O driver) calls `receive(raw, ctx)` for each text frame, or `decide(frame,
ctx)` with a frame it already parsed, and executes the returned commands in order (what each
command means is in `rooms.commands`). A `Publish` of an event is encoded once with
`event_json(event)`; each connection gets `frame_text(js, seq)`, and the author of a message
`author_frame_text(js, seq, client_id)`: remember `event.id -> client_id` before publishing.

Each frame type has one row in `RULES`: its handler and the checks it must pass first
(`rooms.checks`). A check returns an `ErrorFrame` to refuse the frame, shown to its sender only,
or None to let it through. Facilitator frames are handled in `rooms.facilitation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from moderation.audit import AuditAction
from moderation.crisis import assess
from moderation.permissions import Action
from rooms import checks, facilitation, rounds
from rooms.commands import (
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
    new_message_id,
)
from rooms.protocol import (
    AdmitFrame,
    AlertFrame,
    AnnounceFrame,
    AskFacilitatorFrame,
    BanFrame,
    BlockedFrame,
    BlockFrame,
    ClientFrame,
    CloseCode,
    DeleteMessageFrame,
    EndedEvent,
    EndFrame,
    ErrorCode,
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
    MessageEvent,
    MissedFrame,
    MuteFrame,
    PassFrame,
    PingFrame,
    PongFrame,
    PresenceEvent,
    PresenceKind,
    PrivateMessageFrame,
    ProtocolError,
    RaiseHandFrame,
    ReactFrame,
    ReactionEvent,
    RemoveFrame,
    ReplayedFrame,
    ReplyPrivatelyFrame,
    ReportFrame,
    RestoreMessageFrame,
    ResyncFrame,
    RoundNextFrame,
    RoundStartFrame,
    RoundStopFrame,
    SayFrame,
    SlowModeFrame,
    TakeFloorFrame,
    ToWaitingRoomFrame,
    UnblockFrame,
    UnlockFrame,
    UnmuteFrame,
    error_frame,
    parse_client_frame,
)
from rooms.state.base import Mark
from rooms.types import Member, PresenceStatus
from rooms.views import moderation_view, person, resources_frame, room_member, welcome

# Commands are re-exported: the driver and tests know them as `core.Reply` and so on.
__all__ = [
    "RULES",
    "Audit",
    "Block",
    "Close",
    "Command",
    "Context",
    "Deliver",
    "Depart",
    "LowerHand",
    "Publish",
    "RaiseHand",
    "RefreshStaff",
    "ReleaseFloor",
    "Replay",
    "Reply",
    "Report",
    "Rule",
    "SetFlag",
    "SetFloor",
    "SetMark",
    "Spoke",
    "decide",
    "departure",
    "moderation_view",
    "new_message_id",
    "receive",
    "welcome",
]

F = TypeVar("F", bound=ClientFrame)
Handler = Callable[[F, Context], list[Command]]

NO_FACILITATOR = "No facilitator is in the room right now. If you need help now, these can help."
NO_SELF = "You can't do that to yourself."
NO_BLOCKING_STAFF = "Facilitators can't be blocked. You can leave the meeting or contact the group's host."


@dataclass(frozen=True)
class Rule(Generic[F]):
    """How one frame type is handled: `checks` run in order; the first refusal wins."""

    handler: Handler[F]
    checks: tuple[checks.Check, ...] = ()


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
            if not isinstance(frame, SayFrame):
                return [Reply(refusal)]
            # The sender can put the draft back; and a refused message may still show a person
            # in crisis (muted, out of turn...): help reaches them all the same.
            refusal = refusal.model_copy(update={"client_id": frame.client_id})
            return [Reply(refusal), *_crisis_care(frame.text, ctx)]
    return rule.handler(frame, ctx)


def departure(member: Member) -> list[Command]:
    """What leaving means: hand down, floor released, gone. Also for a reconnect that timed out."""
    return [LowerHand(member.user_id), ReleaseFloor(member.user_id), Depart(member)]


# --- members' frames ----------------------------------------------------------------------------


def _say(frame: SayFrame, ctx: Context) -> list[Command]:
    flood, _ = checks.next_flood(frame.text, ctx)
    event = MessageEvent(id=ctx.new_id(), author=person(ctx.member), text=frame.text, ts=ctx.now_ms)
    # Still delivered when it may show a crisis: silencing someone in pain is wrong.
    return [Spoke(flood), Publish(event, client_id=frame.client_id), *_crisis_care(frame.text, ctx)]


def _crisis_care(text: str, ctx: Context) -> list[Command]:
    """When a member's words may show a crisis: help goes to them, privately; the facilitators
    learn who, never what; the audit counts it, attributed to nobody."""
    if ctx.member.staff or assess(text) is None:
        return []
    return [
        Reply(resources_frame(ctx)),
        Deliver("staff", AlertFrame(user_id=ctx.member.user_id)),
        Audit(AuditAction.crisis_alert, anonymous=True),
    ]


def _react(frame: ReactFrame, ctx: Context) -> list[Command]:
    event = ReactionEvent(message_id=frame.message_id, reaction=frame.reaction, by=person(ctx.member))
    return [Publish(event)]


def _raise_hand(frame: RaiseHandFrame, ctx: Context) -> list[Command]:
    if ctx.member.user_id in ctx.room.hands:
        return []
    return [RaiseHand(ctx.member.user_id)]


def _lower_hand(frame: LowerHandFrame, ctx: Context) -> list[Command]:
    if ctx.member.user_id not in ctx.room.hands:
        return []
    return [LowerHand(ctx.member.user_id)]


def _pass(frame: PassFrame, ctx: Context) -> list[Command]:
    uid = ctx.member.user_id
    plan = rounds.parse(ctx.room.round)
    if plan is not None and plan.turn == uid:  # passing one's turn moves the round on
        return [LowerHand(uid), *facilitation.round_next(frame, ctx)]
    # ReleaseFloor is conditional, so this is right even if the snapshot is already stale.
    return [LowerHand(uid), ReleaseFloor(uid)]


def _leave(frame: LeaveFrame, ctx: Context) -> list[Command]:
    return [*departure(ctx.member), Close(CloseCode.normal, "left")]


def _ping(frame: PingFrame, ctx: Context) -> list[Command]:
    return [Reply(PongFrame())]


def _resync(frame: ResyncFrame, ctx: Context) -> list[Command]:
    return [Replay(frame.after_seq)]


def _listening(frame: ListeningFrame, ctx: Context) -> list[Command]:
    uid = ctx.member.user_id
    return [
        SetMark(Mark.listening, uid, "1" if frame.on else None),
        Deliver(uid, ListeningStateFrame(on=frame.on)),
        RefreshStaff(),
    ]


def _report(frame: ReportFrame, ctx: Context) -> list[Command]:
    return [Report(frame.message_id, frame.reason)]


def _block(blocked: bool) -> Handler[BlockFrame | UnblockFrame]:
    def handle(frame: BlockFrame | UnblockFrame, ctx: Context) -> list[Command]:
        uid, target = ctx.member.user_id, ctx.room.member(frame.user_id)
        if frame.user_id == uid:
            return [Reply(error_frame(ErrorCode.forbidden, NO_SELF))]
        if blocked and target is not None and target.staff:
            return [Reply(error_frame(ErrorCode.forbidden, NO_BLOCKING_STAFF))]
        now = ctx.blocks | {frame.user_id} if blocked else ctx.blocks - {frame.user_id}
        return [Block(frame.user_id, blocked), Deliver(uid, BlockedFrame(user_ids=tuple(sorted(now))))]

    return handle


def _ask_facilitator(frame: AskFacilitatorFrame, ctx: Context) -> list[Command]:
    staff_here = any(
        p.member.staff and p.status == PresenceStatus.present and p.member.user_id != ctx.member.user_id
        for p in ctx.room.members
    )
    if not staff_here:
        return [Reply(error_frame(ErrorCode.no_facilitator, NO_FACILITATOR)), Reply(resources_frame(ctx))]
    me = person(ctx.member)
    note = PrivateMessageFrame(sender=me, member=me, text=frame.text, ts=ctx.now_ms)
    flood, _ = checks.next_flood(frame.text, ctx)  # the private line counts against flood control
    return [Spoke(flood), Deliver("staff", note), Deliver(ctx.member.user_id, note)]


_lock, _unlock = facilitation.lock(True), facilitation.lock(False)
_delete = facilitation.message_change(MessageChange.deleted, AuditAction.delete_message)
_restore = facilitation.message_change(MessageChange.restored, AuditAction.restore_message)
_round = checks.staff(Action.run_round)

RULES: dict[type[ClientFrame], Rule[Any]] = {
    SayFrame: Rule(_say, checks.SAY_CHECKS),
    ReactFrame: Rule(_react),
    RaiseHandFrame: Rule(_raise_hand, (checks.member(Action.raise_hand),)),
    LowerHandFrame: Rule(_lower_hand),
    PassFrame: Rule(_pass),
    LeaveFrame: Rule(_leave),
    PingFrame: Rule(_ping),
    ResyncFrame: Rule(_resync),
    ListeningFrame: Rule(_listening),
    ReportFrame: Rule(_report),
    BlockFrame: Rule(_block(True)),
    UnblockFrame: Rule(_block(False)),
    AskFacilitatorFrame: Rule(_ask_facilitator, (checks.flood_control,)),
    MuteFrame: Rule(facilitation.mute, checks.aimed(Action.mute)),
    UnmuteFrame: Rule(facilitation.unmute, checks.aimed(Action.unmute)),
    RemoveFrame: Rule(facilitation.remove, checks.aimed(Action.remove)),
    BanFrame: Rule(facilitation.ban, checks.aimed(Action.ban)),
    ToWaitingRoomFrame: Rule(facilitation.to_waiting_room, checks.aimed(Action.to_waiting_room)),
    LockFrame: Rule(_lock, (checks.staff(Action.lock),)),
    UnlockFrame: Rule(_unlock, (checks.staff(Action.lock),)),
    SlowModeFrame: Rule(facilitation.slow_mode, (checks.staff(Action.slow_mode),)),
    FacilitatedModeFrame: Rule(facilitation.facilitated_mode, (checks.staff(Action.facilitated_mode),)),
    GiveFloorFrame: Rule(facilitation.give_floor, (checks.staff(Action.give_floor), checks.present)),
    TakeFloorFrame: Rule(facilitation.take_floor, (checks.staff(Action.give_floor),)),
    DeleteMessageFrame: Rule(_delete, (checks.staff(Action.delete_message),)),
    RestoreMessageFrame: Rule(_restore, (checks.staff(Action.delete_message),)),
    AnnounceFrame: Rule(facilitation.announce, (checks.staff(Action.announce),)),
    EndFrame: Rule(facilitation.end, (checks.staff(Action.end_meeting),)),
    AdmitFrame: Rule(facilitation.admit, (checks.staff(Action.admit),)),
    RoundStartFrame: Rule(facilitation.round_start, (_round,)),
    RoundNextFrame: Rule(facilitation.round_next, (_round,)),
    RoundStopFrame: Rule(facilitation.round_stop, (_round,)),
    ReplyPrivatelyFrame: Rule(
        facilitation.reply_privately, (checks.staff(Action.reply_privately), checks.present)
    ),
}


# --- frames the driver builds -----------------------------------------------------------------


def presence_event(kind: PresenceKind, member: Member) -> PresenceEvent:
    return PresenceEvent(kind=kind, member=room_member(member))


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
