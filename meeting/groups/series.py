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
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.models import (
    TITLE_MAX,
    Group,
    Meeting,
    MeetingSeries,
    MeetingState,
    NoticeKind,
)
from meeting.groups.window import DEFAULT_WINDOW, RoomWindow
from meeting.scheduling import MAX_DURATION, Override, ScheduleError, Series, generated, local_original
from moderation.permissions import Action

AHEAD = timedelta(weeks=8)  # occurrences made at creation, and the default listing window
TOP_UP_BELOW = timedelta(weeks=8)  # the sweep extends series materialized less far ahead than this…
TOP_UP_TO = timedelta(weeks=9)  # …to this far ahead (so each series is topped up about weekly)
MAX_WINDOW = timedelta(days=366)
UPCOMING = 10
_CHUNK = 200
_KEY = "%Y%m%dT%H%M%SZ"

# The attendance package's table, named here without importing its models.
RSVPS = sa.table("rsvps", sa.column("meeting_id", sa.Integer), sa.column("user_id", sa.Integer))


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


async def get_series(s: AsyncSession, *, series_id: int) -> MeetingSeries:
    series = await s.get(MeetingSeries, series_id)
    if series is None:
        raise service.NotFound(f"No series with id {series_id}.")
    return series


def _plan(**kwargs: Any) -> Series:
    try:
        return Series(**kwargs)
    except ScheduleError as error:
        raise service.invalid(error) from None


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
    plan = _plan(start=starts_at, end=ends_at, timezone=zone_name, rrule=rrule)
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
    await materialize(s, series=series, until=max(now + AHEAD, plan.first_start + timedelta(seconds=1)))
    first = (
        await s.exec(
            select(Meeting)
            .where(col(Meeting.series_id) == series.id)
            .order_by(col(Meeting.original_start))
            .limit(1)
        )
    ).one()
    return first, series


def _occurrence_row(
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


async def _insert_occurrences(s: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """INSERT the rows, skipping any whose (series_id, original_start) exists: idempotent, and
    safe when another process inserts the same occurrences at the same time."""
    if not rows:
        return
    dialect = (await s.connection()).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for i in range(0, len(rows), _CHUNK):
        statement = insert(Meeting).values(rows[i : i + _CHUNK])
        await s.exec(statement.on_conflict_do_nothing(index_elements=["series_id", "original_start"]))


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
        _occurrence_row(locked, original, cancelled=original in plan.exdates, now=now)
        for _, original in generated(plan, start=locked.materialized_until, end=until)
    ]
    await _insert_occurrences(s, rows)
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


_SERIES_FIELDS = frozenset({"title", "starts_at", "ends_at", "timezone", "rrule"})


def _new_plan(series: MeetingSeries, changes: Mapping[str, Any]) -> tuple[Series, str]:
    """The edited series (see `SeriesUpdate`) and its title."""
    title = series.title
    if changes.get("title") is not None:
        title = service.clean_line(changes["title"], field="title", label="The title", most=TITLE_MAX)
    zone_name = series.timezone
    if changes.get("timezone") is not None:
        zone_name = service.check_timezone(changes["timezone"])
    duration = series.ends_at - series.starts_at
    start: datetime = changes.get("starts_at") or series.starts_at
    if changes.get("starts_at") is None and zone_name != series.timezone:  # same wall-clock time
        wall = series.starts_at.astimezone(ZoneInfo(series.timezone)).replace(tzinfo=None)
        start = wall.replace(tzinfo=ZoneInfo(zone_name))
    end: datetime = changes.get("ends_at") or start + duration
    rrule = changes.get("rrule") or series.rrule
    return _plan(start=start, end=end, timezone=zone_name, rrule=rrule), title


async def edit_series(
    s: AsyncSession,
    *,
    series: MeetingSeries,
    actor: User,
    changes: Mapping[str, Any],
    now: datetime | None = None,
) -> MeetingSeries:
    """Change the series' title, first occurrence (`starts_at`/`ends_at`: its wall-clock time
    and length recur), time zone or rule. Occurrences that already started, or whose room is
    open, are kept (and leave the series if the new rule no longer has them). Each future one
    is matched by its local date to the new rule's occurrence that day: an ordinary one takes
    the new times and title (members who RSVPed get a "moved" notice when its time changed),
    a cancelled one stays cancelled, one edited on its own keeps its times and title. A future
    one the new rule has no date for is deleted, or, if anyone RSVPed, cancelled with a notice
    and kept apart from the series. New dates get new occurrences."""
    now = now or utcnow()
    assert series.id is not None
    await service.require(
        s,
        action=Action.create_meeting,
        user=actor,
        group_id=series.group_id,
        refusal=service.SCHEDULE_REFUSED,
    )
    service.require_active(await service.get_group(s, group_id=series.group_id))
    unknown = set(changes) - _SERIES_FIELDS
    if unknown:
        raise service.InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    old_zone = ZoneInfo(series.timezone)
    plan, title = _new_plan(series, changes)
    assert plan.rule is not None
    await s.exec(
        select(MeetingSeries).where(col(MeetingSeries.id) == series.id).with_for_update()
    )  # one edit (or materialization) of a series at a time
    rows = list((await s.exec(select(Meeting).where(col(Meeting.series_id) == series.id))).all())
    waiting = (MeetingState.scheduled, MeetingState.cancelled)
    touched = [r for r in rows if r.state in waiting and r.starts_at > now and r.original_start is not None]
    kept = [r for r in rows if r not in touched]
    kept_keys = {
        r.original_start
        for r in kept
        if r.original_start is not None and local_original(plan, r.original_start) is not None
    }
    detach = [r.id for r in kept if r.original_start not in kept_keys]
    horizon = max(series.materialized_until, now + AHEAD)
    by_date: dict[date, datetime] = {}
    for _, original in generated(plan, start=now, end=horizon):
        if original > now and original not in kept_keys:
            by_date.setdefault(original.astimezone(plan.zone).date(), original)
    matched: list[tuple[Meeting, datetime]] = []
    unmatched: list[Meeting] = []
    for row in sorted(touched, key=lambda r: (r.original_start or r.starts_at, r.id or 0)):
        assert row.original_start is not None
        new_start = by_date.pop(row.original_start.astimezone(old_zone).date(), None)
        if new_start is None:
            unmatched.append(row)
        else:
            matched.append((row, new_start))
    rsvped = await with_rsvps(s, [r.id for r in unmatched if r.id is not None])

    table = Meeting.__table__  # type: ignore[attr-defined]
    apart = [*detach, *(r.id for r in unmatched if r.id in rsvped)]
    if apart:
        await s.exec(
            sa.update(table).where(table.c.id.in_(apart)).values(series_id=None, original_start=None)
        )
    if touched:  # clear the keys first, so that no two rows ever hold the same one
        await s.exec(
            sa.update(table).where(table.c.id.in_([r.id for r in touched])).values(original_start=None)
        )
    for row in unmatched:
        if row.id in rsvped:
            if row.state == MeetingState.scheduled:
                await s.exec(
                    sa.update(table).where(table.c.id == row.id).values(state=MeetingState.cancelled.value)
                )
                await service.record_notice(
                    s, group_id=row.group_id, kind=NoticeKind.cancelled, meeting_id=row.id, now=now
                )
        else:
            await s.exec(sa.delete(table).where(table.c.id == row.id))
    for row, new_start in matched:
        values: dict[str, Any] = {"original_start": new_start, "timezone": plan.timezone}
        if not row.overridden:
            new_end = new_start + plan.duration
            values |= {"title": title, "starts_at": new_start, "ends_at": new_end}
            if row.state == MeetingState.scheduled and (new_start, new_end) != (row.starts_at, row.ends_at):
                await service.record_notice(
                    s,
                    group_id=row.group_id,
                    kind=NoticeKind.moved,
                    meeting_id=row.id,
                    previous_starts_at=row.starts_at,
                    now=now,
                )
        await s.exec(sa.update(table).where(table.c.id == row.id).values(**values))

    series.title, series.timezone, series.rrule = title, plan.timezone, str(plan.rule)
    series.starts_at, series.ends_at = plan.first_start, plan.end.astimezone(UTC)
    series.materialized_until = horizon
    s.add(series)
    await s.flush()
    await _insert_occurrences(
        s, [_occurrence_row(series, start, cancelled=False, now=now) for start in sorted(by_date.values())]
    )
    await sync_exdates(s, series.id)
    return series


async def _changeable(s: AsyncSession, meeting: Meeting, *, now: datetime, window: RoomWindow) -> None:
    if meeting.state == MeetingState.cancelled:
        raise service.MeetingCancelled("This meeting was cancelled; it cannot be changed.")
    if service.status_of(meeting, now=now, window=window) == "ended":
        raise service.MeetingEnded("This meeting has already ended; it cannot be changed.")
    service.require_active(await service.get_group(s, group_id=meeting.group_id))


async def edit_meeting(
    s: AsyncSession,
    *,
    meeting: Meeting,
    actor: User,
    changes: Mapping[str, Any],
    now: datetime | None = None,
    window: RoomWindow = DEFAULT_WINDOW,
) -> Meeting:
    """Change one meeting's title or times (a new `starts_at` alone keeps its length). An
    occurrence so edited is `overridden`: series edits leave it alone. A new time records a
    "moved" notice. A meeting that started can still get a new end, not a new start."""
    now = now or utcnow()
    await service.require(
        s,
        action=Action.create_meeting,
        user=actor,
        group_id=meeting.group_id,
        refusal=service.SCHEDULE_REFUSED,
    )
    await _changeable(s, meeting, now=now, window=window)
    unknown = set(changes) - {"title", "starts_at", "ends_at"}
    if unknown:
        raise service.InvalidInput(f"Unknown field {sorted(unknown)[0]!r}.", field=sorted(unknown)[0])
    starts_at: datetime = changes.get("starts_at") or meeting.starts_at
    ends_at: datetime = changes.get("ends_at") or starts_at + (meeting.ends_at - meeting.starts_at)
    service.check_times(starts_at, ends_at, now=now)
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    started = meeting.starts_at <= now or meeting.state == MeetingState.open
    if starts_at != meeting.starts_at and started:
        raise service.MeetingStarted(
            "This meeting has already started (or its room was opened); only its end can change."
        )
    if changes.get("title") is not None:
        meeting.title = service.clean_line(changes["title"], field="title", label="The title", most=TITLE_MAX)
    previous = meeting.starts_at
    moved = (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.overridden = meeting.series_id is not None
    s.add(meeting)
    await s.flush()
    if moved:
        await service.record_notice(
            s,
            group_id=meeting.group_id,
            kind=NoticeKind.moved,
            meeting_id=meeting.id,
            previous_starts_at=previous,
            now=now,
        )
    return meeting


async def cancel_meeting(
    s: AsyncSession,
    *,
    meeting: Meeting,
    actor: User,
    now: datetime | None = None,
    window: RoomWindow = DEFAULT_WINDOW,
) -> Meeting:
    """Cancel a meeting that has not started (idempotent): its room never opens, an occurrence
    becomes an exdate of its series, and a "cancelled" notice is recorded."""
    now = now or utcnow()
    await service.require(
        s, action=Action.end_meeting, user=actor, group_id=meeting.group_id, refusal=service.CANCEL_REFUSED
    )
    if meeting.state == MeetingState.cancelled:
        return meeting
    if meeting.state == MeetingState.ended or service.status_of(meeting, now=now, window=window) == "ended":
        raise service.MeetingEnded("This meeting has already ended; it cannot be cancelled.")
    if meeting.starts_at <= now:
        raise service.MeetingStarted("This meeting has already started; end it instead of cancelling it.")
    meeting.state = MeetingState.cancelled
    s.add(meeting)
    await s.flush()
    if meeting.series_id is not None:
        await sync_exdates(s, meeting.series_id)
    await service.record_notice(
        s, group_id=meeting.group_id, kind=NoticeKind.cancelled, meeting_id=meeting.id, now=now
    )
    return meeting


async def extend_meeting(
    s: AsyncSession,
    *,
    meeting: Meeting,
    actor: User,
    minutes: int,
    now: datetime | None = None,
    window: RoomWindow = DEFAULT_WINDOW,
) -> Meeting:
    """Move the end `minutes` (5 to 120) later, so the room stays open longer; a meeting lasts
    at most 24 hours."""
    now = now or utcnow()
    await service.require(
        s, action=Action.end_meeting, user=actor, group_id=meeting.group_id, refusal=service.EXTEND_REFUSED
    )
    if meeting.state == MeetingState.cancelled:
        raise service.MeetingCancelled("This meeting was cancelled; it cannot be extended.")
    if meeting.state == MeetingState.ended or service.status_of(meeting, now=now, window=window) == "ended":
        raise service.MeetingEnded("This meeting has already ended; it cannot be extended.")
    if isinstance(minutes, bool) or not 5 <= minutes <= 120:
        raise service.InvalidInput("minutes must be a whole number from 5 to 120.", field="minutes")
    ends_at = meeting.ends_at + timedelta(minutes=minutes)
    if ends_at - meeting.starts_at > MAX_DURATION:
        raise service.InvalidInput("A meeting lasts at most 24 hours; extend it by less.", field="minutes")
    meeting.ends_at = ends_at
    meeting.overridden = meeting.series_id is not None
    s.add(meeting)
    await s.flush()
    return meeting


async def archive_group(
    s: AsyncSession, *, group: Group, actor: User, now: datetime | None = None
) -> tuple[Group, list[int]]:
    """Archive the group (idempotent): it leaves the directory, nothing new is scheduled, and
    every meeting that has not started yet is cancelled. Records an "archived" notice for the
    group and one per cancelled meeting; returns the group and the cancelled meetings' ids."""
    now = now or utcnow()
    assert group.id is not None
    await service.require(
        s, action=Action.edit_guidelines, user=actor, group_id=group.id, refusal=service.ARCHIVE_REFUSED
    )
    if group.archived_at is not None:
        return group, []
    group.archived_at = now
    s.add(group)
    query = (
        select(Meeting)
        .where(col(Meeting.group_id) == group.id, col(Meeting.starts_at) > now)
        .where(col(Meeting.state).in_([MeetingState.scheduled.value, MeetingState.open.value]))
        .order_by(col(Meeting.starts_at), col(Meeting.id))
    )
    cancelled = list((await s.exec(query)).all())
    for meeting in cancelled:
        meeting.state = MeetingState.cancelled
        s.add(meeting)
    await s.flush()
    for series_id in sorted({m.series_id for m in cancelled if m.series_id is not None}):
        await sync_exdates(s, series_id)
    await service.record_notice(s, group_id=group.id, kind=NoticeKind.archived, now=now)
    for meeting in cancelled:
        await service.record_notice(
            s, group_id=group.id, kind=NoticeKind.archived, meeting_id=meeting.id, now=now
        )
    return group, [m.id for m in cancelled if m.id is not None]
