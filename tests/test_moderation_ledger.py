"""`MeetingLedger` (what the room engine keeps through `rooms.types.Ledger`) and the moderation
service under it, against real SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import col, select
from support import STRONG_PASSWORD

from meeting.accounts import service as accounts
from meeting.accounts.models import Role, User
from meeting.db import Database
from meeting.groups import service
from meeting.groups.models import Meeting, MeetingState
from meeting.moderation import service as moderation
from meeting.moderation.ledger import MeetingLedger
from meeting.moderation.models import GroupBan, MemberBlock, ModerationEvent
from moderation.audit import REASON_MAX, AuditAction

pytestmark = pytest.mark.postgres

STARTS = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)


@dataclass
class World:
    db: Database
    ledger: MeetingLedger
    group_id: int
    meeting_id: int
    ids: dict[str, int]

    async def events(self) -> list[ModerationEvent]:
        async with self.db.session() as s:
            query = select(ModerationEvent).order_by(col(ModerationEvent.id))
            return list((await s.exec(query)).all())


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    """A host (platform host), a facilitator and two members; one group, one meeting."""
    db = Database(database_url)
    users: dict[str, User] = {}
    async with db.session() as s:
        for who in ("host", "facilitator", "member", "other"):
            users[who] = await accounts.register(
                s,
                email=f"{who}@example.org",
                password=STRONG_PASSWORD,
                display_name=who.title(),
                client=None,
                role=Role.host if who == "host" else Role.member,
            )
        group = await service.create_group(s, creator=users["host"], name="Evening", description="")
        for who in ("facilitator", "member", "other"):
            await service.join_group(s, group=group, user=users[who])
        await service.assign_facilitator(
            s, group=group, actor=users["host"], user_id=users["facilitator"].id or 0
        )
        meeting = await service.create_meeting(
            s,
            group=group,
            actor=users["host"],
            title="Tuesday",
            starts_at=STARTS,
            ends_at=STARTS + timedelta(hours=1),
        )
    assert group.id is not None
    assert meeting.id is not None
    ids = {who: user.id or 0 for who, user in users.items()}
    yield World(db, MeetingLedger(db), group.id, meeting.id, ids)
    await db.close()


async def test_record_files_the_entry_under_the_meetings_group(world: World) -> None:
    await world.ledger.record(
        meeting_id=world.meeting_id,
        actor_id=world.ids["facilitator"],
        action="mute",
        target_id=world.ids["member"],
        reason=" off\x00 topic \n again " + "x" * 300,
    )
    await world.ledger.record(meeting_id=world.meeting_id, actor_id=None, action=AuditAction.crisis_alert)
    mute, alert = await world.events()
    assert (mute.group_id, mute.meeting_id, mute.action) == (world.group_id, world.meeting_id, "mute")
    assert (mute.actor_id, mute.target_id) == (world.ids["facilitator"], world.ids["member"])
    assert mute.reason.startswith("off topic again xxx")  # one clean line...
    assert len(mute.reason) == REASON_MAX  # ...cut to fit
    assert (alert.action, alert.actor_id, alert.target_id, alert.reason) == ("crisis_alert", None, None, "")


async def test_record_refuses_unknown_actions_without_repeating_them(world: World) -> None:
    with pytest.raises(ValueError, match="unknown audit action") as caught:
        await world.ledger.record(meeting_id=world.meeting_id, actor_id=None, action="I feel so alone")
    assert "alone" not in str(caught.value)  # whatever was passed is never echoed
    assert await world.events() == []


async def test_a_missing_meeting_or_person_is_no_error(world: World) -> None:
    await world.ledger.record(meeting_id=world.meeting_id + 99, actor_id=None, action="lock")
    await world.ledger.ban(meeting_id=world.meeting_id + 99, actor_id=1, user_id=2, reason="")
    await world.ledger.end(meeting_id=world.meeting_id + 99, actor_id=world.ids["host"])
    assert await world.events() == []
    await world.ledger.record(
        meeting_id=world.meeting_id, actor_id=999_999, action="report", target_id=999_998
    )
    (entry,) = await world.events()
    assert (entry.actor_id, entry.target_id) == (None, None)  # accounts already gone


async def test_ban_upserts_the_ban_and_audits_each_one(world: World) -> None:
    for reason in ("first", "second"):
        await world.ledger.ban(
            meeting_id=world.meeting_id,
            actor_id=world.ids["facilitator"],
            user_id=world.ids["member"],
            reason=reason,
        )
    async with world.db.session() as s:
        bans = list((await s.exec(select(GroupBan))).all())
        assert await moderation.is_banned(s, group_id=world.group_id, user_id=world.ids["member"])
        assert not await moderation.is_banned(s, group_id=world.group_id, user_id=world.ids["other"])
        listed = await moderation.list_bans(s, group_id=world.group_id)
    assert [(b.user_id, b.banned_by, b.reason) for b in bans] == [
        (world.ids["member"], world.ids["facilitator"], "second")
    ]
    assert [(b.user.name, b.banned_by.name if b.banned_by else None) for b in listed] == [
        ("Member", "Facilitator")
    ]
    events = await world.events()
    assert [(e.action, e.target_id, e.reason, e.meeting_id) for e in events] == [
        ("ban", world.ids["member"], "first", world.meeting_id),
        ("ban", world.ids["member"], "second", world.meeting_id),
    ]


async def test_blocks_are_added_and_removed_and_never_audited(world: World) -> None:
    member, other, host = world.ids["member"], world.ids["other"], world.ids["host"]
    await world.ledger.block(user_id=member, blocked_id=other, blocked=True)
    await world.ledger.block(user_id=member, blocked_id=other, blocked=True)  # idempotent
    await world.ledger.block(user_id=member, blocked_id=host, blocked=True)
    async with world.db.session() as s:
        assert await moderation.blocked_ids(s, user_id=member) == {other, host}
        assert [b.user.name for b in await moderation.list_blocks(s, user_id=member)] == ["Host", "Other"]
    await world.ledger.block(user_id=member, blocked_id=other, blocked=False)
    await world.ledger.block(user_id=member, blocked_id=other, blocked=False)  # nothing left: fine
    async with world.db.session() as s:
        assert await moderation.blocked_ids(s, user_id=member) == {host}
    assert await world.events() == []


async def test_end_marks_the_meeting_ended_and_audits_it_once(world: World) -> None:
    await world.ledger.end(meeting_id=world.meeting_id, actor_id=world.ids["facilitator"])
    await world.ledger.end(meeting_id=world.meeting_id, actor_id=world.ids["host"])  # already over
    async with world.db.session() as s:
        meeting = await s.get(Meeting, world.meeting_id)
    assert meeting is not None
    assert meeting.state == MeetingState.ended
    assert meeting.ended_at is not None
    assert [(e.action, e.actor_id, e.meeting_id) for e in await world.events()] == [
        ("end", world.ids["facilitator"], world.meeting_id)
    ]


async def test_end_goes_through_the_same_permission_as_the_button(world: World) -> None:
    with pytest.raises(service.Forbidden):
        await world.ledger.end(meeting_id=world.meeting_id, actor_id=world.ids["member"])
    async with world.db.session() as s:
        meeting = await s.get(Meeting, world.meeting_id)
    assert meeting is not None
    assert meeting.state == MeetingState.scheduled


async def test_the_log_pages_newest_first_and_filters_by_meeting(world: World) -> None:
    for n in range(5):
        await world.ledger.record(
            meeting_id=world.meeting_id, actor_id=world.ids["host"], action="lock", reason=f"{n}"
        )
    async with world.db.session() as s:
        await moderation.record(s, group_id=world.group_id, actor_id=world.ids["host"], action="unban")
        first = await moderation.list_events(s, group_id=world.group_id, limit=4)
        rest = await moderation.list_events(s, group_id=world.group_id, limit=4, before_id=first.next_before)
        meeting_only = await moderation.list_events(s, group_id=world.group_id, meeting_id=world.meeting_id)
        elsewhere = await moderation.list_events(s, group_id=world.group_id + 1)
    assert [e.reason for e in first.entries] == ["", "4", "3", "2"]
    assert first.entries[0].label == "Lifted a ban"
    assert first.entries[1].actor is not None
    assert first.entries[1].actor.name == "Host"
    assert [e.reason for e in rest.entries] == ["1", "0"]
    assert rest.next_before is None
    assert len(meeting_only.entries) == 5
    assert elsewhere.entries == []


async def test_deleting_an_account_keeps_the_entries_without_the_name(world: World) -> None:
    await world.ledger.ban(
        meeting_id=world.meeting_id,
        actor_id=world.ids["facilitator"],
        user_id=world.ids["member"],
        reason="x",
    )
    await world.ledger.block(user_id=world.ids["other"], blocked_id=world.ids["facilitator"], blocked=True)
    async with world.db.session() as s:
        await s.exec(sa.delete(User).where(col(User.id) == world.ids["facilitator"]))
    (entry,) = await world.events()
    assert (entry.action, entry.actor_id, entry.target_id) == ("ban", None, world.ids["member"])
    async with world.db.session() as s:
        (ban,) = (await s.exec(select(GroupBan))).all()
        assert ban.banned_by is None
        assert list((await s.exec(select(MemberBlock))).all()) == []
        await s.exec(sa.delete(User).where(col(User.id) == world.ids["member"]))
        assert list((await s.exec(select(GroupBan))).all()) == []
