"""The member's preferences: reminder emails (and the other emails about their meetings),
showing group names in emails and calendars, and their time zone."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from meeting.api.accounts import require_user
from meeting.api.errors import read_json
from meeting.api.openapi import Endpoint
from meeting.api.params import fail
from meeting.attendance import prefs as member_prefs
from meeting.attendance.errors import AttendanceError
from meeting.attendance.models import MemberPrefs, PrefsPublic, PrefsUpdate
from meeting.context import hearth


def _prefs(prefs: MemberPrefs) -> dict[str, Any]:
    return PrefsPublic.model_validate(prefs, from_attributes=True).model_dump(mode="json")


async def get_preferences(request: Request) -> Response:
    """`GET /me/preferences` (the defaults when never set)."""
    user = await require_user(request)
    assert user.id is not None
    async with hearth(request).db.session() as s:
        prefs = await member_prefs.preferences(s, user_id=user.id)
    return JSONResponse(_prefs(prefs))


async def put_preferences(request: Request) -> Response:
    """`PUT /me/preferences`: fields left out keep their value."""
    user = await require_user(request)
    assert user.id is not None
    body = await read_json(request, PrefsUpdate)
    try:
        async with hearth(request).db.session() as s:
            prefs = await member_prefs.update_preferences(
                s, user_id=user.id, changes=body.model_dump(exclude_unset=True)
            )
    except AttendanceError as exc:
        raise fail(exc) from None
    return JSONResponse(_prefs(prefs))


ENDPOINTS_PREFERENCES: list[Endpoint] = [
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
]
