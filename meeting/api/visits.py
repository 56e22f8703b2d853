"""The visit endpoint: accept a welcoming group's guidelines, get a one-meeting visitor pass,
and optionally RSVP to that meeting as a visitor in the same request."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import read_json
from meeting.api.inputs import path_id
from meeting.api.openapi import Endpoint
from meeting.api.params import fail
from meeting.api.rsvps import RsvpPublic
from meeting.attendance import visits
from meeting.attendance.errors import AttendanceError
from meeting.context import hearth


class VisitRequest(BaseModel):
    """The guidelines `version` read and accepted, and optionally the meeting to visit."""

    model_config = ConfigDict(extra="forbid")
    version: int
    meeting_id: int | None = None


class VisitPublic(BaseModel):
    group_id: int
    user_id: int
    meeting_id: int | None
    created_at: datetime
    used_at: datetime | None
    rsvp: RsvpPublic | None = None


async def visit_group(request: Request) -> Response:
    """`POST /groups/{id}/visit`: a visitor pass, and optionally an RSVP."""
    user = await require_user(request)
    body = await read_json(request, VisitRequest)
    group_id = path_id(request, "group")
    try:
        async with hearth(request).db.session() as s:
            visit, booked = await visits.visit_group(
                s, group_id=group_id, user=user, version=body.version, meeting_id=body.meeting_id
            )
    except AttendanceError as exc:
        raise fail(exc) from None
    out = VisitPublic.model_validate(visit, from_attributes=True)
    out.rsvp = None if booked is None else RsvpPublic.model_validate(booked, from_attributes=True)
    return JSONResponse(out.model_dump(mode="json"))


ENDPOINTS_VISITS: list[Endpoint] = [
    Endpoint(
        "POST",
        "/groups/{id}/visit",
        visit_group,
        "Visit a group that takes visitors: accept its guidelines, get a one-meeting pass, and "
        "optionally RSVP to `meeting_id` as a visitor",
        body=VisitRequest,
        returns=VisitPublic,
        errors=(403, 404, 409, 415, 422),
        auth=True,
    ),
]
