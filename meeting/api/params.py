"""Reading the `limit` the attendance endpoints are given and turning attendance refusals
into API errors, so bad input is a 422 naming the parameter, never a 500. Ids in the path and
times in the query are read by `meeting.api.inputs`."""

from __future__ import annotations

from starlette.requests import Request

from meeting.api.errors import ApiError
from meeting.attendance.errors import AttendanceError


def fail(exc: AttendanceError) -> ApiError:
    """The API's answer to an attendance refusal: its status, code and message."""
    return ApiError(exc.status, exc.code, str(exc))


def query_limit(request: Request, default: int = 50, most: int = 200) -> int:
    """The query parameter `limit`: a whole number from 1 to `most`."""
    raw = request.query_params.get("limit", str(default))
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise ApiError(422, "invalid_input", f"Query 'limit' must be a whole number from 1 to {most}.")
    return int(raw)
