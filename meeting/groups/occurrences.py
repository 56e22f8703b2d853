"""A series' occurrences as `Meeting` rows: their keys, their rows, and the series' `exdates`.

Every occurrence is keyed by (series_id, original_start); `exdates` holds the keys of the
cancelled ones as RFC 5545 UTC text (`key_text`, `parse_key`).

    plan = plan_of(series)                                # the rule, for `meeting.scheduling`
    await insert_occurrences(s, [occurrence_row(series, start, cancelled=False, now=now)])
    await sync_exdates(s, series.id)                      # after cancelling occurrences

`insert_occurrences` is INSERT ... ON CONFLICT DO NOTHING on that key: idempotent, and safe when
several processes materialize the same occurrences at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.groups.errors import invalid
from meeting.groups.models import Meeting, MeetingSeries, MeetingState
from meeting.scheduling import Override, ScheduleError, Series

AHEAD = timedelta(weeks=8)  # occurrences made at creation, and the default listing window
_CHUNK = 200
_KEY = "%Y%m%dT%H%M%SZ"

# The attendance package's table, named here without importing its models.
RSVPS = sa.table("rsvps", sa.column("meeting_id", sa.Integer), sa.column("user_id", sa.Integer))


def horizon(first_start: datetime, *, now: datetime) -> datetime:
    """How far a series is materialized when it is scheduled or edited: eight weeks past the
    later of now and its first meeting, so a series starting in three months still lists its
    first two months of meetings on the group page and in the directory."""
    return max(now, first_start) + AHEAD


def key_text(instant: datetime) -> str:
    """An occurrence key as stored in `exdates`: RFC 5545 UTC text, "20260303T000000Z"."""
    return instant.astimezone(UTC).strftime(_KEY)


def parse_key(text: str) -> datetime:
    return datetime.strptime(text, _KEY).replace(tzinfo=UTC)


def plan_of(series: MeetingSeries) -> Series:
    """The series as `meeting.scheduling.Series` (with its cancelled occurrences)."""
    return Series(
        start=series.starts_at,
        end=series.ends_at,
        timezone=series.timezone,
        rrule=series.rrule,
        exdates=frozenset(parse_key(key) for key in series.exdates),
    )


async def calendar_plan(s: AsyncSession, *, series: MeetingSeries) -> Series:
    """The series with its cancelled and moved occurrences, as calendars describe it (the
    `overrides` are the rows edited on their own, at their current times)."""
    query = select(Meeting).where(
        col(Meeting.series_id) == series.id,
        col(Meeting.overridden),
        col(Meeting.state) != MeetingState.cancelled.value,
    )
    moved = {
        row.original_start: Override(row.starts_at, row.ends_at)
        for row in (await s.exec(query)).all()
        if row.original_start is not None
    }
    base = plan_of(series)
    return Series(
        start=base.start,
        end=base.end,
        timezone=base.timezone,
        rrule=base.rrule,
        exdates=base.exdates,
        overrides=moved,
    )


def build_plan(**kwargs: Any) -> Series:
    """`Series(**kwargs)`, its `ScheduleError` as `InvalidInput` naming the field."""
    try:
        return Series(**kwargs)
    except ScheduleError as error:
        raise invalid(error) from None


def occurrence_row(
    series: MeetingSeries, original: datetime, *, cancelled: bool, now: datetime
) -> dict[str, Any]:
    duration = series.ends_at - series.starts_at
    return {
        "group_id": series.group_id,
        "series_id": series.id,
        "title": series.title,
        "starts_at": original,
        "ends_at": original + duration,
        "original_start": original,
        "timezone": series.timezone,
        "overridden": False,
        "state": (MeetingState.cancelled if cancelled else MeetingState.scheduled).value,
        "created_at": now,
    }


async def insert_occurrences(s: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """INSERT the rows, skipping any whose (series_id, original_start) exists: idempotent, and
    safe when another process inserts the same occurrences at the same time."""
    if not rows:
        return
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for i in range(0, len(rows), _CHUNK):
        statement = insert(Meeting).values(rows[i : i + _CHUNK])
        await s.exec(statement.on_conflict_do_nothing(index_elements=["series_id", "original_start"]))


async def with_rsvps(s: AsyncSession, meeting_ids: Iterable[int]) -> set[int]:
    """Which of these meetings someone RSVPed to (going or on the waitlist)."""
    ids = sorted(set(meeting_ids))
    if not ids:
        return set()
    query = sa.select(RSVPS.c.meeting_id).where(RSVPS.c.meeting_id.in_(ids)).distinct()
    return {int(row[0]) for row in (await (await s.connection()).execute(query)).all()}


async def sync_exdates(s: AsyncSession, series_id: int) -> None:
    """Set the series' `exdates` to the keys of its cancelled occurrences."""
    series = await s.get(MeetingSeries, series_id, populate_existing=True)
    if series is None:
        return
    query = select(Meeting.original_start).where(
        col(Meeting.series_id) == series_id,
        col(Meeting.state) == MeetingState.cancelled.value,
        col(Meeting.original_start).is_not(None),
    )
    series.exdates = sorted(key_text(when) for when in (await s.exec(query)).all() if when is not None)
    s.add(series)
    await s.flush()
