"""Recurring meetings in the database: series, their occurrences as `Meeting` rows, and what
hosts and facilitators change about them (edit the series or one occurrence, cancel one,
extend one, archive the group).

A `MeetingSeries` row holds the rule (`meeting.scheduling` checks and expands it); every
occurrence gets its own `Meeting` row, keyed by (series_id, original_start), so the room,
RSVPs, the overdue sweep and moderation treat occurrences exactly like one-off meetings.
Rows are made ahead of time ("materialized") with INSERT ... ON CONFLICT DO NOTHING on that
key, which is safe when several processes do it at once: at series creation for the next
eight weeks, for any window someone lists, and by every process's sweep (`top_up`).

    meeting, series = await schedule(s, group=g, actor=host, title="Tuesday circle",
                                     starts_at=first_start, ends_at=first_end,
                                     timezone="America/New_York", rrule="FREQ=WEEKLY;BYDAY=TU")
    await meetings_between(s, group=g, start=a, end=b)    # occurrences overlapping [a, b)

Invariants: a row with a `series_id` has an `original_start` the series' rule generates; it is
cancelled exactly when that start is among the series' `exdates`; `overridden` rows were
edited on their own and keep their times and title when the series is edited.

Edits are in `meeting.groups.edits`, cancellations and archiving in
`meeting.groups.cancellation`, occurrence keys and rows in `meeting.groups.occurrences`; all of
it is importable from here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.cancellation import archive_group, cancel_meeting
from meeting.groups.edits import edit_meeting, edit_series, extend_meeting
from meeting.groups.models import TITLE_MAX, Group, Meeting, MeetingSeries, MeetingState
from meeting.groups.occurrences import (
    AHEAD,
    RSVPS,
    build_plan,
    calendar_plan,
    horizon,
    insert_occurrences,
    key_text,
    occurrence_row,
    parse_key,
    plan_of,
    sync_exdates,
    with_rsvps,
)
from meeting.scheduling import generated
from moderation.permissions import Action

__all__ = [
    "AHEAD",
    "MAX_WINDOW",
    "RSVPS",
    "TOP_UP_BELOW",
    "TOP_UP_TO",
    "UPCOMING",
    "archive_group",
    "calendar_plan",
    "cancel_meeting",
    "check_window",
    "edit_meeting",
    "edit_series",
    "extend_meeting",
    "get_series",
    "key_text",
    "materialize",
    "materialize_group",
    "meetings_between",
    "parse_key",
    "plan_of",
    "schedule",
    "series_upcoming",
    "sync_exdates",
    "top_up",
    "upcoming",
    "with_rsvps",
]

TOP_UP_BELOW = timedelta(weeks=8)  # the sweep extends series materialized less far ahead than this…
TOP_UP_TO = timedelta(weeks=9)  # …to this far ahead (so each series is topped up about weekly)
MAX_WINDOW = timedelta(days=366)
UPCOMING = 10


async def get_series(s: AsyncSession, *, series_id: int) -> MeetingSeries:
    series = await s.get(MeetingSeries, series_id)
    if series is None:
        raise service.NotFound(f"No series with id {series_id}.")
    return series


async def schedule(
    s: AsyncSession,
    *,
    group: Group,
    actor: User,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    timezone: str = "UTC",
    rrule: str | None = None,
    now: datetime | None = None,
) -> tuple[Meeting, MeetingSeries | None]:
    """Schedule a one-off meeting (`rrule` None) or a series whose first occurrence is
    `starts_at`-`ends_at`; returns the (first) meeting and the series. Raises `InvalidInput`
    naming the field (starts_at, ends_at, timezone or rrule), `Forbidden`, `GroupArchived`."""
    now = now or utcnow()
    if rrule is None:
        one = await service.create_meeting(
            s,
            group=group,
            actor=actor,
            title=title,
            starts_at=starts_at,
            ends_at=ends_at,
            timezone=timezone,
            now=now,
        )
        return one, None
    assert group.id is not None
    await service.require(s, action=Action.create_meeting, user=actor, group_id=group.id)
    service.require_active(group)
    cleaned = service.clean_line(title, field="title", label="The title", most=TITLE_MAX)
    zone_name = service.check_timezone(timezone)
    service.check_times(starts_at, ends_at, now=now)
    plan = build_plan(start=starts_at, end=ends_at, timezone=zone_name, rrule=rrule)
    assert plan.rule is not None
    series = MeetingSeries(
        group_id=group.id,
        title=cleaned,
        timezone=zone_name,
        rrule=str(plan.rule),
        starts_at=plan.first_start,
        ends_at=plan.end.astimezone(UTC),
        exdates=[],
        materialized_until=plan.first_start,
        created_at=now,
    )
    s.add(series)
    await s.flush()
    await materialize(s, series=series, until=horizon(plan.first_start, now=now))
    first = (
        await s.exec(
            select(Meeting)
            .where(col(Meeting.series_id) == series.id)
            .order_by(col(Meeting.original_start))
            .limit(1)
        )
    ).one()
    return first, series


async def materialize(
    s: AsyncSession, *, series: MeetingSeries, until: datetime, now: datetime | None = None
) -> None:
    """Make sure every occurrence starting before `until` has its `Meeting` row."""
    if series.materialized_until >= until:
        return
    locked = (
        await s.exec(
            select(MeetingSeries)
            .where(col(MeetingSeries.id) == series.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).one()
    if locked.materialized_until >= until:
        return
    plan = plan_of(locked)
    now = now or utcnow()
    rows = [
        occurrence_row(locked, original, cancelled=original in plan.exdates, now=now)
        for _, original in generated(plan, start=locked.materialized_until, end=until)
    ]
    await insert_occurrences(s, rows)
    locked.materialized_until = until
    s.add(locked)
    await s.flush()


async def materialize_group(s: AsyncSession, *, group: Group, until: datetime) -> None:
    """Materialize every series of `group` up to `until` (nothing for an archived group)."""
    if group.archived_at is not None:
        return
    query = select(MeetingSeries).where(
        col(MeetingSeries.group_id) == group.id, col(MeetingSeries.materialized_until) < until
    )
    for series in (await s.exec(query)).all():
        await materialize(s, series=series, until=until)


async def top_up(s: AsyncSession, *, now: datetime | None = None) -> int:
    """Extend every series of an active group that is materialized less than eight weeks
    ahead to nine weeks ahead (run by each process's sweep); returns how many were extended."""
    now = now or utcnow()
    query = (
        select(MeetingSeries)
        .join(Group, col(Group.id) == col(MeetingSeries.group_id))
        .where(col(MeetingSeries.materialized_until) < now + TOP_UP_BELOW, col(Group.archived_at).is_(None))
        .limit(100)
    )
    found = list((await s.exec(query)).all())
    for series in found:
        await materialize(s, series=series, until=now + TOP_UP_TO, now=now)
    return len(found)


def check_window(start: datetime, end: datetime, *, start_field: str = "from", end_field: str = "to") -> None:
    if end <= start:
        raise service.InvalidInput(f"{end_field!r} must be after {start_field!r}.", field=end_field)
    if end - start > MAX_WINDOW:
        raise service.InvalidInput(
            f"The window from {start_field!r} to {end_field!r} is longer than one year.", field=end_field
        )


async def meetings_between(s: AsyncSession, *, group: Group, start: datetime, end: datetime) -> list[Meeting]:
    """The group's meetings (one-offs and occurrences, cancelled ones included) overlapping
    [start, end), by start; at most a year's window (`InvalidInput` naming from/to)."""
    check_window(start, end)
    await materialize_group(s, group=group, until=end)
    query = (
        select(Meeting)
        .where(col(Meeting.group_id) == group.id)
        .where(col(Meeting.starts_at) < end, col(Meeting.ends_at) > start)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .execution_options(populate_existing=True)
    )
    return list((await s.exec(query)).all())


async def upcoming(
    s: AsyncSession, *, group: Group, now: datetime | None = None, limit: int = UPCOMING
) -> list[Meeting]:
    """The group's next meetings not yet over (cancelled ones included), by start."""
    now = now or utcnow()
    await materialize_group(s, group=group, until=now + AHEAD)
    query = (
        select(Meeting)
        .where(col(Meeting.group_id) == group.id, col(Meeting.ends_at) > now)
        .where(col(Meeting.state) != MeetingState.ended.value)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list((await s.exec(query)).all())


async def series_upcoming(
    s: AsyncSession, *, series: MeetingSeries, now: datetime | None = None, limit: int = UPCOMING
) -> list[Meeting]:
    """The series' next `limit` occurrences not yet over (cancelled ones included), by start."""
    now = now or utcnow()
    group = await service.get_group(s, group_id=series.group_id)
    if group.archived_at is None:
        starts = generated(
            plan_of(series), start=now - (series.ends_at - series.starts_at), end=now + MAX_WINDOW
        )
        until = now + AHEAD
        if len(starts) >= limit:
            until = max(until, starts[limit - 1][1] + timedelta(seconds=1))
        elif starts:
            until = max(until, starts[-1][1] + timedelta(seconds=1))
        await materialize(s, series=series, until=until, now=now)
    query = (
        select(Meeting)
        .where(col(Meeting.series_id) == series.id, col(Meeting.ends_at) > now)
        .where(col(Meeting.state) != MeetingState.ended.value)
        .order_by(col(Meeting.starts_at), col(Meeting.id))
        .limit(limit)
        .execution_options(populate_existing=True)
    )
    return list((await s.exec(query)).all())
