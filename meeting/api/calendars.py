"""Calendar endpoints: one occurrence's `.ics`, a group's feed, and the member's secret feed
URL (made, checked, revoked here; served by `calendar_routes()` at `/calendar/{token}.ics`,
outside `/api/v1` and without cookies, since calendar programs send none).

Entries are titled "Hearth meeting" unless the member opted in to group names."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meeting.accounts.models import Role, User
from meeting.api.accounts import require_user
from meeting.api.errors import ApiError, check_origin
from meeting.api.inputs import path_id
from meeting.api.openapi import Endpoint
from meeting.attendance import prefs, rsvps
from meeting.calendars import service as calendars
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.models import Group, Meeting
from meeting.web.auth import current_user

CALENDAR_TYPE = "text/calendar; charset=utf-8"
NO_STORE = {"Cache-Control": "private, no-store"}


class CalendarTokenCreated(BaseModel):
    """The feed's secret URL, shown this once; a new one replaces it."""

    url: str
    created_at: datetime


class CalendarTokenState(BaseModel):
    active: bool
    created_at: datetime | None


def _calendar(body: bytes, filename: str) -> Response:
    headers = NO_STORE | {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(body, media_type=CALENDAR_TYPE, headers=headers)


async def _reveal(s: AsyncSession, user: User | None) -> bool:
    if user is None or user.id is None:
        return False
    return (await prefs.preferences(s, user_id=user.id)).reveal_group_name


async def _may_see(s: AsyncSession, *, user: User, meeting: Meeting, group: Group) -> bool:
    assert user.id is not None
    if user.role == Role.admin:
        return True
    if await groups.role_in(s, group_id=group.id or 0, user_id=user.id) is not None:
        return True
    if await rsvps.get_rsvp(s, meeting_id=meeting.id or 0, user_id=user.id) is not None:
        return True
    return group.visibility == "listed" and group.archived_at is None


async def meeting_ics(request: Request) -> Response:
    """`GET /meetings/{id}.ics`: one occurrence, for those who may see it (else 404)."""
    user = await require_user(request)
    meeting_id = path_id(request, "meeting")
    h = hearth(request)
    async with h.db.session() as s:
        meeting = await groups.get_meeting(s, meeting_id=meeting_id)
        group = await groups.get_group(s, group_id=meeting.group_id)
        if not await _may_see(s, user=user, meeting=meeting, group=group):
            raise ApiError(404, "not_found", f"No meeting with id {meeting_id}.")
        reveal = await _reveal(s, user)
    body = calendars.meeting_file(
        meeting, group=group, reveal=reveal, base_url=h.settings.base_url, now=utcnow()
    )
    return _calendar(body, f"hearth-meeting-{meeting_id}.ics")


async def group_ics(request: Request) -> Response:
    """Listed groups' feeds need no login (calendar programs send no cookies); others only
    for their members (and admins), and 404 to anyone else."""
    user = await current_user(request)
    group_id = path_id(request, "group")
    h = hearth(request)
    async with h.db.session() as s:
        group = await groups.get_group(s, group_id=group_id)
        role = None
        if user is not None and user.id is not None:
            role = await groups.role_in(s, group_id=group_id, user_id=user.id)
        admin = user is not None and user.role == Role.admin
        if group.visibility != "listed" and role is None and not admin:
            raise ApiError(404, "not_found", f"No group with id {group_id}.")
        reveal = await _reveal(s, user)
        body = await calendars.group_feed(
            s, group=group, reveal=reveal, base_url=h.settings.base_url, now=utcnow()
        )
    return _calendar(body, f"hearth-group-{group_id}.ics")


async def create_calendar_token(request: Request) -> Response:
    """`POST /me/calendar-token`: a new secret feed URL, replacing the old one."""
    user = await require_user(request)
    assert user.id is not None
    check_origin(request)
    h = hearth(request)
    now = utcnow()
    async with h.db.session() as s:
        token = await calendars.new_token(s, user_id=user.id, now=now)
    body = CalendarTokenCreated(url=f"{h.settings.base_url}/calendar/{token}.ics", created_at=now)
    return JSONResponse(body.model_dump(mode="json"), status_code=201, headers=NO_STORE)


async def calendar_token_state(request: Request) -> Response:
    """`GET /me/calendar-token`: whether a feed URL exists, and since when."""
    user = await require_user(request)
    assert user.id is not None
    async with hearth(request).db.session() as s:
        created = await calendars.token_created(s, user_id=user.id)
    return JSONResponse(
        CalendarTokenState(active=created is not None, created_at=created).model_dump(mode="json")
    )


async def revoke_calendar_token(request: Request) -> Response:
    """`DELETE /me/calendar-token`: the feed URL stops working."""
    user = await require_user(request)
    assert user.id is not None
    check_origin(request)
    async with hearth(request).db.session() as s:
        await calendars.revoke_token(s, user_id=user.id)
    return Response(status_code=204)


async def member_feed(request: Request) -> Response:
    """`GET /calendar/{token}.ics`: the member's "my meetings", no cookies; 404 when unknown."""
    token = str(request.path_params["token"])
    h = hearth(request)
    async with h.db.session() as s:
        user_id = await calendars.token_owner(s, token=token)
        if user_id is None:
            return Response("No such calendar.", status_code=404, media_type="text/plain", headers=NO_STORE)
        mine = await prefs.preferences(s, user_id=user_id)
        body = await calendars.member_feed(
            s, user_id=user_id, reveal=mine.reveal_group_name, base_url=h.settings.base_url
        )
    return _calendar(body, "hearth-meetings.ics")


def calendar_routes() -> list[Route]:
    """The member feed, outside `/api/v1`: add these to the app's routes."""
    return [Route("/calendar/{token}.ics", member_feed, methods=["GET"])]


ENDPOINTS_CALENDARS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/meetings/{id}.ics",
        meeting_ics,
        'The occurrence as an iCalendar file (titled "Hearth meeting" unless you opted in to '
        "group names); members, visitors who RSVPed, and anyone for listed groups",
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/calendar.ics",
        group_ics,
        "The group's calendar feed: series with RRULE and EXDATE, and one-off meetings (listed "
        "groups: anyone, no login; others: members)",
        errors=(404,),
    ),
    Endpoint(
        "GET",
        "/me/calendar-token",
        calendar_token_state,
        "Whether your secret calendar feed URL exists (the URL itself is shown only when made)",
        returns=CalendarTokenState,
        auth=True,
    ),
    Endpoint(
        "POST",
        "/me/calendar-token",
        create_calendar_token,
        'Make (or replace) your secret "my meetings" calendar feed URL; shown this once',
        returns=CalendarTokenCreated,
        status=201,
        auth=True,
    ),
    Endpoint(
        "DELETE",
        "/me/calendar-token",
        revoke_calendar_token,
        "Revoke your calendar feed URL",
        status=204,
        auth=True,
    ),
]
