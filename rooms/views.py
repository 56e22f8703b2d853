"""What members see of the room, built from a state snapshot: the `welcome` frame, the
facilitators' `moderation` view, the crisis `resources` card. Pure."""

from __future__ import annotations

from collections.abc import Iterable

from rooms import rounds
from rooms.commands import Context
from rooms.protocol import (
    Announcement,
    ModerationFrame,
    Mute,
    MutedEntry,
    Person,
    PresentMember,
    ResourceItem,
    ResourcesFrame,
    RoomMember,
    RoomState,
    WelcomeFrame,
)
from rooms.types import Member, RoomSnapshot


def welcome(
    member: Member,
    room: RoomSnapshot,
    *,
    now_ms: int = 0,
    announcement: Announcement | None = None,
    blocks: Iterable[int] = (),
) -> WelcomeFrame:
    """The first frame of a member in the room: who you are, the room as it stands, your marks."""
    members = tuple(
        PresentMember(id=p.member.user_id, name=p.member.name, role=p.member.role, status=p.status)
        for p in room.members
    )
    plan = rounds.parse(room.round)
    state = RoomState(
        members=members,
        hands=room.hands,
        floor=room.floor,
        locked=room.locked,
        slow_mode=room.slow_mode,
        seq=room.seq,
        facilitated=room.facilitated,
        round=None if plan is None else plan.public(),
        announcement=announcement,
    )
    until = room.muted.get(member.user_id)
    muted = None if until is None or 0 < until <= now_ms else Mute(until=until or None)
    return WelcomeFrame(
        you=room_member(member),
        room=state,
        muted=muted,
        listening=member.user_id in room.listening,
        blocked=tuple(sorted(blocks)),
    )


def moderation_view(room: RoomSnapshot, *, now_ms: int) -> ModerationFrame:
    """What facilitators see of the room's marks: mutes still running, listeners, the waiting room."""
    muted = tuple(
        MutedEntry(user_id=uid, until=until or None)
        for uid, until in sorted(room.muted.items())
        if until == 0 or until > now_ms
    )
    waiting = tuple(room_member(m) for m in room.waiting)
    return ModerationFrame(muted=muted, listening=tuple(sorted(room.listening)), waiting=waiting)


def resources_frame(ctx: Context) -> ResourcesFrame:
    items = tuple(
        ResourceItem(name=r.name, contact=r.contact, description=r.description, url=r.url)
        for r in ctx.resources.resources
    )
    return ResourcesFrame(intro=ctx.resources.intro, resources=items)


def person(member: Member) -> Person:
    return Person(id=member.user_id, name=member.name)


def room_member(member: Member) -> RoomMember:
    return RoomMember(id=member.user_id, name=member.name, role=member.role)
