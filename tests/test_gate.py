"""The room gate (`meeting.gate.MeetingGate`) against real SQLite and PostgreSQL, with a fake clock:
who enters in which role, bans, and the rules and blocks each admission carries."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import col
from support import STRONG_PASSWORD, make_settings

from meeting.accounts import service as accounts
from meeting.accounts import sessions
from meeting.accounts.models import Role, User
from meeting.db import Database
from meeting.gate import BANNED, MeetingGate
from meeting.groups import series, service
from meeting.groups.models import Group, Meeting
from meeting.moderation import rules
from meeting.moderation import service as moderation
from meeting.settings import Settings
from rooms.types import Admission, RoomPolicy, RoomRole

pytestmark = pytest.mark.postgres

STARTS = datetime(2031, 5, 6, 18, 0, tzinfo=UTC)
ENDS = STARTS + timedelta(minutes=90)
GRACE = timedelta(minutes=10)  # HEARTH_ROOM_GRACE_MINUTES' default: the room closes this long after the end
PEOPLE = ("admin", "host", "facilitator", "member", "outsider", "unaccepted")


@dataclass
class Clock:
    now: datetime = STARTS

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    db: Database
    settings: Settings
    clock: Clock
    gate: MeetingGate
    group_id: int
    meeting_id: int
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    async def admit(self, who: str, meeting_id: int | None = None) -> Admission:
        return await self.gate.admit(session_token=self.tokens[who], meeting_id=meeting_id or self.meeting_id)


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    """An admin, a group host, a facilitator, members and an outsider, one group, one meeting."""
    settings = make_settings(tmp_path, HEARTH_DATABASE_URL=database_url)
    db = Database(database_url)
    users, tokens = {}, {}
    async with db.session() as s:
        for who in PEOPLE:
            role = {"admin": Role.admin, "host": Role.host}.get(who, Role.member)
            user = await accounts.register(
                s,
                email=f"{who}@example.org",
                password=STRONG_PASSWORD,
                display_name=who.title(),
                client=None,
                role=role,
            )
            users[who] = user
            tokens[who] = await accounts.log_in(s, user=user, settings=settings)
        group = await service.create_group(s, creator=users["host"], name="Evening", description="")
        assert group.id is not None
        for who in ("facilitator", "member", "unaccepted"):
            await service.join_group(s, group=group, user=users[who])
        await service.assign_facilitator(
            s, group=group, actor=users["host"], user_id=users["facilitator"].id or 0
        )
        for who in ("admin", "facilitator", "member", "outsider"):
            await service.accept_guidelines(s, group=group, user=users[who], version=1)
        meeting = await service.create_meeting(
            s, group=group, actor=users["host"], title="Tuesday", starts_at=STARTS, ends_at=ENDS, now=STARTS
        )
        assert meeting.id is not None
    clock = Clock()
    yield World(
        db, settings, clock, MeetingGate(db, settings, clock=clock), group.id, meeting.id, users, tokens
    )
    await db.close()


@pytest.mark.parametrize(
    ("who", "role"),
    [
        ("admin", RoomRole.admin),  # platform admin, not a member of the group
        ("host", RoomRole.host),
        ("facilitator", RoomRole.facilitator),
        ("member", RoomRole.member),
    ],
)
async def test_admitted_people_get_their_room_role(world: World, who: str, role: RoomRole) -> None:
    admission = await world.admit(who)
    assert admission.member is not None
    assert admission.close_code == 0
    assert admission.member.role == role
    assert admission.member.user_id == world.users[who].id
    assert admission.member.name == who.title()
    assert admission.session_key == sessions.token_hash(world.tokens[who])
    assert admission.meeting_ends_at == ENDS.timestamp()


@pytest.mark.parametrize(
    ("offset", "code"),
    [
        (timedelta(minutes=-60), 4410),
        (timedelta(minutes=-10, seconds=-1), 4410),
        (timedelta(minutes=-10), 0),  # exactly 10 minutes before: open
        (timedelta(0), 0),
        (ENDS - STARTS - timedelta(seconds=1), 0),
        (ENDS - STARTS, 0),  # at the end the grace period begins
        (ENDS - STARTS + GRACE - timedelta(seconds=1), 0),
        (ENDS - STARTS + GRACE, 4410),  # exactly at the end of the grace period: closed
        (timedelta(days=1), 4410),
    ],
)
async def test_entry_window_edges(world: World, offset: timedelta, code: int) -> None:
    world.clock.now = STARTS + offset
    admission = await world.admit("member")
    assert admission.close_code == code
    assert (admission.member is None) == (code != 0)


async def test_refusal_reasons_say_whether_it_is_early_or_over(world: World) -> None:
    world.clock.now = STARTS - timedelta(hours=1)
    early = await world.admit("member")
    assert "isn't open yet" in early.reason
    assert "17:50 UTC" in early.reason
    world.clock.now = ENDS + GRACE
    assert (await world.admit("member")).reason == "This meeting has ended."


async def test_the_window_follows_the_settings(world: World) -> None:
    settings = world.settings.with_(room_opens_minutes=30, room_grace_minutes=0)
    gate = MeetingGate(world.db, settings, clock=world.clock)
    world.clock.now = STARTS - timedelta(minutes=30)
    assert (
        await gate.admit(session_token=world.tokens["member"], meeting_id=world.meeting_id)
    ).close_code == 0
    world.clock.now = STARTS - timedelta(minutes=31)
    refused = await gate.admit(session_token=world.tokens["member"], meeting_id=world.meeting_id)
    assert (refused.close_code, "17:30 UTC" in refused.reason) == (4410, True)
    world.clock.now = ENDS
    assert (
        await gate.admit(session_token=world.tokens["member"], meeting_id=world.meeting_id)
    ).close_code == 4410


async def test_a_cancelled_meeting_is_refused_with_4410(world: World) -> None:
    async with world.db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=world.meeting_id)
        await series.cancel_meeting(
            s, meeting=meeting, actor=world.users["facilitator"], now=STARTS - timedelta(days=1)
        )
    for who in ("member", "host", "admin"):
        admission = await world.admit(who)
        assert (admission.member, admission.close_code) == (None, 4410), who
        assert admission.reason == "This meeting was cancelled."
    assert (await world.admit("outsider")).close_code == 4403  # person checks still come first


@pytest.mark.parametrize(
    ("who", "code", "words"),
    [
        ("outsider", 4403, "Join this group"),  # accepted the guidelines, but never joined
        ("unaccepted", 4403, "accept the group's current guidelines"),
    ],
)
async def test_non_members_and_members_without_agreement_are_refused(
    world: World, who: str, code: int, words: str
) -> None:
    admission = await world.admit(who)
    assert (admission.member, admission.close_code) == (None, code)
    assert words in admission.reason
    assert admission.session_key == ""


async def test_person_checks_come_before_the_clock(world: World) -> None:
    world.clock.now = ENDS + timedelta(days=1)
    assert (await world.admit("outsider")).close_code == 4403
    assert (await world.admit("unaccepted")).close_code == 4403
    assert (await world.admit("member")).close_code == 4410


async def test_a_new_guidelines_version_must_be_accepted_before_entering(world: World) -> None:
    async with world.db.session() as s:
        group = await service.get_group(s, group_id=world.group_id)
        await service.update_guidelines(s, group=group, actor=world.users["host"], text="New rules.")
    assert (await world.admit("host")).member is not None  # the author accepted their version
    for who in ("member", "facilitator", "admin"):
        assert (await world.admit(who)).close_code == 4403, who
    async with world.db.session() as s:
        group = await service.get_group(s, group_id=world.group_id)
        await service.accept_guidelines(s, group=group, user=world.users["member"], version=2)
    assert (await world.admit("member")).member is not None


@pytest.mark.parametrize("token", [None, "", "not-a-real-token", "x" * 500])
async def test_missing_or_unknown_sessions_are_4401(world: World, token: str | None) -> None:
    admission = await world.gate.admit(session_token=token, meeting_id=world.meeting_id)
    assert (admission.member, admission.close_code) == (None, 4401)


async def test_logged_out_and_expired_sessions_are_4401(world: World) -> None:
    async with world.db.session() as s:
        await sessions.end(s, token=world.tokens["member"])
        await s.exec(
            sa.update(sessions.LoginSession)
            .where(col(sessions.LoginSession.user_id) == world.users["host"].id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert (await world.admit("member")).close_code == 4401
    assert (await world.admit("host")).close_code == 4401
    assert (await world.admit("facilitator")).close_code == 0


async def test_unknown_meeting_is_4404(world: World) -> None:
    admission = await world.admit("admin", meeting_id=world.meeting_id + 1000)
    assert (admission.member, admission.close_code) == (None, 4404)


async def test_a_facilitator_opens_early_and_ends_the_meeting(world: World) -> None:
    world.clock.now = STARTS - timedelta(hours=2)
    assert (await world.admit("member")).close_code == 4410
    async with world.db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=world.meeting_id)
        await service.open_meeting(s, meeting=meeting, actor=world.users["facilitator"], now=world.clock.now)
    assert (await world.admit("member")).close_code == 0
    async with world.db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=world.meeting_id)
        await service.end_meeting(s, meeting=meeting, actor=world.users["facilitator"], now=world.clock.now)
    assert (await world.admit("member")).close_code == 4410
    assert (await world.admit("host")).close_code == 4410


async def test_session_alive_follows_the_same_login_session(world: World) -> None:
    key = (await world.admit("member")).session_key
    other = (await world.admit("facilitator")).session_key
    world.clock.now = datetime.now(UTC)  # sessions live in real time, unlike the 2031 meeting
    assert await world.gate.session_alive(session_key=key)
    assert not await world.gate.session_alive(session_key="")
    assert not await world.gate.session_alive(session_key="f" * 64)
    async with world.db.session() as s:
        await sessions.end(s, token=world.tokens["member"])  # logout elsewhere
    assert not await world.gate.session_alive(session_key=key)
    assert await world.gate.session_alive(session_key=other)


async def test_session_alive_ends_with_idle_timeout_and_account_deletion(world: World) -> None:
    key = (await world.admit("member")).session_key
    idle = timedelta(minutes=world.settings.session_idle_minutes)
    world.clock.now = datetime.now(UTC) + idle / 2
    assert await world.gate.session_alive(session_key=key)  # being in the room counts as activity
    world.clock.now += idle / 2 + timedelta(minutes=1)
    assert await world.gate.session_alive(session_key=key)  # still within idle of the last check
    world.clock.now += idle
    assert not await world.gate.session_alive(session_key=key)

    world.clock.now = STARTS
    key = (await world.admit("facilitator")).session_key
    world.clock.now = datetime.now(UTC)
    assert await world.gate.session_alive(session_key=key)
    async with world.db.session() as s:
        user = await s.get(User, world.users["facilitator"].id)
        assert user is not None
        await accounts.delete_account(s, user=user, password=STRONG_PASSWORD)
    assert not await world.gate.session_alive(session_key=key)
    async with world.db.session() as s:
        assert (
            await service.role_in(s, group_id=world.group_id, user_id=world.users["facilitator"].id or 0)
            is None
        )


async def test_group_and_meeting_rows_go_with_the_group(world: World) -> None:
    async with world.db.session() as s:
        await s.exec(sa.delete(Group).where(col(Group.id) == world.group_id))
    async with world.db.session() as s:
        assert await s.get(Meeting, world.meeting_id) is None
    assert (await world.admit("member")).close_code == 4404


async def test_an_admin_who_hosts_the_group_is_still_admin_in_the_room(world: World) -> None:
    async with world.db.session() as s:
        await service.assign_facilitator(
            s,
            group=await service.get_group(s, group_id=world.group_id),
            actor=world.users["host"],
            user_id=world.users["admin"].id or 0,
        )
    admission = await world.admit("admin")
    assert admission.member is not None
    assert admission.member.role == RoomRole.admin


async def ban(world: World, who: str) -> None:
    async with world.db.session() as s:
        await moderation.ban(
            s,
            group_id=world.group_id,
            user_id=world.users[who].id or 0,
            actor_id=world.users["host"].id,
            reason="",
        )


@pytest.mark.parametrize("who", ["member", "facilitator", "admin"])
async def test_banned_people_are_refused_with_4403(world: World, who: str) -> None:
    await ban(world, who)
    admission = await world.admit(who)
    assert (admission.member, admission.close_code, admission.reason) == (None, 4403, BANNED)
    assert admission.session_key == ""
    assert (await world.admit("host")).member is not None  # nobody else is affected
    async with world.db.session() as s:
        await moderation.unban(
            s, group_id=world.group_id, user_id=world.users[who].id or 0, actor=world.users["admin"]
        )
    assert (await world.admit(who)).member is not None


async def test_the_ban_is_checked_after_membership_and_before_guidelines_and_clock(world: World) -> None:
    for who in ("outsider", "unaccepted", "member"):
        await ban(world, who)
    world.clock.now = ENDS + timedelta(days=1)
    assert "Join this group" in (await world.admit("outsider")).reason  # not a member: that first
    assert (await world.admit("unaccepted")).reason == BANNED  # banned: no point asking to accept
    assert (await world.admit("member")).reason == BANNED  # a person's refusal before the clock


async def test_the_admission_carries_the_groups_rules(world: World) -> None:
    admission = await world.admit("member")
    assert admission.policy == RoomPolicy(group_id=world.group_id)  # a new group has the defaults
    async with world.db.session() as s:
        await rules.update_rules(
            s,
            group=await service.get_group(s, group_id=world.group_id),
            actor=world.users["host"],
            allow_links=True,
            blocked_terms="  bad   word \n\nother\nBAD WORD\n",
            rate_messages=3,
            rate_seconds=20,
            waiting_room=True,
            report_threshold=2,
        )
    admission = await world.admit("member")
    assert admission.policy == RoomPolicy(
        group_id=world.group_id,
        allow_links=True,
        blocked_terms=("bad word", "other"),
        rate_messages=3,
        rate_seconds=20,
        waiting_room=True,
        report_threshold=2,
    )


async def test_the_admission_carries_the_people_this_person_blocked(world: World) -> None:
    ids = {who: world.users[who].id or 0 for who in PEOPLE}
    async with world.db.session() as s:
        for who in ("facilitator", "outsider"):
            await moderation.block(s, user_id=ids["member"], blocked_id=ids[who])
        await moderation.block(s, user_id=ids["member"], blocked_id=ids["member"])  # ignored
    # the group's facilitator runs its meetings: a block never hides them there (it is kept
    # for other groups, where they may be just another member)
    assert (await world.admit("member")).blocks == frozenset({ids["outsider"]})
    async with world.db.session() as s:
        stored = await moderation.blocked_ids(s, user_id=ids["member"])
    assert stored == frozenset({ids["facilitator"], ids["outsider"]})
    assert (await world.admit("facilitator")).blocks == frozenset()  # a block is one-way and private
    async with world.db.session() as s:
        assert await moderation.unblock(s, user_id=ids["member"], blocked_id=ids["outsider"])
        assert not await moderation.unblock(s, user_id=ids["member"], blocked_id=ids["outsider"])
    assert (await world.admit("member")).blocks == frozenset()
