"""The directory endpoint of the JSON API: `GET /api/v1/groups`, one page of groups found by
`meeting.groups.directory` (query parameters as `directory.parse_query` reads them), each with
its next meeting in the viewer's time zone. Needs a logged-in session (401 `not_authenticated`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.context import hearth
from meeting.groups import directory


class NextMeetingPublic(BaseModel):
    """A directory result's next meeting: UTC times, `local` its start in the viewer's zone."""

    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    local: str
    seats_left: int


class DirectoryEntry(BaseModel):
    id: int
    name: str
    description: str
    topics: list[str]
    style: str
    credential: str | None
    language: str
    size_limit: int
    visitors_allowed: bool
    next_meeting: NextMeetingPublic | None


class DirectoryPagePublic(BaseModel):
    """`GET /api/v1/groups`: one page of results, the total count and the viewer's zone."""

    items: list[DirectoryEntry]
    total: int
    page: int
    per_page: int
    timezone: str


async def list_groups(request: Request) -> Response:
    await require_user(request)
    query = directory.parse_query(request.query_params.multi_items())
    async with hearth(request).db.session() as s:
        page = await directory.search(s, query)
    zone = ZoneInfo(page.timezone)
    items = []
    for item in page.items:
        group, upcoming = item.group, item.next
        nxt = None
        if upcoming is not None:
            m = upcoming.meeting
            nxt = NextMeetingPublic(
                id=m.id or 0,
                title=m.title,
                starts_at=m.starts_at,
                ends_at=m.ends_at,
                local=m.starts_at.astimezone(zone).isoformat(),
                seats_left=upcoming.seats_left,
            )
        items.append(
            DirectoryEntry(
                id=group.id or 0,
                name=group.name,
                description=group.description,
                topics=item.topics,
                style=group.style,
                credential=group.credential,
                language=group.language,
                size_limit=group.size_limit,
                visitors_allowed=group.visitors_allowed,
                next_meeting=nxt,
            )
        )
    body = DirectoryPagePublic(
        items=items, total=page.total, page=page.page, per_page=page.per_page, timezone=page.timezone
    )
    return JSONResponse(body.model_dump(mode="json"))
