"""RSVP, visitor, attendance, preference, feed, notice and calendar endpoints of the JSON API,
gathered into one table.

`ENDPOINTS_ATTENDANCE` joins the table in `meeting.api` (before `GET /meetings/{id}`, which
would otherwise take `/meetings/7.ics`); `calendar_routes()` serves the member's secret feed
at `/calendar/{token}.ics`, outside `/api/v1` and without cookies. Each subject has its own
module: `rsvps`, `visits`, `figures`, `preferences`, `my_meetings`, `notices`, `calendars`
(and `params` for reading paths and queries).

Errors have the usual `{"error": {"code", "message"}}` shape: 401 `not_authenticated`,
403 `forbidden` / `visitors_not_allowed`, 404 `not_found`, 409 `meeting_cancelled`,
`meeting_ended`, `group_archived`, `already_member`, `visit_used`, `visit_taken`,
`guidelines_changed`, 415 `unsupported_media_type`, 422 `invalid_input`. Times go out in UTC
as ISO 8601 with `Z`, and "local" ones with the viewer's offset.
"""

from __future__ import annotations

from meeting.api.calendars import ENDPOINTS_CALENDARS, calendar_routes
from meeting.api.figures import ENDPOINTS_FIGURES
from meeting.api.my_meetings import ENDPOINTS_MY_MEETINGS
from meeting.api.notices import ENDPOINTS_NOTICES
from meeting.api.openapi import Endpoint
from meeting.api.preferences import ENDPOINTS_PREFERENCES
from meeting.api.rsvps import ENDPOINTS_RSVPS
from meeting.api.visits import ENDPOINTS_VISITS

__all__ = ["ENDPOINTS_ATTENDANCE", "calendar_routes"]

# The calendar endpoints go first: `GET /meetings/{id}.ics` before anything under `/meetings/{id}`.
ENDPOINTS_ATTENDANCE: list[Endpoint] = [
    *ENDPOINTS_CALENDARS,
    *ENDPOINTS_RSVPS,
    *ENDPOINTS_FIGURES,
    *ENDPOINTS_VISITS,
    *ENDPOINTS_MY_MEETINGS,
    *ENDPOINTS_NOTICES,
    *ENDPOINTS_PREFERENCES,
]
