"""Sharing rounds: walk the members present in turn, hand queue first. Pure.

A facilitator starts a round (`start`); each turn gives the floor to the next member in
`order`, skipping anyone who has left or marked themselves "just listening today" since the
round began; `advance` moves on (the facilitator's `round_next`, or the member's `pass`) and
returns None when everyone has had their turn. The round is kept in the state store as JSON
(`dump` / `parse`), so every process sees the same one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rooms.protocol import Round
from rooms.types import PresenceStatus, RoomRole, RoomSnapshot


@dataclass(frozen=True)
class RoundPlan:
    order: tuple[int, ...]  # user ids in turn order
    index: int  # whose turn: order[index]
    seconds_per_turn: int  # 0: untimed
    turn_started_ms: int

    @property
    def turn(self) -> int:
        return self.order[self.index]

    def public(self) -> Round:
        """The round as members see it."""
        ends = self.turn_started_ms + self.seconds_per_turn * 1000 if self.seconds_per_turn else None
        return Round(
            order=self.order, turn=self.turn, turn_ends_at=ends, seconds_per_turn=self.seconds_per_turn
        )


def _can_share(room: RoomSnapshot, user_id: int) -> bool:
    member = next((p for p in room.members if p.member.user_id == user_id), None)
    return (
        member is not None
        and member.status == PresenceStatus.present
        and member.member.role == RoomRole.member
        and user_id not in room.listening
    )


def start(room: RoomSnapshot, *, seconds_per_turn: int, now_ms: int) -> RoundPlan | None:
    """A round over the members present (hands first, oldest first; then by user id), or None
    if nobody is here to share."""
    rest = [p.member.user_id for p in room.members]
    order = [uid for uid in (*room.hands, *rest) if _can_share(room, uid)]
    order = list(dict.fromkeys(order))  # a raised hand is not a second turn
    if not order:
        return None
    return RoundPlan(tuple(order), 0, seconds_per_turn, now_ms)


def advance(plan: RoundPlan, room: RoomSnapshot, *, now_ms: int) -> RoundPlan | None:
    """The next turn for someone still here and sharing, or None when the round is over."""
    for index in range(plan.index + 1, len(plan.order)):
        if _can_share(room, plan.order[index]):
            return RoundPlan(plan.order, index, plan.seconds_per_turn, now_ms)
    return None


def dump(plan: RoundPlan) -> str:
    return json.dumps(
        {"o": plan.order, "i": plan.index, "s": plan.seconds_per_turn, "t": plan.turn_started_ms},
        separators=(",", ":"),
    )


def parse(raw: str | None) -> RoundPlan | None:
    """The stored round, or None (also for anything malformed: a round is never worth a crash)."""
    if not raw:
        return None
    try:
        data = json.loads(raw)
        plan = RoundPlan(tuple(int(u) for u in data["o"]), int(data["i"]), int(data["s"]), int(data["t"]))
    except (ValueError, KeyError, TypeError, OverflowError, RecursionError):
        return None
    return plan if 0 <= plan.index < len(plan.order) else None
