"""What the host dashboard's forms do: schedule a one-off meeting or a series (the repeat
choices become an RFC 5545 RRULE for `meeting.groups.series.schedule`), change the group's
directory details, archive the group, and change or cancel one occurrence. The series' own
forms are in `meeting.web.series_forms`.

Each is a `FormAction`, called by `meeting.web.dashboard` once the form passed its CSRF check,
with what was typed; it returns the `done` notice for the redirect, or raises the service's
`GroupError` (`InvalidInput` naming the form field) that the page shows with the input kept.

    done = await schedule(s, group, user, {"title": ..., "date": ..., ...}, request)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request

from meeting.accounts.models import User
from meeting.attendance import service as attendance
from meeting.context import hearth
from meeting.groups import series, service
from meeting.groups.models import Group, Meeting
from meeting.groups.window import RoomWindow
from meeting.live import end_live_room
from meeting.reminders.seats import seat_email_task
from meeting.web.directory_fields import CHECKED, directory_values
from meeting.web.localtime import BadTime, meeting_times, zone_names
from meeting.web.repeats import build_rrule
from moderation.permissions import Action

FormAction = Callable[[AsyncSession, Group, User, dict[str, Any], Request], Awaitable[str]]
SCHEDULE_FIELDS = (
    "title",
    "date",
    "start_time",
    "end_time",
    "timezone",
    "repeat",
    "ends",
    "count",
    "until",
)
DETAIL_FIELDS = ("name", "description")  # and the directory fields, read by `directory_entered`
EDIT_FIELDS = ("title", "date", "start_time", "end_time")


def checked_zone(name: str) -> str:
    """`name` if it is one of the form's time zones; `InvalidInput` naming timezone otherwise."""
    if name not in zone_names():
        raise service.InvalidInput("Choose a time zone from the list.", field="timezone")
    return name


def form_times(entered: dict[str, Any], zone_name: str) -> tuple[datetime, datetime]:
    """The form's date, start and end time in `zone_name`, in UTC (`InvalidInput` naming the
    field that is not a time there)."""
    try:
        return meeting_times(entered["date"], entered["start_time"], entered["end_time"], zone_name)
    except BadTime as exc:
        raise service.InvalidInput(str(exc), field=exc.field) from None


def window(request: Request) -> RoomWindow:
    """This deployment's room window (`HEARTH_ROOM_OPENS_MINUTES`, `HEARTH_ROOM_GRACE_MINUTES`)."""
    return RoomWindow.from_settings(hearth(request).settings)


async def schedule(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    """Schedule one meeting, or a series when it repeats (`series.schedule`), in the chosen zone."""
    await service.require(s, action=Action.create_meeting, user=user, group_id=group.id)
    zone_name = checked_zone(entered["timezone"])
    starts_at, ends_at = form_times(entered, zone_name)
    rule = build_rrule(
        entered["repeat"] or "none",
        day=starts_at.astimezone(ZoneInfo(zone_name)).date(),
        ends=entered["ends"] or "never",
        count=entered["count"],
        until=entered["until"],
    )
    await series.schedule(
        s,
        group=group,
        actor=user,
        title=entered["title"],
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=zone_name,
        rrule=rule,
    )
    return "scheduled_one" if rule is None else "scheduled"


async def details(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    """Save the group's name, description and directory fields; more seats move the waitlists up."""
    changes = {"name": entered["name"], "description": entered["description"], **directory_values(entered)}
    before = group.size_limit
    await service.update_group(s, group=group, actor=user, changes=changes)
    if group.size_limit > before:  # more seats: the waitlists move up, and are told
        moved = await attendance.fill_group(s, group=group)
        request.state.background = seat_email_task(hearth(request), moved)
    return "details"


async def archive(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    """Archive the group once the box is ticked, and close the rooms of the meetings it cancelled."""
    if entered["confirm"] != CHECKED:
        raise service.InvalidInput(
            "Tick the box to confirm that you want to archive this group.", field="confirm"
        )
    _, cancelled = await series.archive_group(s, group=group, actor=user)
    await s.commit()  # the room's gate reads this: commit before rooms are closed
    for meeting_id in cancelled:
        await end_live_room(hearth(request), meeting_id)
    return "archived"


async def _occurrence(s: AsyncSession, group: Group, meeting_id: int) -> Meeting:
    meeting = await service.get_meeting(s, meeting_id=meeting_id)
    if meeting.group_id != group.id:
        raise service.NotFound(f"No meeting with id {meeting_id} in this group.")
    return meeting


async def edit(s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request) -> str:
    """Change one occurrence's title and times, read in the zone it was scheduled in."""
    meeting = await _occurrence(s, group, request.path_params["meeting_id"])
    await service.require(
        s, action=Action.create_meeting, user=user, group_id=group.id, refusal=service.SCHEDULE_REFUSED
    )
    starts_at, ends_at = form_times(entered, meeting.timezone)
    await series.edit_meeting(
        s,
        meeting=meeting,
        actor=user,
        changes={"title": entered["title"], "starts_at": starts_at, "ends_at": ends_at},
        window=window(request),
    )
    return "edited"


async def cancel(s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request) -> str:
    """Cancel one meeting that has not started, and close its room if it was opened early."""
    meeting = await _occurrence(s, group, request.path_params["meeting_id"])
    await series.cancel_meeting(s, meeting=meeting, actor=user, window=window(request))
    await s.commit()
    assert meeting.id is not None
    await end_live_room(hearth(request), meeting.id)  # in case a facilitator had opened it early
    return "cancelled"
