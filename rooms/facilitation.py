"""What facilitators' frames do: pure handlers returning commands (see `rooms.commands`).

Each handler runs after its checks (`rooms.checks`) passed, so it may assume the sender may
act and, for frames aimed at a person, that the person is in the room and outranked. The room
hears a neutral line where it should ("A member was removed by a facilitator": never who or
why); the person concerned is told privately; the audit records that it happened.
"""

from __future__ import annotations

from moderation.audit import AuditAction
from moderation.text import InvalidMessage, normalize_message
from rooms import rounds
from rooms.commands import (
    Audit,
    Ban,
    Command,
    Context,
    Deliver,
    EndMeeting,
    Kick,
    LowerHand,
    Pin,
    Publish,
    RefreshStaff,
    Reply,
    SetFlag,
    SetFloor,
    SetMark,
)
from rooms.protocol import (
    AdmitFrame,
    AdmittedFrame,
    AnnounceFrame,
    Announcement,
    BanFrame,
    CloseCode,
    CloseReason,
    DeleteMessageFrame,
    ErrorCode,
    FacilitatedModeFrame,
    GiveFloorFrame,
    MessageChange,
    MessageChangeEvent,
    MutedFrame,
    MuteFrame,
    NoticeEvent,
    NoticeKind,
    Person,
    PrivateMessageFrame,
    RemoveFrame,
    ReplyPrivatelyFrame,
    RestoreMessageFrame,
    RoundEvent,
    RoundStartFrame,
    SettingsEvent,
    SlowModeFrame,
    ToWaitingRoomFrame,
    UnmutedFrame,
    UnmuteFrame,
    error_frame,
)
from rooms.state.base import Flag, Mark

NOBODY_TO_SHARE = (
    "Nobody here can take a turn yet (facilitators and members who are just listening are skipped)."
)
NOBODY_WAITING = "Nobody by that id is in the waiting room."


def settings(
    ctx: Context, *, locked: bool | None = None, slow: int | None = None, facilitated: bool | None = None
) -> Publish:
    """The `settings` event after a change (the others as the room has them now)."""
    room = ctx.room
    return Publish(
        SettingsEvent(
            locked=room.locked if locked is None else locked,
            slow_mode=room.slow_mode if slow is None else slow,
            facilitated=room.facilitated if facilitated is None else facilitated,
        )
    )


def mute(frame: MuteFrame, ctx: Context) -> list[Command]:
    until = ctx.now_ms + frame.minutes * 60_000 if frame.minutes else 0
    reason = f"{frame.minutes} min" if frame.minutes else "until unmuted"
    return [
        SetMark(Mark.muted, frame.user_id, str(until)),
        Deliver(frame.user_id, MutedFrame(until=until or None)),
        Audit(AuditAction.mute, frame.user_id, reason),
        RefreshStaff(),
    ]


def unmute(frame: UnmuteFrame, ctx: Context) -> list[Command]:
    return [
        SetMark(Mark.muted, frame.user_id, None),
        Deliver(frame.user_id, UnmutedFrame()),
        Audit(AuditAction.unmute, frame.user_id),
        RefreshStaff(),
    ]


def _send_off(user_id: int, reason: CloseReason) -> list[Command]:
    """Out of the room now, on every process; the room hears a neutral line, not who or why."""
    return [
        SetMark(Mark.removed, user_id, "1"),
        Kick(user_id, CloseCode.not_allowed, reason),
        Publish(NoticeEvent(kind=NoticeKind.removed)),
    ]


def remove(frame: RemoveFrame, ctx: Context) -> list[Command]:
    return [
        *_send_off(frame.user_id, CloseReason.removed),
        Audit(AuditAction.remove, frame.user_id, frame.reason),
    ]


def ban(frame: BanFrame, ctx: Context) -> list[Command]:
    return [Ban(frame.user_id, frame.reason), *_send_off(frame.user_id, CloseReason.banned)]


def lock(locked: bool):  # type: ignore[no-untyped-def]
    def handle(frame: object, ctx: Context) -> list[Command]:
        return [
            SetFlag(Flag.locked, "1" if locked else None),
            settings(ctx, locked=locked),
            Audit(AuditAction.lock if locked else AuditAction.unlock),
        ]

    return handle


def slow_mode(frame: SlowModeFrame, ctx: Context) -> list[Command]:
    value = str(frame.seconds) if frame.seconds else None
    return [
        SetFlag(Flag.slow, value),
        settings(ctx, slow=frame.seconds),
        Audit(AuditAction.slow_mode, reason=f"{frame.seconds} s" if frame.seconds else "off"),
    ]


def facilitated_mode(frame: FacilitatedModeFrame, ctx: Context) -> list[Command]:
    commands: list[Command] = [
        SetFlag(Flag.facilitated, "1" if frame.on else None),
        settings(ctx, facilitated=frame.on),
        Audit(AuditAction.facilitated_mode, reason="on" if frame.on else "off"),
    ]
    if not frame.on and ctx.room.round is not None:
        commands += round_stop(None, ctx)
    return commands


def give_floor(frame: GiveFloorFrame, ctx: Context) -> list[Command]:
    return [SetFloor(frame.user_id), LowerHand(frame.user_id)]


def take_floor(frame: object, ctx: Context) -> list[Command]:
    return [SetFloor(None)]


def message_change(change: MessageChange, action: AuditAction):  # type: ignore[no-untyped-def]
    def handle(frame: DeleteMessageFrame | RestoreMessageFrame, ctx: Context) -> list[Command]:
        return [Publish(MessageChangeEvent(message_id=frame.message_id, change=change)), Audit(action)]

    return handle


def announce(frame: AnnounceFrame, ctx: Context) -> list[Command]:
    if not frame.text.strip():
        return [Pin(None), Audit(AuditAction.announce, reason="unpinned")]
    try:
        text = normalize_message(frame.text)
    except InvalidMessage as exc:
        return [Reply(error_frame(ErrorCode.invalid_message, exc.message))]
    by = Person(id=ctx.member.user_id, name=ctx.member.name)
    return [Pin(Announcement(text=text, by=by)), Audit(AuditAction.announce)]


def end(frame: object, ctx: Context) -> list[Command]:
    return [EndMeeting()]


def admit(frame: AdmitFrame, ctx: Context) -> list[Command]:
    waiting = [m.user_id for m in ctx.room.waiting]
    if frame.user_id is not None:
        if frame.user_id not in waiting:
            return [Reply(error_frame(ErrorCode.not_found, NOBODY_WAITING))]
        waiting = [frame.user_id]
    commands: list[Command] = []
    for uid in waiting:
        commands += [
            SetMark(Mark.waiting, uid, None),
            SetMark(Mark.admitted, uid, "1"),
            Deliver(uid, AdmittedFrame()),
            Audit(AuditAction.admit, uid),
        ]
    return [*commands, RefreshStaff()]


def to_waiting_room(frame: ToWaitingRoomFrame, ctx: Context) -> list[Command]:
    return [
        SetMark(Mark.admitted, frame.user_id, "0"),  # "0": held, even in a group without a waiting room
        Kick(frame.user_id, CloseCode.to_waiting_room, CloseReason.waiting_room),
        Publish(NoticeEvent(kind=NoticeKind.to_waiting_room)),
        Audit(AuditAction.to_waiting_room, frame.user_id),
    ]


def round_start(frame: RoundStartFrame, ctx: Context) -> list[Command]:
    plan = rounds.start(ctx.room, seconds_per_turn=frame.seconds_per_turn, now_ms=ctx.now_ms)
    if plan is None:
        return [Reply(error_frame(ErrorCode.not_found, NOBODY_TO_SHARE))]
    commands: list[Command] = []
    if not ctx.room.facilitated:  # a round is the structured form of facilitated mode
        commands += [SetFlag(Flag.facilitated, "1"), settings(ctx, facilitated=True)]
    return [*commands, *_turn(plan)]


def round_next(frame: object, ctx: Context) -> list[Command]:
    plan = rounds.parse(ctx.room.round)
    if plan is None:
        return [Reply(error_frame(ErrorCode.not_found, "No sharing round is running."))]
    following = rounds.advance(plan, ctx.room, now_ms=ctx.now_ms)
    return round_stop(None, ctx) if following is None else _turn(following)


def round_stop(frame: object, ctx: Context) -> list[Command]:
    return [SetFlag(Flag.round, None), SetFloor(None), Publish(RoundEvent(round=None))]


def _turn(plan: rounds.RoundPlan) -> list[Command]:
    return [
        SetFlag(Flag.round, rounds.dump(plan)),
        SetFloor(plan.turn),
        LowerHand(plan.turn),
        Publish(RoundEvent(round=plan.public())),
    ]


def reply_privately(frame: ReplyPrivatelyFrame, ctx: Context) -> list[Command]:
    target = ctx.room.member(frame.user_id)
    assert target is not None  # `present` checked it
    note = PrivateMessageFrame(
        sender=Person(id=ctx.member.user_id, name=ctx.member.name),
        member=Person(id=target.user_id, name=target.name),
        text=frame.text,
        ts=ctx.now_ms,
    )
    return [Deliver(frame.user_id, note), Deliver("staff", note)]
