"""RSVP, visitor, attendance, preference, feed and calendar endpoints of the JSON API.

`ENDPOINTS_ATTENDANCE` joins the table in `meeting.api` (before `GET /meetings/{id}`, which
would otherwise take `/meetings/7.ics`); `calendar_routes()` serves the member's secret feed
at `/calendar/{token}.ics`, outside `/api/v1` and without cookies.

Errors have the usual `{"error": {"code", "message"}}` shape: 401 `not_authenticated`,
403 `forbidden` / `visitors_not_allowed`, 404 `not_found`, 409 `meeting_cancelled`,
`meeting_ended`, `group_archived`, `already_member`, `visit_used`, `visit_taken`,
`guidelines_changed`, 422 `invalid_input`. Times go out in UTC as ISO 8601 with `Z`, and
"local" ones with the viewer's offset.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meeting.accounts.models import Role, User
from meeting.api.accounts import require_user
from meeting.api.errors import ApiError, check_origin, read_json
from meeting.api.openapi import Endpoint
from meeting.attendance import service as attendance
from meeting.attendance.models import PrefsPublic, PrefsUpdate, RsvpStatus
from meeting.calendars import service as calendars
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import service as groups
from meeting.groups.models import Group, GroupNotice, Meeting
from meeting.groups.window import RoomWindow
from meeting.web.auth import current_user
from moderation.permissions import Standing

CALENDAR_TYPE = "text/calendar; charset=utf-8"
NO_STORE = {"Cache-Control": "private, no-store"}
DEFAULT_RANGE = timedelta(days=90)
MAX_RANGE = timedelta(days=732)


# --- shapes -----------------------------------------------------------------------------------


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


class NoticePublic(BaseModel):
    """Something you should know: a meeting you RSVPed to was `cancelled` or `moved`
    (`previous_starts_at` is when it was), a group of yours was `archived`, or, after a visit,
    you are `invited` to join the group."""

    kind: Literal["cancelled", "moved", "archived", "invited"]
    group_id: int
    group_name: str
    meeting_id: int | None
    starts_at: datetime | None
    previous_starts_at: datetime | None
    created_at: datetime
    message: str


class NoticeList(BaseModel):
    notices: list[NoticePublic]


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


class CalendarTokenCreated(BaseModel):
    """The feed's secret URL, shown this once; a new one replaces it."""

    url: str
    created_at: datetime


class CalendarTokenState(BaseModel):
    active: bool
    created_at: datetime | None


# --- helpers ----------------------------------------------------------------------------------


def path_int(request: Request, what: str, name: str = "id") -> int:
    raw = str(request.path_params[name])
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ApiError(404, "not_found", f"No {what} with id {raw!r}.")
    return int(raw)


def _fail(exc: attendance.AttendanceError) -> ApiError:
    return ApiError(exc.status, exc.code, str(exc))


def _rsvp(view: attendance.RsvpView) -> dict[str, Any]:
    return RsvpPublic.model_validate(view, from_attributes=True).model_dump(mode="json")


def _query_time(request: Request, name: str) -> datetime | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None

    class _T(BaseModel):
        value: AwareDatetime

    try:
        return _T.model_validate({"value": raw}).value
    except ValidationError:
        raise ApiError(
            422,
            "invalid_input",
            f"Query {name!r} must be an ISO 8601 time with an offset, like 2026-03-01T00:00:00Z.",
        ) from None


def _calendar(body: bytes, filename: str) -> Response:
    headers = NO_STORE | {"Content-Disposition": f'inline; filename="{filename}"'}
    return Response(body, media_type=CALENDAR_TYPE, headers=headers)


async def _reveal(request: Request, user: User | None) -> bool:
    if user is None or user.id is None:
        return False
    async with hearth(request).db.session() as s:
        prefs = await attendance.preferences(s, user_id=user.id)
    return prefs.reveal_group_name


# --- RSVPs ------------------------------------------------------------------------------------


async def post_rsvp(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    meeting_id = path_int(request, "meeting")
    try:
        async with hearth(request).db.session() as s:
            view = await attendance.rsvp(s, meeting_id=meeting_id, user=user)
    except attendance.AttendanceError as exc:
        raise _fail(exc) from None
    return JSONResponse(_rsvp(view))


async def get_rsvp(request: Request) -> Response:
    user = await require_user(request)
    assert user.id is not None
    meeting_id = path_int(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await groups.get_meeting(s, meeting_id=meeting_id)
        row = await attendance.get_rsvp(s, meeting_id=meeting_id, user_id=user.id)
        if row is None:
            raise ApiError(404, "not_found", "You have not RSVPed to this meeting.")
        group = await groups.get_group(s, group_id=meeting.group_id)
        taken = (await attendance.seats_taken(s, meeting_ids=[meeting_id]))[meeting_id]
        view = attendance.RsvpView(
            meeting_id=meeting_id,
            user_id=user.id,
            status=RsvpStatus(row.status),
            visitor=row.visitor,
            created_at=row.created_at,
            waitlist_position=await attendance.waitlist_position(s, rsvp=row),
            seats_left=attendance.seats_left(group, taken),
        )
    return JSONResponse(_rsvp(view))


async def delete_rsvp(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    meeting_id = path_int(request, "meeting")
    try:
        async with hearth(request).db.session() as s:
            await attendance.cancel_rsvp(s, meeting_id=meeting_id, user=user)
    except attendance.AttendanceError as exc:
        raise _fail(exc) from None
    return Response(status_code=204)


async def _staff_meeting(request: Request, user: User, *, least: Standing) -> Meeting:
    meeting_id = path_int(request, "meeting")
    async with hearth(request).db.session() as s:
        meeting = await groups.get_meeting(s, meeting_id=meeting_id)
        await attendance.require_standing(
            s,
            user=user,
            group_id=meeting.group_id,
            least=least,
            what="Only this group's facilitators, host or an administrator can see this.",
        )
    return meeting


async def list_rsvps(request: Request) -> Response:
    user = await require_user(request)
    meeting = await _staff_meeting(request, user, least=Standing.facilitator)
    async with hearth(request).db.session() as s:
        found = await attendance.rsvp_list(s, meeting=meeting)

    def people(items: list[attendance.RsvpPerson]) -> list[RsvpPerson]:
        return [
            RsvpPerson(
                user_id=p.user_id,
                display_name=p.name,
                visitor=p.visitor,
                staff=p.staff,
                created_at=p.created_at,
            )
            for p in items
        ]

    body = RsvpListPublic(
        meeting_id=meeting.id or 0,
        going=people(found.going),
        waitlist=people(found.waitlist),
        counts=RsvpCounts(
            going=len(found.going),
            waitlist=len(found.waitlist),
            seats_taken=found.seats_taken,
            seats_left=found.seats_left,
            size_limit=found.size_limit,
        ),
    )
    return JSONResponse(body.model_dump(mode="json"))


# --- visitors ---------------------------------------------------------------------------------


async def visit_group(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, VisitRequest)
    group_id = path_int(request, "group")
    try:
        async with hearth(request).db.session() as s:
            visit, booked = await attendance.visit_group(
                s, group_id=group_id, user=user, version=body.version, meeting_id=body.meeting_id
            )
    except attendance.AttendanceError as exc:
        raise _fail(exc) from None
    out = VisitPublic.model_validate(visit, from_attributes=True)
    out.rsvp = None if booked is None else RsvpPublic.model_validate(booked, from_attributes=True)
    return JSONResponse(out.model_dump(mode="json"))


# --- attendance -------------------------------------------------------------------------------


def _figures(f: attendance.Figures) -> MeetingFigures:
    return MeetingFigures.model_validate(f, from_attributes=True)


async def meeting_attendance(request: Request) -> Response:
    user = await require_user(request)
    meeting = await _staff_meeting(request, user, least=Standing.facilitator)
    async with hearth(request).db.session() as s:
        [found] = await attendance.figures(s, meetings=[meeting])
    return JSONResponse(_figures(found).model_dump(mode="json"))


async def group_attendance(request: Request) -> Response:
    user = await require_user(request)
    group_id = path_int(request, "group")
    end = _query_time(request, "to") or utcnow()
    start = _query_time(request, "from") or end - DEFAULT_RANGE
    if end <= start:
        raise ApiError(422, "invalid_input", "Query 'to' must be after 'from'.")
    if end - start > MAX_RANGE:
        raise ApiError(422, "invalid_input", f"Ask for at most {MAX_RANGE.days} days at a time.")
    async with hearth(request).db.session() as s:
        await groups.get_group(s, group_id=group_id)
        await attendance.require_standing(
            s,
            user=user,
            group_id=group_id,
            least=Standing.host,
            what="Only this group's host or an administrator can see its attendance.",
        )
        meetings = await attendance.meetings_between(s, group_id=group_id, start=start, end=end)
        rows = await attendance.figures(s, meetings=meetings)
    body = GroupAttendance(
        group_id=group_id, starts_from=start, until=end, meetings=[_figures(f) for f in rows]
    )
    return JSONResponse(body.model_dump(mode="json", by_alias=True))


# --- preferences ------------------------------------------------------------------------------


def _prefs(prefs: Any) -> dict[str, Any]:
    return PrefsPublic.model_validate(prefs, from_attributes=True).model_dump(mode="json")


async def get_preferences(request: Request) -> Response:
    user = await require_user(request)
    assert user.id is not None
    async with hearth(request).db.session() as s:
        prefs = await attendance.preferences(s, user_id=user.id)
    return JSONResponse(_prefs(prefs))


async def put_preferences(request: Request) -> Response:
    user = await require_user(request)
    assert user.id is not None
    body = await read_json(request, PrefsUpdate)
    try:
        async with hearth(request).db.session() as s:
            prefs = await attendance.update_preferences(
                s, user_id=user.id, changes=body.model_dump(exclude_unset=True)
            )
    except attendance.AttendanceError as exc:
        raise _fail(exc) from None
    return JSONResponse(_prefs(prefs))


# --- the member's feeds -----------------------------------------------------------------------


def _when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%a %d %b %Y, %H:%M UTC")


def _notice_message(notice: GroupNotice, meeting: Meeting | None, group: Group) -> str:
    when = _when(meeting.starts_at if meeting is not None else None)
    if notice.kind == "cancelled":
        return f"The meeting on {when} was cancelled." if when else "A meeting was cancelled."
    if notice.kind == "moved":
        was = _when(notice.previous_starts_at)
        return f"A meeting was moved{' from ' + was if was else ''} to {when}."
    if meeting is not None:
        return f"The meeting on {when} was cancelled: {group.name} was archived."
    return f"{group.name} was archived: it holds no more meetings."


async def my_notices(request: Request) -> Response:
    user = await require_user(request)
    assert user.id is not None
    limit = _limit(request)
    async with hearth(request).db.session() as s:
        found = await attendance.notices_for(s, user_id=user.id, limit=limit)
        invitations = await attendance.visit_invitations(s, user_id=user.id)
    notices = [
        NoticePublic(
            kind=n.kind,
            group_id=g.id or 0,
            group_name=g.name,
            meeting_id=n.meeting_id,
            starts_at=None if m is None else m.starts_at,
            previous_starts_at=n.previous_starts_at,
            created_at=n.created_at,
            message=_notice_message(n, m, g),
        )
        for n, m, g in found
    ]
    notices += [
        NoticePublic(
            kind="invited",
            group_id=g.id or 0,
            group_name=g.name,
            meeting_id=m.id,
            starts_at=m.starts_at,
            previous_starts_at=None,
            created_at=m.ended_at or m.ends_at,
            message=f"Thank you for visiting {g.name}. You are welcome to join the group.",
        )
        for _, m, g in invitations
    ]
    notices.sort(key=lambda n: n.created_at, reverse=True)
    return JSONResponse(NoticeList(notices=notices[:limit]).model_dump(mode="json"))


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "50")
    if not raw.isdigit() or not 1 <= int(raw) <= 200:
        raise ApiError(422, "invalid_input", "Query 'limit' must be a whole number from 1 to 200.")
    return int(raw)


async def my_meetings(request: Request) -> Response:
    user = await require_user(request)
    assert user.id is not None
    h = hearth(request)
    now = utcnow()
    window = RoomWindow.from_settings(h.settings)
    async with h.db.session() as s:
        prefs = await attendance.preferences(s, user_id=user.id)
        found = await attendance.my_meetings(s, user_id=user.id, now=now)
    asked = request.query_params.get("tz")
    zone = attendance.viewer_zone(asked or prefs.timezone)
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


# --- calendars --------------------------------------------------------------------------------


async def _may_see(s: Any, *, user: User, meeting: Meeting, group: Group) -> bool:
    assert user.id is not None
    if user.role == Role.admin:
        return True
    if await groups.role_in(s, group_id=group.id or 0, user_id=user.id) is not None:
        return True
    if await attendance.get_rsvp(s, meeting_id=meeting.id or 0, user_id=user.id) is not None:
        return True
    return group.visibility == "listed" and group.archived_at is None


async def meeting_ics(request: Request) -> Response:
    user = await require_user(request)
    meeting_id = path_int(request, "meeting")
    h = hearth(request)
    async with h.db.session() as s:
        meeting = await groups.get_meeting(s, meeting_id=meeting_id)
        group = await groups.get_group(s, group_id=meeting.group_id)
        if not await _may_see(s, user=user, meeting=meeting, group=group):
            raise ApiError(404, "not_found", f"No meeting with id {meeting_id}.")
    reveal = await _reveal(request, user)
    body = calendars.meeting_file(
        meeting, group=group, reveal=reveal, base_url=h.settings.base_url, now=utcnow()
    )
    return _calendar(body, f"hearth-meeting-{meeting_id}.ics")


async def group_ics(request: Request) -> Response:
    """Listed groups' feeds need no login (calendar programs send no cookies); others only
    for their members (and admins), and 404 to anyone else."""
    user = await current_user(request)
    group_id = path_int(request, "group")
    h = hearth(request)
    async with h.db.session() as s:
        group = await groups.get_group(s, group_id=group_id)
        role = None
        if user is not None and user.id is not None:
            role = await groups.role_in(s, group_id=group_id, user_id=user.id)
        admin = user is not None and user.role == Role.admin
        if group.visibility != "listed" and role is None and not admin:
            raise ApiError(404, "not_found", f"No group with id {group_id}.")
        reveal = False
        if user is not None and user.id is not None:
            reveal = (await attendance.preferences(s, user_id=user.id)).reveal_group_name
        body = await calendars.group_feed(
            s, group=group, reveal=reveal, base_url=h.settings.base_url, now=utcnow()
        )
    return _calendar(body, f"hearth-group-{group_id}.ics")


async def create_calendar_token(request: Request) -> Response:
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
    user = await require_user(request)
    assert user.id is not None
    async with hearth(request).db.session() as s:
        created = await calendars.token_created(s, user_id=user.id)
    return JSONResponse(
        CalendarTokenState(active=created is not None, created_at=created).model_dump(mode="json")
    )


async def revoke_calendar_token(request: Request) -> Response:
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
        prefs = await attendance.preferences(s, user_id=user_id)
        body = await calendars.member_feed(
            s, user_id=user_id, reveal=prefs.reveal_group_name, base_url=h.settings.base_url
        )
    return _calendar(body, "hearth-meetings.ics")


def calendar_routes() -> list[Route]:
    """The member feed, outside `/api/v1`: add these to the app's routes."""
    return [Route("/calendar/{token}.ics", member_feed, methods=["GET"])]


ENDPOINTS_ATTENDANCE: list[Endpoint] = [
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
        "Cancel your RSVP (idempotent); the oldest on the waitlist takes the seat",
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
        "/me/meetings",
        my_meetings,
        "The upcoming occurrences you RSVPed to, in your time zone (query tz overrides it)",
        returns=MyMeetings,
        errors=(422,),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/me/notices",
        my_notices,
        "Meetings of yours cancelled or moved, groups archived, invitations after a visit; "
        "newest first (query limit, 1-200)",
        returns=NoticeList,
        errors=(422,),
        auth=True,
    ),
    Endpoint(
        "GET",
        "/me/preferences",
        get_preferences,
        "Your reminder and privacy preferences",
        returns=PrefsPublic,
        auth=True,
    ),
    Endpoint(
        "PUT",
        "/me/preferences",
        put_preferences,
        "Change your preferences (fields left out keep their value)",
        body=PrefsUpdate,
        returns=PrefsPublic,
        errors=(415, 422),
        auth=True,
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
