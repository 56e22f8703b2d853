"""The meeting room page (`/meetings/{id}`) and the operators' `/metrics`.

The page itself holds no conversation: `static/js/room.js` (with its `room-*.js` modules)
connects to the room's WebSocket and keeps messages only in the page's memory. The page
renders what does not change during a meeting: the group's guidelines (for the Guidelines
dialog and the waiting room) and the crisis resources (shown if no facilitator is present).
Before rendering, the page asks the same gate the socket will, so a person who may not enter
sees why, with a way forward, instead of a room that refuses to connect.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from meeting.accounts import sessions
from meeting.context import hearth
from meeting.gate import MeetingGate
from meeting.groups.models import Group, Meeting
from meeting.web.auth import current_user
from meeting.web.templating import error_page, render
from rooms.metrics import METRICS


async def room_page(request: Request) -> Response:
    meeting_id = int(request.path_params["meeting_id"])
    if await current_user(request) is None:
        return RedirectResponse(f"/login?next=/meetings/{meeting_id}", status_code=303)
    h = hearth(request)
    admission = await MeetingGate(h.db, h.settings).admit(
        session_token=request.cookies.get(sessions.COOKIE), meeting_id=meeting_id
    )
    async with h.db.session() as s:
        meeting = await s.get(Meeting, meeting_id)
        group = await s.get(Group, meeting.group_id) if meeting is not None else None
    if meeting is None or group is None:
        return await error_page(request, 404, "No such meeting", "This meeting doesn't exist.")
    back = f"/groups/{group.id}"
    if admission.member is None:
        return await error_page(
            request,
            403,
            "You can't enter this room yet",
            admission.reason,
            back=back,
            back_label=f"Go to {group.name}",
        )
    # The group's current guidelines, shown in the room's Guidelines dialog and, while an
    # entrant waits to be admitted, in the waiting room.
    context = {"meeting": meeting, "group": group, "guidelines": group.guidelines, "back_url": back}
    return await render(request, "room.html", context)


async def metrics(request: Request) -> Response:
    """Prometheus text format: counts and timings only, never content or identities."""
    hub = hearth(request).hub
    if hub is not None:
        METRICS.rooms.set(len(hub.rooms))
        METRICS.broker_reconnects.set(getattr(hub.broker, "reconnects", 0))
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


def room_page_routes() -> list[Route]:
    return [
        Route("/meetings/{meeting_id:int}", room_page, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
