"""`GET /me/meetings`: the upcoming occurrences the member RSVPed to, in their time zone."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import ApiError
from meeting.api.openapi import Endpoint
from meeting.attendance import feed, prefs
from meeting.attendance.models import RsvpStatus
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.window import RoomWindow


class MyMeeting(BaseModel):
    """An occurrence you RSVPed to: times in UTC and in `timezone` (yours), the meeting's
    `state`, its `room_status` (not_yet, open, ended, cancelled) and your RSVP."""

    meeting_id: int
    group_id: int
    group_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    local_starts_at: str
    local_ends_at: str
    state: str
    room_status: str
    opens_at: datetime
    room_url: str
    rsvp_status: RsvpStatus
    visitor: bool
    waitlist_position: int | None
    seats_left: int


class MyMeetings(BaseModel):
    timezone: str
    meetings: list[MyMeeting]


async def my_meetings(request: Request) -> Response:
    """`GET /me/meetings?tz=…`: what you RSVPed to that has not ended, soonest first."""
    user = await require_user(request)
    assert user.id is not None
    h = hearth(request)
    now = utcnow()
    window = RoomWindow.from_settings(h.settings)
    async with h.db.session() as s:
        mine = await prefs.preferences(s, user_id=user.id)
        found = await feed.my_meetings(s, user_id=user.id, now=now)
    asked = request.query_params.get("tz")
    zone = prefs.viewer_zone(asked or mine.timezone)
    if asked and zone.key != asked and asked.lower() != zone.key.lower():
        raise ApiError(422, "invalid_input", f"Query 'tz' {asked!r} is not an IANA time zone name.")
    rows = [
        MyMeeting(
            meeting_id=item.meeting.id or 0,
            group_id=item.group.id or 0,
            group_name=item.group.name,
            title=item.meeting.title,
            starts_at=item.meeting.starts_at,
            ends_at=item.meeting.ends_at,
            local_starts_at=item.meeting.starts_at.astimezone(zone).isoformat(),
            local_ends_at=item.meeting.ends_at.astimezone(zone).isoformat(),
            state=str(item.meeting.state),
            room_status=groups.status_of(item.meeting, now=now, window=window),
            opens_at=window.opens_at(item.meeting),
            room_url=f"/meetings/{item.meeting.id}",
            rsvp_status=item.rsvp.status,
            visitor=item.rsvp.visitor,
            waitlist_position=item.rsvp.waitlist_position,
            seats_left=item.rsvp.seats_left,
        )
        for item in found
    ]
    return JSONResponse(MyMeetings(timezone=zone.key, meetings=rows).model_dump(mode="json"))


ENDPOINTS_MY_MEETINGS: list[Endpoint] = [
    Endpoint(
        "GET",
        "/me/meetings",
        my_meetings,
        "The upcoming occurrences you RSVPed to, in your time zone (query tz overrides it)",
        returns=MyMeetings,
        errors=(422,),
        auth=True,
    ),
]
