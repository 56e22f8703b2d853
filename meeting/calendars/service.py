"""Calendar files and feeds from the database, written by `meeting.scheduling.calendar`.

    meeting_file(s, meeting=m, group=g, reveal=False, base_url=..., now=now)  # one occurrence
    group_feed(s, group=g, reveal=False, base_url=..., now=now)    # series (RRULE, EXDATE) + one-offs
    member_feed(s, user_id=7, base_url=..., now=now)               # "my meetings", by secret token

Titles say "Hearth meeting" unless the member opted in to seeing group names
(`MemberPrefs.reveal_group_name`); every event links back to its room (`/meetings/{id}`), or,
for a series in a group's feed (one event for many occurrences), to the group's page, which
lists each occurrence's room.

The member feed is reached without cookies (calendar programs cannot send them) through a
secret token: `new_token` makes or replaces it and returns it once; only its SHA-256 is kept,
and `token_owner` finds the owner by that hash and compares it in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.attendance.models import Rsvp
from meeting.calendars.models import CalendarToken
from meeting.db import utcnow
from meeting.groups import series
from meeting.groups.models import Group, Meeting, MeetingSeries, MeetingState
from meeting.scheduling import ScheduleError, Series
from meeting.scheduling.calendar import (
    FeedItem,
    meeting_ics,
    member_ics,
    occurrence_uid,
    series_ics,
    series_uid,
)

TOKEN_BYTES = 32
MEMBER_FEED_PAST = timedelta(days=90)  # how far back "my meetings" keeps past occurrences


def domain_of(base_url: str) -> str:
    """The host name that qualifies UIDs, e.g. "hearth.example"."""
    return urlsplit(base_url).hostname or "localhost"


def room_url(base_url: str, meeting_id: int) -> str:
    return f"{base_url}/meetings/{meeting_id}"


def group_url(base_url: str, group_id: int) -> str:
    return f"{base_url}/groups/{group_id}"


def meeting_uid(meeting: Meeting, *, domain: str) -> str:
    """The UID of one occurrence: stable when it is moved (a series' occurrence is named by its
    original start), the same in its own file and in the member's feed."""
    if meeting.series_id is not None and meeting.original_start is not None:
        return occurrence_uid(meeting.series_id, meeting.original_start, domain=domain)
    return f"meeting-{meeting.id}@{domain}"


def _sequence(meeting: Meeting) -> int:
    """Raised when the occurrence was moved or cancelled, so calendars take the change."""
    return int(meeting.overridden) + int(meeting.state == MeetingState.cancelled)


def _one_off(meeting: Meeting) -> Series:
    return Series(start=meeting.starts_at, end=meeting.ends_at, timezone="UTC")


def meeting_file(meeting: Meeting, *, group: Group, reveal: bool, base_url: str, now: datetime) -> bytes:
    """One occurrence as a calendar file (STATUS:CANCELLED once cancelled)."""
    assert meeting.id is not None
    return meeting_ics(
        uid=meeting_uid(meeting, domain=domain_of(base_url)),
        start=meeting.starts_at,
        end=meeting.ends_at,
        url=room_url(base_url, meeting.id),
        name=group.name,
        stamp=now,
        reveal=reveal,
        cancelled=meeting.state == MeetingState.cancelled,
        sequence=_sequence(meeting),
    )


async def group_items(s: AsyncSession, *, group: Group, base_url: str) -> list[FeedItem]:
    """A group's series (with their cancelled and moved occurrences, `series.calendar_plan`)
    and its one-off meetings (not cancelled ones) as feed items."""
    assert group.id is not None
    domain = domain_of(base_url)
    items: list[FeedItem] = []
    rows = (
        await s.exec(
            select(MeetingSeries)
            .where(col(MeetingSeries.group_id) == group.id)
            .order_by(col(MeetingSeries.id))
        )
    ).all()
    for row in rows:
        assert row.id is not None
        try:
            plan = await series.calendar_plan(s, series=row)
        except ScheduleError:  # a row the scheduling rules no longer accept: leave it out
            continue
        items.append(
            FeedItem(
                uid=series_uid(row.id, domain=domain),
                series=plan,
                name=group.name,
                url=group_url(base_url, group.id),
            )
        )
    one_offs = (
        await s.exec(
            select(Meeting)
            .where(col(Meeting.group_id) == group.id, col(Meeting.series_id).is_(None))
            .where(col(Meeting.state) != MeetingState.cancelled.value)
            .order_by(col(Meeting.starts_at), col(Meeting.id))
        )
    ).all()
    for m in one_offs:
        assert m.id is not None
        items.append(
            FeedItem(
                uid=meeting_uid(m, domain=domain),
                series=_one_off(m),
                name=group.name,
                url=room_url(base_url, m.id),
                sequence=_sequence(m),
            )
        )
    return items


async def group_feed(s: AsyncSession, *, group: Group, reveal: bool, base_url: str, now: datetime) -> bytes:
    """A group's subscription feed: every series with RRULE and EXDATE, and one-off meetings."""
    items = [] if group.archived_at is not None else await group_items(s, group=group, base_url=base_url)
    return series_ics(items, stamp=now, calendar_name=group.name, reveal=reveal)


async def member_items(s: AsyncSession, *, user_id: int, base_url: str, now: datetime) -> list[FeedItem]:
    """Each occurrence `user_id` RSVPed to (going or waitlisted, not cancelled) that ends after
    `now - MEMBER_FEED_PAST`, as a one-off event linking to its room."""
    domain = domain_of(base_url)
    rows = (
        await s.exec(
            select(Meeting, Group)
            .join(Rsvp, col(Rsvp.meeting_id) == col(Meeting.id))
            .join(Group, col(Group.id) == col(Meeting.group_id))
            .where(col(Rsvp.user_id) == user_id, col(Meeting.ends_at) > now - MEMBER_FEED_PAST)
            .where(col(Meeting.state) != MeetingState.cancelled.value)
            .order_by(col(Meeting.starts_at), col(Meeting.id))
            .limit(1000)
        )
    ).all()
    items = []
    for m, g in rows:
        assert m.id is not None
        items.append(
            FeedItem(
                uid=meeting_uid(m, domain=domain),
                series=_one_off(m),
                name=g.name,
                url=room_url(base_url, m.id),
                sequence=_sequence(m),
            )
        )
    return items


async def member_feed(
    s: AsyncSession, *, user_id: int, reveal: bool, base_url: str, now: datetime | None = None
) -> bytes:
    now = now or utcnow()
    items = await member_items(s, user_id=user_id, base_url=base_url, now=now)
    return member_ics(items, stamp=now, reveal=reveal)


# --- the member feed's secret token -------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


async def new_token(s: AsyncSession, *, user_id: int, now: datetime | None = None) -> str:
    """Make (or replace) `user_id`'s feed token; returns it (shown once, never stored)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = await s.get(CalendarToken, user_id, populate_existing=True)
    if row is None:
        row = CalendarToken(user_id=user_id, token_hash=token_hash(token), created_at=now or utcnow())
    else:
        row.token_hash, row.created_at = token_hash(token), now or utcnow()
    s.add(row)
    await s.flush()
    return token


async def token_created(s: AsyncSession, *, user_id: int) -> datetime | None:
    """When `user_id`'s current feed token was made, or None when they have none."""
    row = await s.get(CalendarToken, user_id, populate_existing=True)
    return None if row is None else row.created_at


async def revoke_token(s: AsyncSession, *, user_id: int) -> bool:
    """Delete `user_id`'s feed token; True when there was one."""
    row = await s.get(CalendarToken, user_id)
    if row is None:
        return False
    await s.delete(row)
    await s.flush()
    return True


async def token_owner(s: AsyncSession, *, token: str) -> int | None:
    """Whose feed `token` opens, or None (unknown, revoked or malformed)."""
    if not 20 <= len(token) <= 100 or not token.isascii():
        return None
    wanted = token_hash(token)
    row = (await s.exec(select(CalendarToken).where(col(CalendarToken.token_hash) == wanted))).first()
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return row.user_id
