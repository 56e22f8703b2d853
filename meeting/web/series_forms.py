"""The host dashboard's recurring series: each one still to come, with an "Edit the series"
form (title, first date, times, time zone, how it repeats and ends: the fields of "Schedule
meetings", read the same way) and an "End the series" form.

Both call `meeting.groups.series.edit_series`, as `PATCH /api/v1/series/{id}` does: future
occurrences follow the new times and rule (those changed on their own keep theirs; members
who RSVPed are told of a move), meetings held or under way stay as they were. Ending a series
gives its rule an end at the current time (or at its first meeting, if none was held yet)
and cancels what would still come, with a notice to those who RSVPed.

    cards = [series_card(row) for row in await series_of(s, group_id=group.id, now=now)]
    done = await edit(s, group, user, entered, request)     # a dashboard `FormAction`
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from meeting.accounts.models import User
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import series, service
from meeting.groups.models import Group, MeetingSeries, MeetingState
from meeting.live import end_live_room
from meeting.scheduling import next_occurrence
from meeting.web.dashboard_forms import checked_zone, form_times, window
from meeting.web.directory_fields import CHECKED
from meeting.web.localtime import day_text
from meeting.web.repeats import KEEP, REPEATS, build_rrule, nth_weekday, rule_choices, rule_ending
from moderation.permissions import Action

SERIES_FIELDS = ("title", "date", "start_time", "end_time", "timezone", "repeat", "ends", "count", "until")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
REPEATS_DONE = "A series repeats: choose how often. To stop it, choose when it ends, or end it below."


async def series_of(s: AsyncSession, *, group_id: int, now: datetime) -> list[MeetingSeries]:
    """The group's series with a meeting still to start after `now` (cancelled ones aside),
    oldest first."""
    query = (
        select(MeetingSeries).where(col(MeetingSeries.group_id) == group_id).order_by(col(MeetingSeries.id))
    )
    return [row for row in (await s.exec(query)).all() if _continues(row, now=now)]


def _continues(row: MeetingSeries, *, now: datetime) -> bool:
    plan = series.plan_of(row)
    # The first occurrence still to end after now + its length is the first to start after now.
    return next_occurrence(plan, after=now + plan.duration) is not None


def series_form(row: MeetingSeries) -> dict[str, str]:
    """The series as its edit form holds it: its first meeting's date and times in its own
    zone, and its rule as the repeat and end choices (`repeats.rule_choices`)."""
    zone = ZoneInfo(row.timezone)
    start, end = row.starts_at.astimezone(zone), row.ends_at.astimezone(zone)
    rule = series.plan_of(row).rule
    assert rule is not None
    return {
        "title": row.title,
        "date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
        "timezone": row.timezone,
        **rule_choices(rule, first=start),
    }


def series_card(row: MeetingSeries) -> dict[str, Any]:
    """What the dashboard shows of one series: a summary ("Every Tuesday, 19:00 to 20:30
    (America/New York time), from Tue 9 Mar 2027; 4 meetings in all."), its form's values and
    its repeat choices (no "Does not repeat"; "keep" when the choices cannot say its rule)."""
    assert row.id is not None
    form = series_form(row)
    repeats = [(value, label) for value, label in REPEATS if value != "none"]
    if form["repeat"] == KEEP:
        repeats.append((KEEP, f"Keep its current rule ({row.rrule}) and its end"))
    return {
        "s": row,
        "key": f"series-{row.id}",
        "prefix": f"s{row.id}-",
        "form": form,
        "repeats": repeats,
        "summary": _summary(row, form),
    }


def _summary(row: MeetingSeries, form: dict[str, str]) -> str:
    zone = ZoneInfo(row.timezone)
    first = row.starts_at.astimezone(zone)
    weekday = f"{first:%A}"
    how = {
        "weekly": f"Every {weekday}",
        "biweekly": f"Every other {weekday}",
        "monthly": f"The {ORDINALS[nth_weekday(first.date())]} {weekday} of each month",
    }.get(form["repeat"], f"By the rule {row.rrule}")
    text = (
        f"{how}, {form['start_time']} to {form['end_time']} ({row.timezone.replace('_', ' ')} time), "
        f"from {day_text(first)}"
    )
    rule = series.plan_of(row).rule
    if rule is not None and rule.count is not None:
        return f"{text}; {rule.count} meetings in all."
    if rule is not None and rule.until is not None:
        return f"{text}; the last on or before {day_text(rule.until.astimezone(zone))}."
    return f"{text}."


async def _series(s: AsyncSession, group: Group, request: Request, user: User) -> MeetingSeries:
    row = await series.get_series(s, series_id=request.path_params["series_id"])
    if row.group_id != group.id:
        raise service.NotFound(f"No series with id {row.id} in this group.")
    await service.require(
        s, action=Action.create_meeting, user=user, group_id=group.id, refusal=service.SCHEDULE_REFUSED
    )
    return row


async def edit(s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request) -> str:
    """Change the whole series as its form says (`series.edit_series`)."""
    row = await _series(s, group, request, user)
    zone_name = checked_zone(entered["timezone"])
    starts_at, ends_at = form_times(entered, zone_name)
    changes: dict[str, Any] = {
        "title": entered["title"],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "timezone": zone_name,
    }
    repeat = entered["repeat"]
    if repeat == "none":
        raise service.InvalidInput(REPEATS_DONE, field="repeat")
    if repeat != KEEP:
        changes["rrule"] = build_rrule(
            repeat,
            day=starts_at.astimezone(ZoneInfo(zone_name)).date(),
            ends=entered["ends"] or "never",
            count=entered["count"],
            until=entered["until"],
        )
    await series.edit_series(s, series=row, actor=user, changes=changes)
    return "series_edited"


async def end(s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request) -> str:
    """End the series now: its rule stops, and its meetings not yet started are cancelled."""
    row = await _series(s, group, request, user)
    if entered["confirm"] != CHECKED:
        raise service.InvalidInput(
            "Tick the box to confirm that you want to end this series.", field="confirm"
        )
    now = utcnow()
    plan = series.plan_of(row)
    assert plan.rule is not None
    rule = rule_ending(plan.rule, last=max(now, plan.first_start))
    await series.edit_series(s, series=row, actor=user, changes={"rrule": rule}, now=now)
    cancelled = []
    for meeting in await series.series_upcoming(s, series=row, now=now):
        if meeting.starts_at > now and meeting.state != MeetingState.cancelled:  # its first, not yet held
            await series.cancel_meeting(s, meeting=meeting, actor=user, now=now, window=window(request))
            cancelled.append(meeting.id)
    await s.commit()  # the room's gate reads this: commit before rooms are closed
    for meeting_id in cancelled:
        if meeting_id is not None:
            await end_live_room(hearth(request), meeting_id)
    return "series_ended"
