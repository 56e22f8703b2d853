"""The member's notices: `GET /me/notices` (newest first, each marked `new` or not, with the
`unread` count) and `POST /me/notices/seen` (mark them seen, as opening My meetings does).

Messages give times in the member's time zone (their preference, else UTC)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import check_origin, read_json
from meeting.api.openapi import Endpoint
from meeting.api.params import query_limit
from meeting.attendance import notices, prefs
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups.models import Group, GroupNotice, Meeting

Kind = Literal["cancelled", "moved", "archived", "promoted", "invited"]


class NoticePublic(BaseModel):
    """Something you should know: a meeting you RSVPed to was `cancelled` or `moved`
    (`previous_starts_at` is when it was), a group of yours was `archived`, a seat opened up
    for you on a waitlist (`promoted`: you are going), or, after a visit, you are `invited` to
    join the group. `new`: written since you last looked at your notices."""

    kind: Kind
    group_id: int
    group_name: str
    meeting_id: int | None
    starts_at: datetime | None
    previous_starts_at: datetime | None
    created_at: datetime
    message: str
    new: bool


class NoticeList(BaseModel):
    """Your notices, newest first, and how many of all of them are new (`unread`)."""

    unread: int
    notices: list[NoticePublic]


class NoticesSeen(BaseModel):
    """`up_to`: the newest notice you showed (default: now, so all of them)."""

    model_config = ConfigDict(extra="forbid")
    up_to: AwareDatetime | None = None


class NoticesSeenPublic(BaseModel):
    seen_up_to: datetime | None
    unread: int


def _when(value: datetime | None, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    local = value.astimezone(zone)
    return f"{local:%a %d %b %Y, %H:%M} {local.tzname()}"


def notice_message(notice: GroupNotice, meeting: Meeting | None, group: Group, zone: ZoneInfo) -> str:
    """What a notice says, with times in `zone`."""
    when = _when(meeting.starts_at if meeting is not None else None, zone)
    if notice.kind == "cancelled":
        return f"The meeting on {when} was cancelled." if when else "A meeting was cancelled."
    if notice.kind == "moved":
        was = _when(notice.previous_starts_at, zone)
        return f"A meeting was moved{' from ' + was if was else ''} to {when}."
    if notice.kind == notices.PROMOTED:
        title = meeting.title if meeting is not None else "a meeting"
        return f"A seat opened up: you're going to {title} on {when}."
    if meeting is not None:
        return f"The meeting on {when} was cancelled: {group.name} was archived."
    return f"{group.name} was archived: it holds no more meetings."


async def my_notices(request: Request) -> Response:
    """`GET /me/notices?limit=…`: your notices, newest first, with what is new."""
    user = await require_user(request)
    assert user.id is not None
    limit = query_limit(request)
    async with hearth(request).db.session() as s:
        zone = prefs.viewer_zone((await prefs.preferences(s, user_id=user.id)).timezone)
        seen = await notices.seen_up_to(s, user_id=user.id)
        found = await notices.notices_for(s, user_id=user.id, limit=limit)
        invitations = await notices.visit_invitations(s, user_id=user.id)
        unread = await notices.unread_count(s, user_id=user.id)
    listed = [
        NoticePublic(
            kind=cast(Kind, n.kind),  # checked by the model
            group_id=g.id or 0,
            group_name=g.name,
            meeting_id=n.meeting_id,
            starts_at=None if m is None else m.starts_at,
            previous_starts_at=n.previous_starts_at,
            created_at=n.created_at,
            message=notice_message(n, m, g, zone),
            new=notices.is_new(n.created_at, seen),
        )
        for n, m, g in found
    ]
    listed += [
        NoticePublic(
            kind="invited",
            group_id=g.id or 0,
            group_name=g.name,
            meeting_id=m.id,
            starts_at=m.starts_at,
            previous_starts_at=None,
            created_at=m.ended_at or m.ends_at,
            message=f"Thank you for visiting {g.name}. You are welcome to join the group.",
            new=notices.is_new(m.ended_at or m.ends_at, seen),
        )
        for _, m, g in invitations
    ]
    listed.sort(key=lambda n: n.created_at, reverse=True)
    return JSONResponse(NoticeList(unread=unread, notices=listed[:limit]).model_dump(mode="json"))


async def notices_seen(request: Request) -> Response:
    """Mark your notices seen up to `up_to` (never later than now), or all of them."""
    user = await require_user(request)
    assert user.id is not None
    check_origin(request)
    up_to = utcnow()
    if await request.body():
        asked = (await read_json(request, NoticesSeen)).up_to
        up_to = up_to if asked is None else min(asked, up_to)
    async with hearth(request).db.session() as s:
        await notices.mark_seen(s, user_id=user.id, up_to=up_to)
        seen = await notices.seen_up_to(s, user_id=user.id)
        unread = await notices.unread_count(s, user_id=user.id)
    return JSONResponse(NoticesSeenPublic(seen_up_to=seen, unread=unread).model_dump(mode="json"))


ENDPOINTS_NOTICES: list[Endpoint] = [
    Endpoint(
        "GET",
        "/me/notices",
        my_notices,
        "Meetings of yours cancelled or moved, groups archived, seats opened up for you, "
        "invitations after a visit; newest first, each marked new or not, with the unread count "
        "(query limit, 1-200)",
        returns=NoticeList,
        errors=(422,),
        auth=True,
    ),
    Endpoint(
        "POST",
        "/me/notices/seen",
        notices_seen,
        "Mark your notices seen (optional body: up_to, the newest one you showed; default all)",
        body=NoticesSeen,
        returns=NoticesSeenPublic,
        errors=(415, 422),
        auth=True,
    ),
]
