"""The room's moderation rules as tables: each case is (frame, the room as it stands) -> the exact
commands the driver carries out, or the exact refusal its sender gets (code, sentence, and
`until` / `retry_after` where the refusal says when to try again).

The cast has two people of every room role, so that peers can be tried on each other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from moderation.audit import AuditAction, ReportReason
from moderation.filters import Kind, PersonalInfo
from moderation.flood import (
    RATE_LIMITED_REASON,
    REPEAT_REASON,
    RecentMessages,
    TokenBucket,
    message_digest,
)
from moderation.permissions import Standing, may_act_on, room_standing
from moderation.resources import CrisisResources, Resource
from rooms import rounds
from rooms.checks import (
    BLOCKED_TERM,
    FORBIDDEN,
    MUTED_UNTIL_UNMUTED,
    NOT_HERE,
    NOT_YOUR_TURN,
    OUTRANKED,
    SLOW_MODE,
)
from rooms.commands import Ban, EndMeeting, Flood, Kick, Pin
from rooms.core import (
    NO_BLOCKING_STAFF,
    NO_FACILITATOR,
    NO_SELF,
    RULES,
    Audit,
    Block,
    Command,
    Context,
    Deliver,
    LowerHand,
    Publish,
    RefreshStaff,
    ReleaseFloor,
    Reply,
    Report,
    SetFlag,
    SetFloor,
    SetMark,
    Spoke,
    decide,
)
from rooms.facilitation import NOBODY_TO_SHARE, NOBODY_WAITING
from rooms.protocol import (
    AdmitFrame,
    AdmittedFrame,
    AlertFrame,
    AnnounceFrame,
    Announcement,
    AskFacilitatorFrame,
    BanFrame,
    BlockedFrame,
    BlockFrame,
    ClientFrame,
    DeleteMessageFrame,
    EndFrame,
    ErrorFrame,
    FacilitatedModeFrame,
    GiveFloorFrame,
    LeaveFrame,
    ListeningFrame,
    ListeningStateFrame,
    LockFrame,
    LowerHandFrame,
    MessageChange,
    MessageChangeEvent,
    MessageEvent,
    MutedFrame,
    MuteFrame,
    NoticeEvent,
    NoticeKind,
    PassFrame,
    Person,
    PingFrame,
    PrivateMessageFrame,
    RaiseHandFrame,
    ReactFrame,
    Reaction,
    ReactionEvent,
    RemoveFrame,
    ReplyPrivatelyFrame,
    ReportFrame,
    ResourceItem,
    ResourcesFrame,
    RestoreMessageFrame,
    ResyncFrame,
    Round,
    RoundEvent,
    RoundNextFrame,
    RoundStartFrame,
    RoundStopFrame,
    SayFrame,
    SettingsEvent,
    SlowModeFrame,
    TakeFloorFrame,
    ToWaitingRoomFrame,
    UnblockFrame,
    UnlockFrame,
    UnmutedFrame,
    UnmuteFrame,
)
from rooms.state.base import Flag, Mark
from rooms.types import Member, Presence, PresenceStatus, RoomPolicy, RoomRole, RoomSnapshot

NOW = 1_700_000_000_123  # 2023-11-14 22:13:20.123 UTC
T = NOW / 1000  # the flood-control clock, in seconds

ADMIN, ADMIN_2 = Member(1, "Ada", RoomRole.admin), Member(11, "Ari", RoomRole.admin)
HOST, HOST_2 = Member(2, "Hana", RoomRole.host), Member(12, "Hugo", RoomRole.host)
FAC, FAC_2 = Member(3, "Alex", RoomRole.facilitator), Member(13, "Fern", RoomRole.facilitator)
ROBIN, JO = Member(7, "Robin", RoomRole.member), Member(8, "Jo", RoomRole.member)
VIC, VAL = Member(31, "Vic", RoomRole.visitor), Member(32, "Val", RoomRole.visitor)  # listen, react
KIM, LEE = Member(9, "Kim", RoomRole.member), Member(10, "Lee", RoomRole.member)  # in the waiting room
GONE = 99  # nobody by this id is in the room
PEOPLE = {  # room role -> (the one who acts, their peer)
    RoomRole.admin: (ADMIN, ADMIN_2),
    RoomRole.host: (HOST, HOST_2),
    RoomRole.facilitator: (FAC, FAC_2),
    RoomRole.member: (ROBIN, JO),
    RoomRole.visitor: (VIC, VAL),
}
ROLES = list(RoomRole)


def present(*members: Member) -> tuple[Presence, ...]:
    return tuple(Presence(m, PresenceStatus.present) for m in sorted(members, key=lambda m: m.user_id))


EVERYONE = (ADMIN, ADMIN_2, HOST, HOST_2, FAC, FAC_2, ROBIN, JO, VIC, VAL)
ROOM = RoomSnapshot(members=present(*EVERYONE), seq=50)
ALONE = RoomSnapshot(members=present(ROBIN), seq=50)
LOBBY = dataclasses.replace(ROOM, waiting=(KIM, LEE))  # Kim waited first


def room(**changes: Any) -> RoomSnapshot:
    return dataclasses.replace(ROOM, **changes)


def reconnecting(snapshot: RoomSnapshot, user_id: int) -> RoomSnapshot:
    members = tuple(
        Presence(p.member, PresenceStatus.reconnecting) if p.member.user_id == user_id else p
        for p in snapshot.members
    )
    return dataclasses.replace(snapshot, members=members)


def plan(*order: int, index: int = 0, seconds: int = 0) -> str:
    """A stored sharing round (as the state store holds it)."""
    return rounds.dump(rounds.RoundPlan(order, index, seconds, NOW - 60_000))


RESOURCES = CrisisResources(intro="Help is there.", resources=(Resource("Line", "Call 988", "Any time."),))
RESOURCES_FRAME = ResourcesFrame(
    intro="Help is there.",
    resources=(ResourceItem(name="Line", contact="Call 988", description="Any time."),),
)
DEFAULT_POLICY = RoomPolicy()
NOTHING_SENT = Flood()
LINKS_OK = RoomPolicy(allow_links=True)
TERMS = RoomPolicy(blocked_terms=("badword", "kill yourself"))


def ctx(
    member: Member = ROBIN,
    snapshot: RoomSnapshot = ROOM,
    *,
    policy: RoomPolicy = DEFAULT_POLICY,
    flood: Flood = NOTHING_SENT,
    blocks: frozenset[int] = frozenset(),
    now: int = NOW,
) -> Context:
    return Context(
        member=member,
        room=snapshot,
        now_ms=now,
        new_id=lambda: "msg-1",
        policy=policy,
        flood=flood,
        blocks=blocks,
        resources=RESOURCES,
    )


def person(member: Member) -> Person:
    return Person(id=member.user_id, name=member.name)


def refused(code: str, message: str, **extra: Any) -> list[Command]:
    return [Reply(ErrorFrame(code=code, message=message, **extra))]


def say(text: str) -> SayFrame:
    return SayFrame(text=text, client_id="c")


def said(
    text: str,
    member: Member = ROBIN,
    *,
    tokens: float = 4.0,
    before: tuple[tuple[float, bytes | None], ...] = (),
) -> list[Command]:
    """A relayed `say`: the sender's flood state after it (`tokens` left in the bucket, the
    message's digest remembered after `before`), then the message for everyone."""
    flood = Flood(TokenBucket(tokens, T), RecentMessages((*before, (T, message_digest(text)))), NOW)
    event = MessageEvent(id="msg-1", author=person(member), text=text, ts=NOW)
    return [Spoke(flood), Publish(event, client_id="c")]


def say_refused(code: str, message: str, **extra: Any) -> list[Command]:
    return refused(code, message, client_id="c", **extra)


def settings(*, locked: bool = False, slow: int = 0, facilitated: bool = False) -> Publish:
    return Publish(SettingsEvent(locked=locked, slow_mode=slow, facilitated=facilitated))


def turn(order: tuple[int, ...], index: int, *, seconds: int = 0) -> list[Command]:
    """Whose turn it is now, in a round over `order` (started or moved on at NOW)."""
    uid = order[index]
    stored = f'{{"o":[{",".join(map(str, order))}],"i":{index},"s":{seconds},"t":{NOW}}}'
    ends = NOW + seconds * 1000 if seconds else None
    public = Round(order=order, turn=uid, turn_ends_at=ends, seconds_per_turn=seconds)
    return [SetFlag(Flag.round, stored), SetFloor(uid), LowerHand(uid), Publish(RoundEvent(round=public))]


def slow(ms_ago: int, member: Member = ROBIN) -> Context:
    """In slow mode (30 s), the member's last message relayed `ms_ago`."""
    return ctx(member, room(slow_mode=30), flood=Flood(last_say_ms=NOW - ms_ago))


def sent(seconds_ago: float, text: str | None) -> Flood:
    """The flood state of someone who relayed `text` (None: a short one) `seconds_ago`."""
    digest = None if text is None else message_digest(text)
    return Flood(recent=RecentMessages(((T - seconds_ago, digest),)))


def contact(kind: Kind) -> list[Command]:
    return say_refused("personal_info", PersonalInfo(kind).reason)


ROUND_STOPS: list[Command] = [SetFlag(Flag.round, None), SetFloor(None), Publish(RoundEvent(round=None))]
BUCKET_EMPTY = Flood(bucket=TokenBucket(0.0, T))
HARD_WEEK = "I had a hard week at work"
IN_5_MIN = NOW + 5 * 60_000
MUTED = say_refused("muted", MUTED_UNTIL_UNMUTED)
BLOCKED = say_refused("blocked_term", BLOCKED_TERM)
CRISIS_CARE: list[Command] = [  # after Robin's message
    Reply(RESOURCES_FRAME),
    Deliver("staff", AlertFrame(user_id=7)),
    Audit(AuditAction.crisis_alert, anonymous=True),
]

# --- say: the checks, in order --------------------------------------------------------------------

SAY: list[tuple[str, ClientFrame, Context, list[Command]]] = [
    # (id, frame, situation, commands)
    # 1. muted
    ("muted-until-a-time", say("hello"), ctx(snapshot=room(muted={7: IN_5_MIN})),
     say_refused("muted", "A facilitator muted you until 22:18 UTC. You can still react.", until=IN_5_MIN)),
    ("muted-until-unmuted", say("hello"), ctx(snapshot=room(muted={7: 0})),
     MUTED),
    ("mute-ended", say("hello"), ctx(snapshot=room(muted={7: NOW - 1})), said("hello")),
    ("mute-ends-now", say("hello"), ctx(snapshot=room(muted={7: NOW})), said("hello")),
    ("someone-else-muted", say("hello"), ctx(snapshot=room(muted={8: 0})), said("hello")),
    # a host may mute a facilitator, and then the facilitator is muted like anyone
    ("muted-facilitator", say("hello"), ctx(FAC, room(muted={3: 0})), MUTED),
    # 2. facilitated mode: the floor holder and the facilitators speak
    ("facilitated-floor-elsewhere", say("hello"), ctx(snapshot=room(facilitated=True, floor=8)),
     say_refused("not_your_turn", NOT_YOUR_TURN)),
    ("facilitated-nobody-has-the-floor", say("hello"), ctx(snapshot=room(facilitated=True)),
     say_refused("not_your_turn", NOT_YOUR_TURN)),
    ("facilitated-floor-holder", say("hello"), ctx(snapshot=room(facilitated=True, floor=7)), said("hello")),
    *[(f"facilitated-{m.role}", say("hello"), ctx(m, room(facilitated=True, floor=8)), said("hello", m))
      for m in (FAC, HOST, ADMIN)],
    ("floor-means-nothing-unless-facilitated", say("hello"), ctx(snapshot=room(floor=8)), said("hello")),
    # 3. slow mode: seconds since the member's last relayed message, rounded up
    ("slow-mode-too-soon", say("hello"), slow(10_000), say_refused("slow_mode", SLOW_MODE, retry_after=20)),
    ("slow-mode-rounds-up", say("hello"), slow(29_500), say_refused("slow_mode", SLOW_MODE, retry_after=1)),
    ("slow-mode-waited", say("hello"), slow(30_000), said("hello")),
    ("slow-mode-first-message", say("hello"), ctx(snapshot=room(slow_mode=30)), said("hello")),
    ("slow-mode-off", say("hello"), ctx(flood=Flood(last_say_ms=NOW - 1)), said("hello")),
    ("slow-mode-spares-staff", say("hello"), slow(1, FAC), said("hello", FAC)),
    # 4. flood control: 5 in a burst, then one every 2 s (the group may set its own rate)
    ("bucket-empty", say("hello"), ctx(flood=BUCKET_EMPTY),
     say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=2)),
    ("bucket-half-full", say("hello"), ctx(flood=Flood(bucket=TokenBucket(0.5, T))),
     say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=1)),
    ("bucket-refilled", say("hello"), ctx(flood=Flood(bucket=TokenBucket(0.0, T - 2))),
     said("hello", tokens=0.0)),
    ("group-rate", say("hello"), ctx(flood=BUCKET_EMPTY, policy=RoomPolicy(rate_messages=2, rate_seconds=60)),
     say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=30)),
    # ... and no repeats of the last 3 messages within 60 s (punctuation and case aside)
    ("repeat", say("i had a HARD week at work!!"), ctx(flood=sent(10, HARD_WEEK)),
     say_refused("rate_limited", REPEAT_REASON, retry_after=50)),
    ("repeat-a-minute-later", say(HARD_WEEK), ctx(flood=sent(60, HARD_WEEK)), said(HARD_WEEK)),
    ("short-messages-may-repeat", say("thank you"), ctx(flood=sent(1, None)),
     said("thank you", before=((T - 1, None),))),

    # 5. contact details
    ("email", say("mail me at jane@example.org"), ctx(), contact("email")),
    ("email-spelled-out", say("jane at gmail dot com"), ctx(), contact("email")),
    ("phone", say("call me on 555 123 4567"), ctx(), contact("phone")),
    ("handle", say("add me on insta @robin_h"), ctx(), contact("handle")),
    ("link", say("see https://example.org/help"), ctx(), contact("link")),
    ("bare-domain", say("look at example.com"), ctx(), contact("link")),
    ("link-allowed-by-the-group", say("see https://example.org/help"), ctx(policy=LINKS_OK),
     said("see https://example.org/help")),
    ("profile-link-never-allowed", say("find me at instagram.com/robin"), ctx(policy=LINKS_OK),
     contact("handle")),
    ("email-even-when-links-allowed", say("jane@example.org"), ctx(policy=LINKS_OK), contact("email")),
    ("naming-someone-here", say("thanks @Alex"), ctx(), said("thanks @Alex")),
    *[(f"{m.role}-may-share-a-crisis-line", say("call 555 123 4567 or see https://988lifeline.org"), ctx(m),
       said("call 555 123 4567 or see https://988lifeline.org", m)) for m in (FAC, HOST, ADMIN)],
    # 6. the group's blocked terms: whole words, through leetspeak, spacing and punctuation
    ("blocked-term", say("what a badword"), ctx(policy=TERMS), BLOCKED),
    ("blocked-term-shouted", say("BADWORD!"), ctx(policy=TERMS), BLOCKED),
    ("blocked-term-leetspeak", say("what a b4dw0rd"), ctx(policy=TERMS), BLOCKED),
    ("blocked-term-spaced", say("b a d w o r d"), ctx(policy=TERMS), BLOCKED),
    ("blocked-term-dotted", say("b.a.d.w.o.r.d"), ctx(policy=TERMS), BLOCKED),
    ("blocked-phrase-run-together", say("just killyourself"), ctx(policy=TERMS), BLOCKED),
    ("blocked-term-inside-a-word", say("no badwords here"), ctx(policy=TERMS), said("no badwords here")),
    ("no-blocked-terms", say("what a badword"), ctx(), said("what a badword")),
    *[(f"blocked-terms-spare-{m.role}", say("what a b4dw0rd"), ctx(m, policy=TERMS),
       said("what a b4dw0rd", m)) for m in (FAC, HOST, ADMIN)],
    # the first refusal wins
    ("muted-before-not-your-turn", say("hello"), ctx(snapshot=room(muted={7: 0}, facilitated=True)),
     MUTED),
    ("not-your-turn-before-slow-mode", say("hello"),
     ctx(snapshot=room(facilitated=True, slow_mode=30), flood=Flood(last_say_ms=NOW - 1000)),
     say_refused("not_your_turn", NOT_YOUR_TURN)),
    ("slow-mode-before-flood-control", say("hello"),
     ctx(snapshot=room(slow_mode=30), flood=dataclasses.replace(BUCKET_EMPTY, last_say_ms=NOW - 1000)),
     say_refused("slow_mode", SLOW_MODE, retry_after=29)),
    ("flood-control-before-contact-details", say("jane@example.org"), ctx(flood=BUCKET_EMPTY),
     say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=2)),
    ("contact-details-before-blocked-terms", say("badword jane@example.org"), ctx(policy=TERMS),
     contact("email")),
    # crisis language: still relayed; help to the sender, a text-free alert to the facilitators,
    # and an audit entry attributed to nobody
    ("crisis", say("I don't want to be here anymore"), ctx(),
     [*said("I don't want to be here anymore"), *CRISIS_CARE]),
    ("crisis-with-no-facilitator-here", say("I want to die"), ctx(snapshot=ALONE),
     [*said("I want to die"), *CRISIS_CARE]),
    ("an-idiom-is-not-a-crisis", say("this is killing me"), ctx(), said("this is killing me")),
    *[(f"{m.role}-never-alerts", say("I don't want to be here anymore"), ctx(m),
       said("I don't want to be here anymore", m)) for m in (FAC, HOST, ADMIN)],
]  # fmt: skip


@pytest.mark.parametrize(("frame", "context", "commands"), [c[1:] for c in SAY], ids=[c[0] for c in SAY])
def test_say(frame: ClientFrame, context: Context, commands: list[Command]) -> None:
    assert decide(frame, context) == commands


def run(frames: list[tuple[int, ClientFrame]], context: Context) -> list[list[Command]]:
    """Decide each frame at its time (ms after NOW), keeping the flood state as the hub does."""
    results = []
    for at, frame in frames:
        commands = decide(frame, dataclasses.replace(context, now_ms=NOW + at))
        results.append(commands)
        for command in commands:
            if isinstance(command, Spoke):
                context = dataclasses.replace(context, flood=command.flood)
    return results


def relayed(commands: list[Command]) -> bool:
    return [type(c) for c in commands] == [Spoke, Publish]


@pytest.mark.parametrize("member", [ROBIN], ids=["member"])
def test_five_in_a_burst_then_one_every_two_seconds(member: Member) -> None:
    burst = [(0, say(f"message number {n}")) for n in range(6)]
    results = run([*burst, (1999, say("not quite yet")), (2000, say("two seconds on"))], ctx(member))
    assert [relayed(c) for c in results] == [True] * 5 + [False, False, True]
    assert results[5] == say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=2)
    assert results[6] == say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=1)  # rounded up


@pytest.mark.parametrize("member", [FAC, HOST, ADMIN], ids=lambda m: m.role.value)
def test_staff_are_spared_flood_control(member: Member) -> None:
    # a reading posted in parts, a list of resources: facilitators are trusted with bursts
    assert relayed(decide(say("hello"), ctx(member, flood=BUCKET_EMPTY)))
    assert relayed(decide(say(HARD_WEEK), ctx(member, flood=sent(1, HARD_WEEK))))


def test_repeats_are_refused_but_short_messages_are_not() -> None:
    results = run(
        [
            (0, say(HARD_WEEK)),
            (10_000, say("I had a hard week... at WORK")),  # the same, give or take punctuation
            (11_000, say("same")),
            (12_000, say("same")),
            (60_000, say(HARD_WEEK)),  # a minute on, it may be said again
        ],
        ctx(),
    )
    assert relayed(results[0])
    assert results[1] == say_refused("rate_limited", REPEAT_REASON, retry_after=50)
    assert [relayed(c) for c in results[2:]] == [True, True, True]


def test_slow_mode_counts_from_the_last_relayed_message() -> None:
    results = run(
        [(0, say("first")), (10_000, say("too soon")), (29_000, say("still too soon")), (30_000, say("ok"))],
        ctx(snapshot=room(slow_mode=30)),
    )
    assert relayed(results[0])
    assert results[1] == say_refused("slow_mode", SLOW_MODE, retry_after=20)
    assert results[2] == say_refused("slow_mode", SLOW_MODE, retry_after=1)
    assert relayed(results[3])


# --- facilitator frames x every room role ------------------------------------------------------------

Expected = Callable[[Member], list[Command]]


def reply(sender: Member, member: Member, text: str) -> PrivateMessageFrame:
    return PrivateMessageFrame(sender=person(sender), member=person(member), text=text, ts=NOW)


WAITING_ROOM_ADMITS: list[Command] = [
    *[c for uid in (9, 10) for c in (SetMark(Mark.waiting, uid, None), SetMark(Mark.admitted, uid, "1"),
                                      Deliver(uid, AdmittedFrame()), Audit(AuditAction.admit, uid))],
    RefreshStaff(),
]  # fmt: skip
ROUND_ROOM = room(facilitated=True, floor=7, round=plan(7, 8))  # Robin's turn, then Jo's


def room_in_round(stored: str) -> RoomSnapshot:
    return dataclasses.replace(ROUND_ROOM, round=stored)


FACILITATOR_FRAMES: list[tuple[str, ClientFrame, RoomSnapshot, Expected]] = [
    # (id, frame, the room, what it does when sent by someone allowed)
    ("lock", LockFrame(), ROOM,
     lambda me: [SetFlag(Flag.locked, "1"), settings(locked=True), Audit(AuditAction.lock)]),
    ("unlock", UnlockFrame(), room(locked=True),
     lambda me: [SetFlag(Flag.locked, None), settings(), Audit(AuditAction.unlock)]),
    ("slow-mode", SlowModeFrame(seconds=15), ROOM,
     lambda me: [SetFlag(Flag.slow, "15"), settings(slow=15), Audit(AuditAction.slow_mode, reason="15 s")]),
    ("facilitated-mode", FacilitatedModeFrame(on=True), ROOM,
     lambda me: [SetFlag(Flag.facilitated, "1"), settings(facilitated=True),
                 Audit(AuditAction.facilitated_mode, reason="on")]),
    ("give-floor", GiveFloorFrame(user_id=8), room(hands=(8,)), lambda me: [SetFloor(8), LowerHand(8)]),
    ("take-floor", TakeFloorFrame(), room(floor=8), lambda me: [SetFloor(None)]),
    ("delete-message", DeleteMessageFrame(message_id="m1"), ROOM,
     lambda me: [Publish(MessageChangeEvent(message_id="m1", change=MessageChange.deleted)),
                 Audit(AuditAction.delete_message)]),
    ("restore-message", RestoreMessageFrame(message_id="m1"), ROOM,
     lambda me: [Publish(MessageChangeEvent(message_id="m1", change=MessageChange.restored)),
                 Audit(AuditAction.restore_message)]),
    ("announce", AnnounceFrame(text="Break at 8"), ROOM,
     lambda me: [Pin(Announcement(text="Break at 8", by=person(me))), Audit(AuditAction.announce)]),
    ("end", EndFrame(), ROOM, lambda me: [EndMeeting()]),
    ("admit", AdmitFrame(), LOBBY, lambda me: WAITING_ROOM_ADMITS),
    ("round-start", RoundStartFrame(), ROOM,
     lambda me: [SetFlag(Flag.facilitated, "1"), settings(facilitated=True), *turn((7, 8), 0)]),
    ("round-next", RoundNextFrame(), ROUND_ROOM, lambda me: turn((7, 8), 1)),
    ("round-stop", RoundStopFrame(), ROUND_ROOM, lambda me: ROUND_STOPS),
    ("reply-privately", ReplyPrivatelyFrame(user_id=7, text="I'm here"), ROOM,
     lambda me: [Deliver(7, reply(me, ROBIN, "I'm here")), Deliver("staff", reply(me, ROBIN, "I'm here"))]),
    # aimed at Jo, a member: anyone allowed outranks them (every role pair is tabled below)
    ("mute", MuteFrame(user_id=8, minutes=5), ROOM,
     lambda me: [SetMark(Mark.muted, 8, str(IN_5_MIN)), Deliver(8, MutedFrame(until=IN_5_MIN)),
                 Audit(AuditAction.mute, 8, "5 min"), RefreshStaff()]),
    ("unmute", UnmuteFrame(user_id=8), room(muted={8: 0}),
     lambda me: [SetMark(Mark.muted, 8, None), Deliver(8, UnmutedFrame()), Audit(AuditAction.unmute, 8),
                 RefreshStaff()]),
    ("remove", RemoveFrame(user_id=8, reason="hostile"), ROOM,
     lambda me: [SetMark(Mark.removed, 8, "1"), Kick(8, 4403, "removed"),
                 Publish(NoticeEvent(kind=NoticeKind.removed)), Audit(AuditAction.remove, 8, "hostile")]),
    ("ban", BanFrame(user_id=8, reason="threats"), ROOM,
     lambda me: [Ban(8, "threats"), SetMark(Mark.removed, 8, "1"), Kick(8, 4403, "banned"),
                 Publish(NoticeEvent(kind=NoticeKind.removed))]),
    ("to-waiting-room", ToWaitingRoomFrame(user_id=8), ROOM,
     lambda me: [SetMark(Mark.admitted, 8, "0"), Kick(8, 4411, "waiting_room"),
                 Publish(NoticeEvent(kind=NoticeKind.to_waiting_room)),
                 Audit(AuditAction.to_waiting_room, 8)]),
]  # fmt: skip

MEMBER_FRAMES: list[tuple[str, ClientFrame]] = [
    # (id, a frame every role may send)
    ("say", SayFrame(text="hello", client_id="c")),
    ("react", ReactFrame(message_id="m1", reaction=Reaction.heart)),
    ("raise-hand", RaiseHandFrame()),
    ("lower-hand", LowerHandFrame()),
    ("pass", PassFrame()),
    ("leave", LeaveFrame()),
    ("ping", PingFrame()),
    ("resync", ResyncFrame(after_seq=0)),
    ("listening", ListeningFrame(on=True)),
    ("report", ReportFrame(message_id="m1", reason=ReportReason.harmful)),
    ("block", BlockFrame(user_id=8)),
    ("unblock", UnblockFrame(user_id=8)),
    ("ask-facilitator", AskFacilitatorFrame(text="a word?")),
]


def test_every_frame_is_tabled_as_a_facilitator_frame_or_a_member_frame() -> None:
    facilitator = [type(c[1]) for c in FACILITATOR_FRAMES]
    member = [type(c[1]) for c in MEMBER_FRAMES]
    assert len(set(facilitator)) == len(facilitator)
    assert len(set(member)) == len(member)
    assert set(facilitator) | set(member) == set(RULES)
    assert not set(facilitator) & set(member)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("frame", "snapshot", "expected"),
    [c[1:] for c in FACILITATOR_FRAMES],
    ids=[c[0] for c in FACILITATOR_FRAMES],
)
def test_facilitator_frames_by_role(
    frame: ClientFrame, snapshot: RoomSnapshot, expected: Expected, role: RoomRole
) -> None:
    actor = PEOPLE[role][0]
    commands = decide(frame, ctx(actor, snapshot))
    if role in (RoomRole.member, RoomRole.visitor):
        assert commands == refused("forbidden", FORBIDDEN)
    else:
        assert commands == expected(actor)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("frame", [c[1] for c in MEMBER_FRAMES], ids=[c[0] for c in MEMBER_FRAMES])
def test_member_frames_are_open_to_every_role(frame: ClientFrame, role: RoomRole) -> None:
    commands = decide(frame, ctx(PEOPLE[role][0], room(hands=(1, 2, 3, 7)), blocks=frozenset({8})))
    refusals = [c.frame.code for c in commands if isinstance(c, Reply) and isinstance(c.frame, ErrorFrame)]
    # a visitor trying the group listens and reacts: no sharing, no hand; reports, blocks, help
    visitor_only = isinstance(frame, (SayFrame, RaiseHandFrame)) and role == RoomRole.visitor
    assert refusals == (["forbidden"] if visitor_only else [])


# --- frames aimed at a person: actor role x target role ---------------------------------------------

MAY_ACT_ON: dict[RoomRole, set[RoomRole]] = {  # actor -> whom they may mute, unmute, remove, ban, send back
    RoomRole.admin: {RoomRole.admin, RoomRole.host, RoomRole.facilitator, RoomRole.member, RoomRole.visitor},
    RoomRole.host: {RoomRole.facilitator, RoomRole.member, RoomRole.visitor},
    RoomRole.facilitator: {RoomRole.member, RoomRole.visitor},
    RoomRole.member: set(),
    RoomRole.visitor: set(),
}


def test_the_table_follows_the_permission_model() -> None:
    for actor in ROLES:
        for target in ROLES:
            outranks = may_act_on(room_standing(actor), room_standing(target))
            staff = room_standing(actor) >= Standing.facilitator
            assert (target in MAY_ACT_ON[actor]) is (staff and outranks), (actor, target)


def aimed_at(uid: int) -> list[tuple[str, ClientFrame, list[Command]]]:
    """(id, frame aimed at `uid`, its commands when allowed), one per targeted frame type."""
    return [
        ("mute", MuteFrame(user_id=uid, minutes=5),
         [SetMark(Mark.muted, uid, str(IN_5_MIN)), Deliver(uid, MutedFrame(until=IN_5_MIN)),
          Audit(AuditAction.mute, uid, "5 min"), RefreshStaff()]),
        ("mute-until-unmuted", MuteFrame(user_id=uid),
         [SetMark(Mark.muted, uid, "0"), Deliver(uid, MutedFrame(until=None)),
          Audit(AuditAction.mute, uid, "until unmuted"), RefreshStaff()]),
        ("unmute", UnmuteFrame(user_id=uid),
         [SetMark(Mark.muted, uid, None), Deliver(uid, UnmutedFrame()), Audit(AuditAction.unmute, uid),
          RefreshStaff()]),
        ("remove", RemoveFrame(user_id=uid),
         [SetMark(Mark.removed, uid, "1"), Kick(uid, 4403, "removed"),
          Publish(NoticeEvent(kind=NoticeKind.removed)), Audit(AuditAction.remove, uid, "")]),
        ("ban", BanFrame(user_id=uid),
         [Ban(uid, ""), SetMark(Mark.removed, uid, "1"), Kick(uid, 4403, "banned"),
          Publish(NoticeEvent(kind=NoticeKind.removed))]),
        ("to-waiting-room", ToWaitingRoomFrame(user_id=uid),
         [SetMark(Mark.admitted, uid, "0"), Kick(uid, 4411, "waiting_room"),
          Publish(NoticeEvent(kind=NoticeKind.to_waiting_room)), Audit(AuditAction.to_waiting_room, uid)]),
    ]  # fmt: skip


def targeted_cases() -> list[Any]:
    cases = []
    for actor_role in ROLES:
        actor = PEOPLE[actor_role][0]
        targets = [(str(t), PEOPLE[t][1] if t == actor_role else PEOPLE[t][0]) for t in ROLES]
        for target_name, target in [*targets, ("self", actor)]:
            for kind, frame, allowed in aimed_at(target.user_id):
                if actor_role in (RoomRole.member, RoomRole.visitor):
                    expected = refused("forbidden", FORBIDDEN)
                elif target is not actor and target.role in MAY_ACT_ON[actor_role]:
                    expected = allowed
                else:
                    expected = refused("forbidden", OUTRANKED)
                cases.append(pytest.param(actor, frame, expected, id=f"{actor_role}-{kind}-{target_name}"))
    return cases


@pytest.mark.parametrize(("actor", "frame", "commands"), targeted_cases())
def test_aimed_frames_by_actor_and_target(actor: Member, frame: ClientFrame, commands: list[Command]) -> None:
    assert decide(frame, ctx(actor)) == commands


AIMED_AT_SOMEONE_ABSENT: list[tuple[str, ClientFrame]] = [
    # (id, a frame naming a person who must be in the room)
    *[(kind, frame) for kind, frame, _ in aimed_at(GONE)],
    ("give-floor", GiveFloorFrame(user_id=GONE)),
    ("reply-privately", ReplyPrivatelyFrame(user_id=GONE, text="hello?")),
    ("mute-someone-in-the-waiting-room", MuteFrame(user_id=KIM.user_id)),
]


@pytest.mark.parametrize(
    "frame", [c[1] for c in AIMED_AT_SOMEONE_ABSENT], ids=[c[0] for c in AIMED_AT_SOMEONE_ABSENT]
)
def test_aimed_at_someone_not_in_the_room(frame: ClientFrame) -> None:
    assert decide(frame, ctx(FAC, LOBBY)) == refused("not_found", NOT_HERE)
    assert decide(frame, ctx(ROBIN, LOBBY)) == refused("forbidden", FORBIDDEN)  # permission first


# --- each facilitator frame in its situations -----------------------------------------------------

JO_RECONNECTING = reconnecting(ROOM, 8)
NOT_WAITING = refused("not_found", NOBODY_WAITING)

FACILITATION: list[tuple[str, ClientFrame, Context, list[Command]]] = [
    # (id, frame, situation, commands)
    # a member who is reconnecting is still in the room
    ("mute-someone-reconnecting", MuteFrame(user_id=8), ctx(FAC, JO_RECONNECTING),
     [SetMark(Mark.muted, 8, "0"), Deliver(8, MutedFrame(until=None)),
      Audit(AuditAction.mute, 8, "until unmuted"), RefreshStaff()]),
    ("give-floor-to-someone-reconnecting", GiveFloorFrame(user_id=8), ctx(FAC, JO_RECONNECTING),
     [SetFloor(8), LowerHand(8)]),
    ("give-floor-to-a-facilitator", GiveFloorFrame(user_id=13), ctx(FAC), [SetFloor(13), LowerHand(13)]),
    ("remove-with-a-reason", RemoveFrame(user_id=8, reason="kept soliciting"), ctx(FAC),
     [SetMark(Mark.removed, 8, "1"), Kick(8, 4403, "removed"), Publish(NoticeEvent(kind=NoticeKind.removed)),
      Audit(AuditAction.remove, 8, "kept soliciting")]),
    ("ban-with-a-reason", BanFrame(user_id=8, reason="threats"), ctx(HOST),
     [Ban(8, "threats"), SetMark(Mark.removed, 8, "1"), Kick(8, 4403, "banned"),
      Publish(NoticeEvent(kind=NoticeKind.removed))]),
    ("mute-for-a-day", MuteFrame(user_id=8, minutes=1440), ctx(FAC),
     [SetMark(Mark.muted, 8, str(NOW + 86_400_000)), Deliver(8, MutedFrame(until=NOW + 86_400_000)),
      Audit(AuditAction.mute, 8, "1440 min"), RefreshStaff()]),
    # the waiting room
    ("admit-one", AdmitFrame(user_id=10), ctx(FAC, LOBBY),
     [SetMark(Mark.waiting, 10, None), SetMark(Mark.admitted, 10, "1"), Deliver(10, AdmittedFrame()),
      Audit(AuditAction.admit, 10), RefreshStaff()]),
    ("admit-everyone-waiting", AdmitFrame(), ctx(FAC, LOBBY), WAITING_ROOM_ADMITS),
    ("admit-everyone-when-nobody-waits", AdmitFrame(), ctx(FAC), [RefreshStaff()]),
    ("admit-someone-not-waiting", AdmitFrame(user_id=8), ctx(FAC, LOBBY), NOT_WAITING),
    ("admit-someone-unknown", AdmitFrame(user_id=GONE), ctx(FAC, LOBBY), NOT_WAITING),
    # switches: the settings event carries the new value and the others as they are
    ("lock-keeps-the-other-switches", LockFrame(), ctx(FAC, room(slow_mode=10, facilitated=True)),
     [SetFlag(Flag.locked, "1"), settings(locked=True, slow=10, facilitated=True), Audit(AuditAction.lock)]),
    ("unlock-keeps-the-other-switches", UnlockFrame(), ctx(FAC, room(locked=True, slow_mode=10)),
     [SetFlag(Flag.locked, None), settings(slow=10), Audit(AuditAction.unlock)]),
    ("slow-mode-off", SlowModeFrame(seconds=0), ctx(FAC, room(slow_mode=30, locked=True)),
     [SetFlag(Flag.slow, None), settings(locked=True), Audit(AuditAction.slow_mode, reason="off")]),
    ("slow-mode-max", SlowModeFrame(seconds=120), ctx(FAC),
     [SetFlag(Flag.slow, "120"), settings(slow=120), Audit(AuditAction.slow_mode, reason="120 s")]),
    ("facilitated-mode-off", FacilitatedModeFrame(on=False), ctx(FAC, room(facilitated=True, slow_mode=5)),
     [SetFlag(Flag.facilitated, None), settings(slow=5), Audit(AuditAction.facilitated_mode, reason="off")]),
    ("facilitated-mode-off-stops-the-round", FacilitatedModeFrame(on=False), ctx(FAC, ROUND_ROOM),
     [SetFlag(Flag.facilitated, None), settings(), Audit(AuditAction.facilitated_mode, reason="off"),
      *ROUND_STOPS]),
    # messages
    ("delete-any-message-id", DeleteMessageFrame(message_id="not-held"), ctx(FAC),
     [Publish(MessageChangeEvent(message_id="not-held", change=MessageChange.deleted)),
      Audit(AuditAction.delete_message)]),
    # the pinned note: normalised like a message; empty unpins
    ("announce-normalised", AnnounceFrame(text="  Break\r\nat 8  "), ctx(FAC),
     [Pin(Announcement(text="Break\nat 8", by=person(FAC))), Audit(AuditAction.announce)]),
    ("announce-empty-unpins", AnnounceFrame(text=""), ctx(FAC),
     [Pin(None), Audit(AuditAction.announce, reason="unpinned")]),
    ("announce-blank-unpins", AnnounceFrame(text=" \n "), ctx(FAC),
     [Pin(None), Audit(AuditAction.announce, reason="unpinned")]),
    ("announce-invisible-is-refused", AnnounceFrame(text="\u200b"), ctx(FAC),
     refused("invalid_message", "The message is empty.")),
    ("end", EndFrame(), ctx(HOST), [EndMeeting()]),
    # private lines
    ("reply-privately-to-someone-reconnecting", ReplyPrivatelyFrame(user_id=8, text="still here?"),
     ctx(FAC, JO_RECONNECTING),
     [Deliver(8, reply(FAC, JO, "still here?")), Deliver("staff", reply(FAC, JO, "still here?"))]),
    # sharing rounds: hands first, then the others by id; staff and listeners take no turn
    ("round-start-hands-first", RoundStartFrame(), ctx(FAC, room(hands=(8, 3))),
     [SetFlag(Flag.facilitated, "1"), settings(facilitated=True), *turn((8, 7), 0)]),
    ("round-start-timed", RoundStartFrame(seconds_per_turn=90), ctx(FAC, room(facilitated=True)),
     turn((7, 8), 0, seconds=90)),
    ("round-start-skips-listeners", RoundStartFrame(), ctx(FAC, room(listening=frozenset({7}), locked=True)),
     [SetFlag(Flag.facilitated, "1"), settings(locked=True, facilitated=True), *turn((8,), 0)]),
    ("round-start-with-nobody-to-share", RoundStartFrame(), ctx(FAC, room(listening=frozenset({7, 8}))),
     refused("not_found", NOBODY_TO_SHARE)),
    ("round-next-skips-who-left", RoundNextFrame(), ctx(FAC, room_in_round(plan(7, GONE, 8))),
     turn((7, GONE, 8), 2)),
    ("round-next-skips-new-listeners", RoundNextFrame(),
     ctx(FAC, dataclasses.replace(ROUND_ROOM, listening=frozenset({8}))), ROUND_STOPS),
    ("round-next-skips-who-is-reconnecting", RoundNextFrame(), ctx(FAC, reconnecting(ROUND_ROOM, 8)),
     ROUND_STOPS),
    ("round-next-after-the-last-turn-stops", RoundNextFrame(),
     ctx(FAC, room_in_round(plan(7, 8, index=1))), ROUND_STOPS),
    ("round-next-keeps-the-timer", RoundNextFrame(),
     ctx(FAC, room_in_round(plan(7, 8, seconds=60))), turn((7, 8), 1, seconds=60)),
    ("round-next-without-a-round", RoundNextFrame(), ctx(FAC),
     refused("not_found", "No sharing round is running.")),
    ("round-next-with-a-broken-round", RoundNextFrame(), ctx(FAC, room(round="{oops")),
     refused("not_found", "No sharing round is running.")),
    ("round-stop-without-a-round", RoundStopFrame(), ctx(FAC), ROUND_STOPS),
    # passing: the turn holder moves the round on; anyone else just gives up the floor
    ("pass-on-your-turn", PassFrame(), ctx(ROBIN, ROUND_ROOM), [LowerHand(7), *turn((7, 8), 1)]),
    ("pass-on-the-last-turn", PassFrame(), ctx(JO, room_in_round(plan(7, 8, index=1))),
     [LowerHand(8), *ROUND_STOPS]),
    ("pass-out-of-turn", PassFrame(), ctx(JO, ROUND_ROOM), [LowerHand(8), ReleaseFloor(8)]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("frame", "context", "commands"), [c[1:] for c in FACILITATION], ids=[c[0] for c in FACILITATION]
)
def test_facilitation(frame: ClientFrame, context: Context, commands: list[Command]) -> None:
    assert decide(frame, context) == commands


# --- members' moderation frames ---------------------------------------------------------------------

STAFF_AWAY = RoomSnapshot(
    members=(*present(ROBIN, JO), Presence(FAC, PresenceStatus.reconnecting)), seq=5
)  # the only facilitator's connection dropped
ONLY_ALEX = RoomSnapshot(members=present(FAC, ROBIN), seq=5)
ONLY_HANA = RoomSnapshot(members=present(HOST, ROBIN), seq=5)


def private_line(sender: Member, text: str) -> list[Command]:
    """A line to the facilitators: it counts against flood control like a message, then goes to
    the facilitators present and back to the sender's own connections."""
    spoke = said(text, sender)[0]
    note = PrivateMessageFrame(sender=person(sender), member=person(sender), text=text, ts=NOW)
    return [spoke, Deliver("staff", note), Deliver(sender.user_id, note)]


NO_FACILITATOR_HERE = [*refused("no_facilitator", NO_FACILITATOR), Reply(RESOURCES_FRAME)]

MEMBERS: list[tuple[str, ClientFrame, Context, list[Command]]] = [
    # (id, frame, situation, commands)
    # block: your own list, sorted, back to all your connections; never yourself or a facilitator
    ("block", BlockFrame(user_id=8), ctx(), [Block(8, True), Deliver(7, BlockedFrame(user_ids=(8,)))]),
    ("block-adds-to-the-list", BlockFrame(user_id=8), ctx(blocks=frozenset({20, 4})),
     [Block(8, True), Deliver(7, BlockedFrame(user_ids=(4, 8, 20)))]),
    ("block-again", BlockFrame(user_id=8), ctx(blocks=frozenset({8})),
     [Block(8, True), Deliver(7, BlockedFrame(user_ids=(8,)))]),
    ("block-someone-who-left", BlockFrame(user_id=GONE), ctx(),
     [Block(GONE, True), Deliver(7, BlockedFrame(user_ids=(GONE,)))]),
    ("block-yourself", BlockFrame(user_id=7), ctx(), refused("forbidden", NO_SELF)),
    *[(f"block-{m.role}", BlockFrame(user_id=m.user_id), ctx(), refused("forbidden", NO_BLOCKING_STAFF))
      for m in (FAC, HOST, ADMIN)],
    ("facilitator-blocks-a-member", BlockFrame(user_id=8), ctx(FAC),
     [Block(8, True), Deliver(3, BlockedFrame(user_ids=(8,)))]),
    ("unblock", UnblockFrame(user_id=8), ctx(blocks=frozenset({20, 8})),
     [Block(8, False), Deliver(7, BlockedFrame(user_ids=(20,)))]),
    ("unblock-someone-not-blocked", UnblockFrame(user_id=8), ctx(),
     [Block(8, False), Deliver(7, BlockedFrame(user_ids=()))]),
    ("unblock-someone-who-became-staff", UnblockFrame(user_id=3), ctx(blocks=frozenset({3})),
     [Block(3, False), Deliver(7, BlockedFrame(user_ids=()))]),
    ("unblock-yourself", UnblockFrame(user_id=7), ctx(), refused("forbidden", NO_SELF)),
    # ask a facilitator: to the facilitators present, echoed to your own connections
    ("ask-facilitator", AskFacilitatorFrame(text="can we talk?"), ctx(), private_line(ROBIN, "can we talk?")),
    ("ask-while-muted", AskFacilitatorFrame(text="why?"), ctx(snapshot=room(muted={7: 0})),
     private_line(ROBIN, "why?")),
    ("ask-in-facilitated-mode", AskFacilitatorFrame(text="a word?"), ctx(snapshot=room(facilitated=True)),
     private_line(ROBIN, "a word?")),
    ("ask-a-host", AskFacilitatorFrame(text="a word?"), ctx(snapshot=ONLY_HANA),
     private_line(ROBIN, "a word?")),
    ("ask-with-no-facilitator-present", AskFacilitatorFrame(text="a word?"), ctx(snapshot=STAFF_AWAY),
     NO_FACILITATOR_HERE),
    ("ask-in-an-empty-room", AskFacilitatorFrame(text="a word?"), ctx(snapshot=RoomSnapshot()),
     NO_FACILITATOR_HERE),
    ("facilitator-asks-with-nobody-else", AskFacilitatorFrame(text="help"), ctx(FAC, ONLY_ALEX),
     NO_FACILITATOR_HERE),
    ("facilitator-asks-another", AskFacilitatorFrame(text="help"), ctx(FAC), private_line(FAC, "help")),
    ("ask-is-flood-controlled", AskFacilitatorFrame(text="a word?"), ctx(flood=BUCKET_EMPTY),
     refused("rate_limited", RATE_LIMITED_REASON, retry_after=2)),
    ("ask-repeat", AskFacilitatorFrame(text=HARD_WEEK), ctx(flood=sent(30, HARD_WEEK)),
     refused("rate_limited", REPEAT_REASON, retry_after=30)),
    # report: counted and shown to the facilitators by the driver
    *[(f"report-{r}", ReportFrame(message_id="m1", reason=r), ctx(), list[Command]([Report("m1", r.value)]))
      for r in ReportReason],
    ("report-while-muted", ReportFrame(message_id="m1", reason=ReportReason.harmful),
     ctx(snapshot=room(muted={7: 0})), [Report("m1", "harmful")]),
    # just listening today
    ("listening", ListeningFrame(on=True), ctx(),
     [SetMark(Mark.listening, 7, "1"), Deliver(7, ListeningStateFrame(on=True)), RefreshStaff()]),
    ("listening-no-more", ListeningFrame(on=False), ctx(snapshot=room(listening=frozenset({7}))),
     [SetMark(Mark.listening, 7, None), Deliver(7, ListeningStateFrame(on=False)), RefreshStaff()]),
    # reactions are allowed while muted, in facilitated mode, in slow mode
    ("react-while-muted", ReactFrame(message_id="m1", reaction=Reaction.hug),
     ctx(snapshot=room(muted={7: 0}, facilitated=True, slow_mode=30), flood=BUCKET_EMPTY),
     [Publish(ReactionEvent(message_id="m1", reaction=Reaction.hug, by=person(ROBIN)))]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("frame", "context", "commands"), [c[1:] for c in MEMBERS], ids=[c[0] for c in MEMBERS]
)
def test_members_moderation_frames(frame: ClientFrame, context: Context, commands: list[Command]) -> None:
    assert decide(frame, context) == commands


def test_ask_facilitator_uses_up_the_flood_allowance() -> None:
    asks = [(0, AskFacilitatorFrame(text=f"are you there? ({n})")) for n in range(6)]
    results = run([*asks, (1000, say("hello")), (2000, say("hello"))], ctx())
    assert [type(c[0]) for c in results[:5]] == [Spoke] * 5
    assert results[5] == refused("rate_limited", RATE_LIMITED_REASON, retry_after=2)
    assert results[6] == say_refused("rate_limited", RATE_LIMITED_REASON, retry_after=1)  # one allowance
    assert relayed(results[7])


def test_the_same_line_to_the_facilitators_twice_is_a_repeat() -> None:
    results = run(
        [(0, AskFacilitatorFrame(text=HARD_WEEK)), (5000, AskFacilitatorFrame(text=HARD_WEEK))], ctx()
    )
    assert results[0] == private_line(ROBIN, HARD_WEEK)
    assert results[1] == refused("rate_limited", REPEAT_REASON, retry_after=55)
