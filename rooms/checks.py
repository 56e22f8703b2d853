"""The checks a frame must pass before the core acts on it. Pure: each takes the frame and the
`Context` and returns an `ErrorFrame` refusing it (shown to the sender only) or None.

A `say` passes, in order: not muted, the member's turn in facilitated mode, slow mode, flood
control (rate, then repeats), contact details, blocked terms. Facilitators, hosts and admins
are exempt from the automatic rules (they may need to share a crisis line's number or link, or
post a reading in several parts) but not from a mute by someone who outranks them.
Facilitator frames pass `staff(action)` (the permission model of `moderation.permissions`) and,
when aimed at a person, `present` and `outranks(action)`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from moderation.filters import BLOCKED_TERM_REASON, BlockedTerms, find_personal_info
from moderation.flood import (
    RATE_LIMITED_CODE,
    RATE_LIMITED_REASON,
    REPEAT_REASON,
    RateLimit,
    TokenBucket,
    message_digest,
    whole_seconds,
)
from moderation.permissions import Action, may_in_room
from rooms.commands import Context, Flood
from rooms.protocol import ErrorCode, ErrorFrame, error_frame
from rooms.types import RoomPolicy

Check = Callable[[Any, Context], ErrorFrame | None]

FORBIDDEN = "Only a facilitator can do that."
VISITOR = "As a visitor you can listen and react. Join the group to share."
OUTRANKED = "You can't do that to this person."
NOT_HERE = "That member isn't in the room."
NOT_YOUR_TURN = (
    "The group is sharing one at a time: raise your hand and a facilitator will give you the floor."
)
SLOW_MODE = "Slow mode is on: please wait a moment before your next message."
MUTED_UNTIL_UNMUTED = "A facilitator muted you until they unmute you. You can still react."
BLOCKED_TERM = BLOCKED_TERM_REASON


@lru_cache(maxsize=256)
def blocked_terms(terms: tuple[str, ...]) -> BlockedTerms:
    """A group's compiled blocked terms (compiled once per distinct list)."""
    return BlockedTerms.compile(terms)


@lru_cache(maxsize=256)
def rate_limit(messages: int, seconds: int) -> RateLimit:
    return RateLimit(messages=messages, per_seconds=float(seconds), burst=messages)


def not_muted(frame: Any, ctx: Context) -> ErrorFrame | None:
    until = ctx.room.muted.get(ctx.member.user_id)
    if until is None or 0 < until <= ctx.now_ms:
        return None
    if until == 0:
        return error_frame(
            ErrorCode.muted, "A facilitator muted you until they unmute you. You can still react."
        )
    when = datetime.fromtimestamp(until / 1000, UTC).strftime("%H:%M UTC")
    refusal = error_frame(ErrorCode.muted, f"A facilitator muted you until {when}. You can still react.")
    return refusal.model_copy(update={"until": until})


def your_turn(frame: Any, ctx: Context) -> ErrorFrame | None:
    room, uid = ctx.room, ctx.member.user_id
    if not room.facilitated or ctx.member.staff or room.floor == uid:
        return None
    return error_frame(ErrorCode.not_your_turn, NOT_YOUR_TURN)


def slow_mode(frame: Any, ctx: Context) -> ErrorFrame | None:
    if not ctx.room.slow_mode or ctx.member.staff or not ctx.flood.last_say_ms:
        return None
    wait_ms = ctx.flood.last_say_ms + ctx.room.slow_mode * 1000 - ctx.now_ms
    if wait_ms <= 0:
        return None
    return error_frame(ErrorCode.slow_mode, SLOW_MODE).model_copy(
        update={"retry_after": whole_seconds(wait_ms / 1000)}
    )


def next_flood(text: str, ctx: Context) -> tuple[Flood, ErrorFrame | None]:
    """The member's flood state after sending `text` now, or their unchanged state and a refusal."""
    now, limit = ctx.now_ms / 1000, policy_rate(ctx.policy)
    flood = ctx.flood
    decision = (flood.bucket or TokenBucket.full(now, limit)).allow(now, limit)
    if not decision.allowed:
        refusal = error_frame(RATE_LIMITED_CODE, RATE_LIMITED_REASON)
        return flood, refusal.model_copy(update={"retry_after": whole_seconds(decision.retry_after)})
    digest = message_digest(text)
    repeat = flood.recent.check(digest, now)
    if repeat.repeated:
        refusal = error_frame(RATE_LIMITED_CODE, REPEAT_REASON)
        return flood, refusal.model_copy(update={"retry_after": whole_seconds(repeat.retry_after)})
    return Flood(decision.state, flood.recent.record(digest, now), ctx.now_ms), None


def policy_rate(policy: RoomPolicy) -> RateLimit:
    return rate_limit(max(policy.rate_messages, 1), max(policy.rate_seconds, 1))


def flood_control(frame: Any, ctx: Context) -> ErrorFrame | None:
    return None if ctx.member.staff else next_flood(frame.text, ctx)[1]


def contact_details(frame: Any, ctx: Context) -> ErrorFrame | None:
    if ctx.member.staff:
        return None
    names = [p.member.name for p in ctx.room.members]
    found = find_personal_info(frame.text, allow_links=ctx.policy.allow_links, member_names=names)
    return None if found is None else error_frame(ErrorCode.personal_info, found.reason)


def terms(frame: Any, ctx: Context) -> ErrorFrame | None:
    if ctx.member.staff or not ctx.policy.blocked_terms:
        return None
    if blocked_terms(ctx.policy.blocked_terms).matches(frame.text):
        return error_frame(ErrorCode.blocked_term, BLOCKED_TERM)
    return None


def member(action: Action) -> Check:
    """Refuse a visitor (who listens and reacts) what members do: share, raise a hand."""

    def check(frame: Any, ctx: Context) -> ErrorFrame | None:
        if may_in_room(action, actor_role=ctx.member.role):
            return None
        return error_frame(ErrorCode.forbidden, VISITOR)

    return check


SAY_CHECKS: tuple[Check, ...] = (
    member(Action.say),
    not_muted,
    your_turn,
    slow_mode,
    flood_control,
    contact_details,
    terms,
)


def staff(action: Action) -> Check:
    """Refuse unless the sender's room role may take `action`."""

    def check(frame: Any, ctx: Context) -> ErrorFrame | None:
        if may_in_room(action, actor_role=ctx.member.role):
            return None
        return error_frame(ErrorCode.forbidden, FORBIDDEN)

    return check


def present(frame: Any, ctx: Context) -> ErrorFrame | None:
    """The frame's `user_id` names someone in the room (present or reconnecting)."""
    if ctx.room.member(frame.user_id) is None:
        return error_frame(ErrorCode.not_found, NOT_HERE)
    return None


def outranks(action: Action) -> Check:
    """Refuse unless the sender outranks the person the frame is aimed at (run after `present`)."""

    def check(frame: Any, ctx: Context) -> ErrorFrame | None:
        target = ctx.room.member(frame.user_id)
        role = target.role if target is not None else None
        if frame.user_id != ctx.member.user_id and may_in_room(
            action, actor_role=ctx.member.role, target_role=role
        ):
            return None
        return error_frame(ErrorCode.forbidden, OUTRANKED)

    return check


def aimed(action: Action) -> tuple[Check, ...]:
    """The checks of a facilitator frame aimed at a person."""
    return (staff(action), present, outranks(action))
