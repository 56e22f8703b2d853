"""RSVP endpoints: answer, look, cancel (the waitlist moves up; who got a seat is told, and
emailed after the response when email is set up), and the list of who is coming for the
group's facilitators, hosts and admins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.accounts.models import User
from meeting.api.accounts import require_user
from meeting.api.errors import ApiError, check_origin
from meeting.api.inputs import path_id
from meeting.api.openapi import Endpoint
from meeting.api.params import fail
from meeting.attendance import rsvps
from meeting.attendance.errors import AttendanceError
from meeting.attendance.models import RsvpStatus
from meeting.context import hearth
from meeting.groups import service as groups
from meeting.groups.models import Meeting
from meeting.reminders.seats import seat_email_task
from moderation.permissions import Standing


class RsvpPublic(BaseModel):
    """Your RSVP: "going" (a seat) or "waitlist" (`waitlist_position`, from 1); `seats_left`
    in the occurrence after it."""

    meeting_id: int
    user_id: int
    status: RsvpStatus
    visitor: bool
    created_at: datetime
    waitlist_position: int | None
    seats_left: int


class RsvpPerson(BaseModel):
    user_id: int
    display_name: str
    visitor: bool
    staff: bool
    created_at: datetime


class RsvpCounts(BaseModel):
    going: int
    waitlist: int
    seats_taken: int
    seats_left: int
    size_limit: int


class RsvpListPublic(BaseModel):
    """`GET /api/v1/meetings/{id}/rsvps` (facilitators, hosts, admins): in RSVP order; staff
    (`staff`) never take a seat."""

    meeting_id: int
    going: list[RsvpPerson]
    waitlist: list[RsvpPerson]
    counts: RsvpCounts


def rsvp_json(view: rsvps.RsvpView) -> dict[str, Any]:
    """An RSVP as the API shows it."""
    return RsvpPublic.model_validate(view, from_attributes=True).model_dump(mode="json")


async def post_rsvp(request: Request) -> Response:
    """`POST /meetings/{id}/rsvp`: going, or on the waitlist (idempotent)."""
    user = await require_user(request)
    check_origin(request)
    meeting_id = path_id(request, "meeting")
    try:
        async with hearth(request).db.session() as s:
            view = await rsvps.rsvp(s, meeting_id=meeting_id, user=user)
    except AttendanceError as exc:
        raise fail(exc) from None
    return JSONResponse(rsvp_json(view))


async def get_rsvp(request: Request) -> Response:
    """`GET /meetings/{id}/rsvp`: your RSVP, with your place on the waitlist."""
    user = await require_user(request)
    assert user.id is not None
    meeting_id = path_id(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await groups.get_meeting(s, meeting_id=meeting_id)
        row = await rsvps.get_rsvp(s, meeting_id=meeting_id, user_id=user.id)
        if row is None:
            raise ApiError(404, "not_found", "You have not RSVPed to this meeting.")
        group = await groups.get_group(s, group_id=meeting.group_id)
        view = await rsvps.view_of(s, row, group)
    return JSONResponse(rsvp_json(view))


async def delete_rsvp(request: Request) -> Response:
    """Cancel; whoever the waitlist moved up is emailed once the answer is sent."""
    user = await require_user(request)
    check_origin(request)
    meeting_id = path_id(request, "meeting")
    h = hearth(request)
    try:
        async with h.db.session() as s:
            promoted = await rsvps.cancel_rsvp(s, meeting_id=meeting_id, user=user)
    except AttendanceError as exc:
        raise fail(exc) from None
    return Response(status_code=204, background=seat_email_task(h, {meeting_id: promoted}))


async def staff_meeting(request: Request, user: User, *, least: Standing) -> Meeting:
    """The meeting in the path, if `user` stands at least `least` in its group (else 403)."""
    meeting_id = path_id(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await groups.get_meeting(s, meeting_id=meeting_id)
        await rsvps.require_standing(
            s,
            user=user,
            group_id=meeting.group_id,
            least=least,
            what="Only this group's facilitators, host or an administrator can see this.",
        )
    return meeting


def _people(items: list[rsvps.RsvpPerson]) -> list[RsvpPerson]:
    return [
        RsvpPerson(
            user_id=p.user_id, display_name=p.name, visitor=p.visitor, staff=p.staff, created_at=p.created_at
        )
        for p in items
    ]


async def list_rsvps(request: Request) -> Response:
    """`GET /meetings/{id}/rsvps`: who is going and who waits, with counts."""
    user = await require_user(request)
    meeting = await staff_meeting(request, user, least=Standing.facilitator)
    async with hearth(request).db.session() as s:
        found = await rsvps.rsvp_list(s, meeting=meeting)
    body = RsvpListPublic(
        meeting_id=meeting.id or 0,
        going=_people(found.going),
        waitlist=_people(found.waitlist),
        counts=RsvpCounts(
            going=len(found.going),
            waitlist=len(found.waitlist),
            seats_taken=found.seats_taken,
            seats_left=found.seats_left,
            size_limit=found.size_limit,
        ),
    )
    return JSONResponse(body.model_dump(mode="json"))


ENDPOINTS_RSVPS: list[Endpoint] = [
    Endpoint(
        "POST",
        "/meetings/{id}/rsvp",
        post_rsvp,
        "RSVP to an occurrence: going while seats remain, else the waitlist (members, visitors "
        "with a pass; idempotent)",
        returns=RsvpPublic,
        errors=(403, 404, 409),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/meetings/{id}/rsvp",
        get_rsvp,
        "Your RSVP to an occurrence",
        returns=RsvpPublic,
        errors=(404,),
        auth=True,
    ),
    Endpoint(
        "DELETE",
        "/meetings/{id}/rsvp",
        delete_rsvp,
        "Cancel your RSVP (idempotent); the oldest on the waitlist takes the seat, and is told "
        "(a notice, and an email when they take email)",
        status=204,
        errors=(404, 409),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/meetings/{id}/rsvps",
        list_rsvps,
        "Who is going and who waits, with counts (facilitators, group host, admin)",
        returns=RsvpListPublic,
        errors=(403, 404),
        auth=True,
    ),
]
