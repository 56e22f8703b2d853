"""Attendance figures: numbers only, for one occurrence (its facilitators, host, admins) or a
group's occurrences over a time range (its host, admins) for the dashboard chart."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import ApiError
from meeting.api.inputs import instant_param, path_id
from meeting.api.openapi import Endpoint
from meeting.api.rsvps import staff_meeting
from meeting.attendance import figures, rsvps
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import service as groups
from moderation.permissions import Standing

DEFAULT_RANGE = timedelta(days=90)
MAX_RANGE = timedelta(days=732)


class MeetingFigures(BaseModel):
    """Numbers only: `no_shows` (RSVPed "going", never entered) is null until the meeting is over."""

    meeting_id: int
    starts_at: datetime
    ends_at: datetime
    state: str
    rsvp_going: int
    waitlist: int
    attended: int
    no_shows: int | None
    visitors: int
    visitors_attended: int


class GroupAttendance(BaseModel):
    """`GET /api/v1/groups/{id}/attendance`: one row per occurrence starting in [from, to)."""

    model_config = ConfigDict(populate_by_name=True)
    group_id: int
    starts_from: datetime = Field(alias="from")
    until: datetime = Field(alias="to")
    meetings: list[MeetingFigures]


def _figures(f: figures.Figures) -> MeetingFigures:
    return MeetingFigures.model_validate(f, from_attributes=True)


async def meeting_attendance(request: Request) -> Response:
    """`GET /meetings/{id}/attendance` (facilitators, group host, admins)."""
    user = await require_user(request)
    meeting = await staff_meeting(request, user, least=Standing.facilitator)
    async with hearth(request).db.session() as s:
        [found] = await figures.figures(s, meetings=[meeting])
    return JSONResponse(_figures(found).model_dump(mode="json"))


def _range(request: Request) -> tuple[datetime, datetime]:
    end = instant_param(request, "to") or utcnow()
    start = instant_param(request, "from") or end - DEFAULT_RANGE
    if end <= start:
        raise ApiError(422, "invalid_input", "Query 'to' must be after 'from'.")
    if end - start > MAX_RANGE:
        raise ApiError(422, "invalid_input", f"Ask for at most {MAX_RANGE.days} days at a time.")
    return start, end


async def group_attendance(request: Request) -> Response:
    """`GET /groups/{id}/attendance?from=…&to=…` (group host, admins)."""
    user = await require_user(request)
    group_id = path_id(request, "group")
    start, end = _range(request)
    async with hearth(request).db.session() as s:
        await groups.get_group(s, group_id=group_id)
        await rsvps.require_standing(
            s,
            user=user,
            group_id=group_id,
            least=Standing.host,
            what="Only this group's host or an administrator can see its attendance.",
        )
        meetings = await figures.meetings_between(s, group_id=group_id, start=start, end=end)
        rows = await figures.figures(s, meetings=meetings)
    body = GroupAttendance(
        group_id=group_id, starts_from=start, until=end, meetings=[_figures(f) for f in rows]
    )
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


ENDPOINTS_FIGURES: list[Endpoint] = [
    Endpoint(
        "GET",
        "/meetings/{id}/attendance",
        meeting_attendance,
        "Attendance figures of an occurrence, numbers only (facilitators, group host, admin)",
        returns=MeetingFigures,
        errors=(403, 404),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/groups/{id}/attendance",
        group_attendance,
        "Attendance per occurrence starting in [from, to) (ISO 8601; default the last 90 days), "
        "for the dashboard chart (group host, admin)",
        returns=GroupAttendance,
        errors=(403, 404, 422),
        auth=True,
    ),
]
