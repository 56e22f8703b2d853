"""Meeting and series endpoints of the JSON API: `/api/v1/meetings/{id}` (edit one occurrence,
cancel, extend) and `/api/v1/series/{id}` (view and edit a series). Errors as in
`meeting.api.groups`; editing needs the group's host or an admin, cancelling and extending a
facilitator, host or admin."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import check_origin, read_json
from meeting.api.groups import meeting_public, non_null, path_id, series_public, window_of
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import series, service
from meeting.groups.models import MeetingExtend, MeetingUpdate, SeriesDetail, SeriesUpdate
from meeting.live import end_live_room


async def update_meeting(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, MeetingUpdate)
    meeting_id = path_id(request, "meeting")
    window = window_of(request)
    changes = non_null(body.model_dump(exclude_unset=True))
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
        meeting = await series.edit_meeting(s, meeting=meeting, actor=user, changes=changes, window=window)
    return JSONResponse(meeting_public(meeting, window=window))


async def cancel_meeting(request: Request) -> Response:
    user = await require_user(request)
    check_origin(request)
    meeting_id = path_id(request, "meeting")
    window = window_of(request)
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
        meeting = await series.cancel_meeting(s, meeting=meeting, actor=user, window=window)
    await end_live_room(hearth(request), meeting_id)  # in case a facilitator had opened it early
    return JSONResponse(meeting_public(meeting, window=window))


async def extend_meeting(request: Request) -> Response:
    user = await require_user(request)
    body = await read_json(request, MeetingExtend)
    meeting_id = path_id(request, "meeting")
    window = window_of(request)
    async with hearth(request).db.session() as s:
        meeting = await service.get_meeting(s, meeting_id=meeting_id)
        meeting = await series.extend_meeting(
            s, meeting=meeting, actor=user, minutes=body.minutes, window=window
        )
    return JSONResponse(meeting_public(meeting, window=window))


async def _series_detail(request: Request, series_id: int, changes: dict[str, object] | None) -> Response:
    user = await require_user(request)
    window = window_of(request)
    now = utcnow()
    async with hearth(request).db.session() as s:
        row = await series.get_series(s, series_id=series_id)
        if changes is not None:
            row = await series.edit_series(s, series=row, actor=user, changes=changes, now=now)
        upcoming = await series.series_upcoming(s, series=row, now=now)
        data = series_public(row) | {
            "upcoming": [meeting_public(m, window=window, now=now) for m in upcoming]
        }
    return JSONResponse(SeriesDetail.model_validate(data).model_dump(mode="json"))


async def get_series(request: Request) -> Response:
    return await _series_detail(request, path_id(request, "series"), None)


async def update_series(request: Request) -> Response:
    await require_user(request)
    body = await read_json(request, SeriesUpdate)
    series_id = path_id(request, "series")
    return await _series_detail(request, series_id, non_null(body.model_dump(exclude_unset=True)))
