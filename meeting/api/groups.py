"""Group endpoints of the JSON API: `/api/v1/groups` (the directory) and `/api/v1/groups/{id}/...`.

Every endpoint needs a logged-in session (401 `not_authenticated`). Handlers translate
`meeting.groups` errors into the usual `{"error": {"code", "message", "field"?}}` shape:
422 `invalid_input`, 403 `forbidden`, 404 `not_found`, 409 `guidelines_changed` (with
`current_version`), `meeting_ended`, `meeting_cancelled`, `meeting_started` or
`group_archived`. Times go out in UTC as ISO 8601 with `Z`. Meeting and series endpoints
under `/api/v1/meetings` and `/api/v1/series` are in `meeting.api.meetings`.

The directory is in `meeting.api.directory`, membership endpoints (join, accept the
guidelines, add facilitators and co-hosts) in `meeting.api.memberships`, reading ids and
instants from a request in `meeting.api.inputs`; all of it is importable from here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.accounts.models import User
from meeting.api.accounts import require_user
from meeting.api.directory import DirectoryEntry, DirectoryPagePublic, NextMeetingPublic, list_groups
from meeting.api.errors import check_origin, read_json
from meeting.api.inputs import instant_param, non_null, path_id
from meeting.api.memberships import (
    Agreement,
    FacilitatorAssign,
    HostAssign,
    accept_guidelines,
    add_host,
    assign_facilitator,
    join_group,
    membership_public,
)
from meeting.attendance import service as attendance
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import series, service
from meeting.groups.models import (
    GUIDELINES_MAX,
    Group,
    GroupCreate,
    GroupDetail,
    GroupPublic,
    GroupUpdate,
    Meeting,
    MeetingCreate,
    MeetingPublic,
    MeetingScheduled,
    MeetingSeries,
    PersonPublic,
    SeriesPublic,
)
from meeting.groups.window import RoomWindow
from meeting.live import end_live_room
from meeting.moderation import service as moderation
from meeting.reminders.seats import seat_email_task

__all__ = [
    "Agreement",
    "DirectoryEntry",
    "DirectoryPagePublic",
    "FacilitatorAssign",
    "GuidelinesUpdate",
    "HostAssign",
    "NextMeetingPublic",
    "accept_guidelines",
    "add_host",
    "archive_group",
    "assign_facilitator",
    "create_group",
    "create_meeting",
    "end_meeting",
    "get_group",
    "get_meeting",
    "group_detail",
    "instant_param",
    "join_group",
    "list_groups",
    "list_meetings",
    "meeting_public",
    "membership_public",
    "non_null",
    "open_meeting",
    "path_id",
    "series_public",
    "update_group",
    "update_guidelines",
    "window_of",
]


class GuidelinesUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=GUIDELINES_MAX)


def window_of(request: Request) -> RoomWindow:
    return RoomWindow.from_settings(hearth(request).settings)


def meeting_public(meeting: Meeting, *, window: RoomWindow, now: datetime | None = None) -> dict[str, Any]:
    room = service.status_of(meeting, now=now or utcnow(), window=window)
    data = {name: getattr(meeting, name) for name in MeetingPublic.model_fields if hasattr(meeting, name)}
    data |= {
        "opens_at": window.opens_at(meeting),
        "closes_at": window.closes_at(meeting),
        "room_status": room,
        "status": service.member_status(room),
    }
    return MeetingPublic.model_validate(data).model_dump(mode="json")


def series_public(row: MeetingSeries) -> dict[str, Any]:
    data = row.model_dump() | {"exdates": [series.parse_key(key) for key in row.exdates]}
    return SeriesPublic.model_validate(data).model_dump(mode="json")


async def group_detail(
    s: AsyncSession, *, group: Group, user: User, window: RoomWindow, now: datetime | None = None
) -> dict[str, Any]:
    """The group with its topics, hosts and facilitators, upcoming meetings, and the caller's
    role and newest accepted guidelines version."""
    assert group.id is not None
    assert user.id is not None
    now = now or utcnow()
    topics = (await service.topics_of(s, group_ids=[group.id]))[group.id]
    data = GroupPublic.model_validate(group.model_dump() | {"topics": topics}).model_dump()
    people = [
        PersonPublic(user_id=uid, display_name=name, role=role)
        for uid, name, role in await service.runners_of(s, group_id=group.id)
    ]
    upcoming = [
        meeting_public(m, window=window, now=now) for m in await series.upcoming(s, group=group, now=now)
    ]
    detail = GroupDetail.model_validate(
        data
        | {
            "your_role": await service.role_in(s, group_id=group.id, user_id=user.id),
            "your_accepted_version": await service.accepted_version(s, group_id=group.id, user_id=user.id),
            "facilitators": people,
            "upcoming": upcoming,
        }
    )
    return detail.model_dump(mode="json")


async def create_group(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, GroupCreate)
    async with hearth(request).db.session() as s:
        group = await service.create_group(
            s,
            creator=user,
            name=body.name,
            description=body.description,
            guidelines=body.guidelines,
            topics=body.topics,
            style=body.style,
            credential=body.credential,
            language=body.language,
            size_limit=body.size_limit,
            visibility=body.visibility,
            visitors_allowed=body.visitors_allowed,
        )
        detail = await group_detail(s, group=group, user=user, window=window_of(request))
    return JSONResponse(detail, status_code=201)


async def get_group(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        detail = await group_detail(s, group=group, user=user, window=window_of(request))
    return JSONResponse(detail)


async def update_group(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, GroupUpdate)
    group_id = path_id(request, "group")
    changes = non_null(body.model_dump(exclude_unset=True), nullable=("credential",))
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        before = group.size_limit
        group = await service.update_group(s, group=group, actor=user, changes=changes)
        moved = await attendance.fill_group(s, group=group) if group.size_limit > before else {}
        detail = await group_detail(s, group=group, user=user, window=window_of(request))
    return JSONResponse(detail, background=seat_email_task(hearth(request), moved))


async def archive_group(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        group, cancelled = await series.archive_group(s, group=group, actor=user)
        await s.commit()  # the room's gate reads this: commit before rooms are closed
        detail = await group_detail(s, group=group, user=user, window=window_of(request))
    for meeting_id in cancelled:
        await end_live_room(hearth(request), meeting_id)
    return JSONResponse(detail)


async def update_guidelines(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, GuidelinesUpdate)
    group_id = path_id(request, "group")
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        group = await service.update_guidelines(s, group=group, actor=user, text=body.text)
        detail = await group_detail(s, group=group, user=user, window=window_of(request))
    return JSONResponse(detail)


async def list_meetings(request: Request) -> Response:
    await require_user(request)
    group_id = path_id(request, "group")
    now = utcnow()
    start = instant_param(request, "from") or now
    end = instant_param(request, "to") or start + series.AHEAD
    window = window_of(request)
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        found = await series.meetings_between(s, group=group, start=start, end=end)
    body = {
        "group_id": group_id,
        "starts_from": start.isoformat().replace("+00:00", "Z"),
        "until": end.isoformat().replace("+00:00", "Z"),
        "meetings": [meeting_public(m, window=window, now=now) for m in found],
    }
    return JSONResponse(body)


async def create_meeting(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, MeetingCreate)
    group_id = path_id(request, "group")
    window = window_of(request)
    async with hearth(request).db.session() as s:
        group = await service.get_group(s, group_id=group_id)
        meeting, made = await series.schedule(
            s,
            group=group,
            actor=user,
            title=body.title,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            timezone=body.timezone,
            rrule=body.rrule,
        )
        data = meeting_public(meeting, window=window)
        if made is not None:
            data["series"] = series_public(made)
    scheduled = MeetingScheduled.model_validate(data)  # a one-off reads exactly as GET /meetings/{id}
    answer = scheduled.model_dump(mode="json", exclude={"series"} if made is None else None)
    return JSONResponse(answer, status_code=201)


async def get_meeting(request: Request) -> Response:
    await require_user(request)
    meeting_id = path_id(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
    return JSONResponse(meeting_public(meeting, window=window_of(request)))


async def _change_meeting(request: Request, *, end: bool) -> Response:
    user: User = await require_user(request)
    check_origin(request)
    meeting_id = path_id(request, "meeting")
    window = window_of(request)
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
        if end:  # an ending is audited
            meeting = await moderation.end_meeting(s, meeting=meeting, actor=user)
        else:
            meeting = await service.open_meeting(s, meeting=meeting, actor=user, window=window)
    if end:
        await end_live_room(hearth(request), meeting_id)
    return JSONResponse(meeting_public(meeting, window=window))


async def open_meeting(request: Request) -> Response:
    return await _change_meeting(request, end=False)


async def end_meeting(request: Request) -> Response:
    return await _change_meeting(request, end=True)
