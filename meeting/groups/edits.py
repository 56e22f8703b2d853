"""Changing scheduled meetings: a whole series (`edit_series`), or one meeting's title and
times (`edit_meeting`) or end (`extend_meeting`).

    await edit_series(s, series=row, actor=host, changes={"rrule": "FREQ=WEEKLY;BYDAY=WE"})
    await edit_meeting(s, meeting=m, actor=host, changes={"starts_at": later})   # now `overridden`
    await extend_meeting(s, meeting=m, actor=facilitator, minutes=15)

Each checks the actor's power and the group (not archived) first, and raises a `GroupError`
whose message is safe to show. Members who RSVPed get a "moved" notice when a time changes.
`now` defaults to the current time (`meeting.db.utcnow`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from meeting.accounts.models import User
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.models import TITLE_MAX, Meeting, MeetingSeries, MeetingState, NoticeKind
from meeting.groups.occurrences import (
    build_plan,
    horizon,
    insert_occurrences,
    occurrence_row,
    sync_exdates,
    with_rsvps,
)
from meeting.groups.window import DEFAULT_WINDOW, RoomWindow
from meeting.scheduling import MAX_DURATION, Series, generated, local_original
from moderation.permissions import Action

_MEETINGS = Meeting.__table__  # type: ignore[attr-defined]

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
    return build_plan(start=start, end=end, timezone=zone_name, rrule=rrule), title


@dataclass(frozen=True)
class _Matching:
    """What a series edit does with each row of the series (see `edit_series`)."""

    touched: list[Meeting]  # future and waiting: each is matched by its local date
    detach: list[int | None]  # started or open rows the new rule no longer has
    matched: list[tuple[Meeting, datetime]]  # touched rows and their new original start
    unmatched: list[Meeting]  # touched rows the new rule has no date for
    new_starts: list[datetime]  # the new rule's dates no row had, in order


def _match(
    rows: list[Meeting], plan: Series, *, old_zone: ZoneInfo, now: datetime, horizon: datetime
) -> _Matching:
    waiting = (MeetingState.scheduled, MeetingState.cancelled)
    touched = [r for r in rows if r.state in waiting and r.starts_at > now and r.original_start is not None]
    kept = [r for r in rows if r not in touched]
    kept_keys = {
        r.original_start
        for r in kept
        if r.original_start is not None and local_original(plan, r.original_start) is not None
    }
    detach = [r.id for r in kept if r.original_start not in kept_keys]
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
    return _Matching(touched, detach, matched, unmatched, sorted(by_date.values()))


async def _set_apart(s: AsyncSession, matching: _Matching, rsvped: set[int], *, now: datetime) -> None:
    """Detach the rows that leave the series, clear the touched rows' keys, and cancel (with a
    notice) or delete each unmatched row, as it has RSVPs or not."""
    table = _MEETINGS
    apart = [*matching.detach, *(r.id for r in matching.unmatched if r.id in rsvped)]
    if apart:
        await s.exec(
            sa.update(table).where(table.c.id.in_(apart)).values(series_id=None, original_start=None)
        )
    if matching.touched:  # clear the keys first, so that no two rows ever hold the same one
        touched = [r.id for r in matching.touched]
        await s.exec(sa.update(table).where(table.c.id.in_(touched)).values(original_start=None))
    for row in matching.unmatched:
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


async def _rekey(
    s: AsyncSession, matched: list[tuple[Meeting, datetime]], *, plan: Series, title: str, now: datetime
) -> None:
    """Give each matched row its new key; one not edited on its own also the new times and title."""
    table = _MEETINGS
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
    until = max(series.materialized_until, horizon(plan.first_start, now=now))
    matching = _match(rows, plan, old_zone=old_zone, now=now, horizon=until)
    rsvped = await with_rsvps(s, [r.id for r in matching.unmatched if r.id is not None])
    await _set_apart(s, matching, rsvped, now=now)
    await _rekey(s, matching.matched, plan=plan, title=title, now=now)

    series.title, series.timezone, series.rrule = title, plan.timezone, str(plan.rule)
    series.starts_at, series.ends_at = plan.first_start, plan.end.astimezone(UTC)
    series.materialized_until = until
    s.add(series)
    await s.flush()
    await insert_occurrences(
        s, [occurrence_row(series, start, cancelled=False, now=now) for start in matching.new_starts]
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
