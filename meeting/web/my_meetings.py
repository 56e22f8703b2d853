"""A member's own meetings: `GET /me/meetings` ("My meetings": what they RSVPed to, in their
time zone, the room link once it opens, waitlist places, notices of cancelled and moved
meetings, archived groups and seats opened up for them, with the new ones marked and from then
on seen, their preferences and their secret calendar link), and the RSVP and visit buttons of
the group page.

Every POST checks CSRF and Origin first (`form_data`), calls `meeting.attendance.service` or
`meeting.calendars.service`, and redirects with 303, or shows the refusal on the page it came
from (the group page, or My meetings when the form says `back=me`). The calendar link is
shown once, on the page that answers the POST that made it: only its hash is kept. Cancelling
an RSVP emails whoever the waitlist moved up once the redirect is sent (`meeting.reminders.seats`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.accounts.models import User
from meeting.attendance import service as attendance
from meeting.attendance.models import RsvpStatus
from meeting.calendars import service as calendars
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import service
from meeting.groups.models import Group, GroupNotice, Meeting
from meeting.groups.window import RoomWindow
from meeting.reminders.seats import seat_email_task
from meeting.web import groups as group_pages
from meeting.web.directory import zone_from
from meeting.web.localtime import ViewerZone, clock_text, day_text, span_text, zone_names
from meeting.web.pages import redirect, signed_in, signed_in_form, text
from meeting.web.templating import error_page, render

CHECKED = "yes"
NOTICES = {
    "cancelled": "Your RSVP was cancelled. Thank you for letting the group know.",
    "preferences": "Your preferences were saved.",
    "calendar_off": "Your calendar link was turned off. Calendar apps using it will stop updating.",
}
PAGE = "/me/meetings"


# --- My meetings ----------------------------------------------------------------------------


def notice_text(
    kind: str, *, group: Group, meeting: Meeting | None, previous: datetime | None, zone: ViewerZone
) -> str:
    """What a notice says, with times in the member's zone."""
    when = None if meeting is None else span_text(meeting.starts_at, meeting.ends_at, zone.zone)
    if kind == "cancelled":
        return f"{group.name}: the meeting on {when} was cancelled."
    if kind == "moved":
        was = ""
        if previous is not None:
            was = f" from {day_text(previous.astimezone(zone.zone))}, {clock_text(previous, zone.zone)}"
        return f"{group.name}: a meeting was moved{was} to {when}."
    if kind == "invited":
        return f"Thank you for visiting {group.name}. You are welcome to join the group."
    if kind == attendance.PROMOTED:
        title = f"{group.name}: {meeting.title}" if meeting is not None else group.name
        return f"A seat opened up: you're going to {title} on {when}."
    if when:
        return f"{group.name} was archived, so its meeting on {when} was cancelled."
    return f"{group.name} was archived: it holds no more meetings."


def _notices(
    found: list[tuple[GroupNotice, Meeting | None, Group]],
    invitations: list[tuple[Any, Meeting, Group]],
    zone: ViewerZone,
    seen: datetime | None,
) -> list[dict[str, Any]]:
    """The notices to show, newest first, each with its text, day and whether it is `new`."""
    rows: list[dict[str, Any]] = [
        {
            "kind": str(n.kind),
            "group": g,
            "text": notice_text(str(n.kind), group=g, meeting=m, previous=n.previous_starts_at, zone=zone),
            "at": n.created_at,
        }
        for n, m, g in found
    ]
    rows += [
        {
            "kind": "invited",
            "group": g,
            "text": notice_text("invited", group=g, meeting=m, previous=None, zone=zone),
            "at": m.ended_at or m.ends_at,
        }
        for _, m, g in invitations
    ]
    rows.sort(key=lambda row: row["at"], reverse=True)
    for row in rows:
        row["day"] = day_text(row["at"].astimezone(zone.zone))
        row["new"] = attendance.is_new(row["at"], seen)
    return rows[:20]


async def _my_page(request: Request, user: User, *, status: int = 200, **extra: Any) -> Response:
    assert user.id is not None
    h = hearth(request)
    now = utcnow()
    window = RoomWindow.from_settings(h.settings)
    async with h.db.session() as s:
        prefs = await attendance.preferences(s, user_id=user.id)
        zone = zone_from(request, prefs.timezone)
        mine = await attendance.my_meetings(s, user_id=user.id, now=now)
        notices = await _shown_notices(s, user_id=user.id, zone=zone, now=now)
        token_made = await calendars.token_created(s, user_id=user.id)
    meetings = []
    for item in mine:
        m = item.meeting
        room = window.status(m, now=now)
        meetings.append(
            {
                "m": m,
                "group": item.group,
                "rsvp": item.rsvp,
                "when": span_text(m.starts_at, m.ends_at, zone.zone),
                "opens": clock_text(window.opens_at(m), zone.zone),
                "opens_day": day_text(window.opens_at(m).astimezone(zone.zone)),
                "room": room,
                "enter": room == "open" and item.rsvp.status == RsvpStatus.going,
                "archived": item.group.archived_at is not None,
            }
        )
    ctx: dict[str, Any] = {
        "active": "my-meetings",
        "zone": zone,
        "zone_guessed": zone.guessed and request.method == "GET",
        "meetings": meetings,
        "notices": notices,
        "new_notices": sum(1 for n in notices if n["new"]),
        "prefs": prefs,
        "prefs_form": {
            "timezone": prefs.timezone or "",
            "reminders": CHECKED if prefs.reminders else "",
            "reveal_group_name": CHECKED if prefs.reveal_group_name else "",
        },
        "reminders_sent": h.settings.reminders,
        "sends_email": h.settings.smtp_url is not None,
        "time_zones": zone_names(),
        "token_made": token_made,
        "new_link": None,
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "page_error": None,
        "pref_errors": {},
        "opens_minutes": h.settings.room_opens_minutes,
    }
    return await render(request, "account/meetings.html", ctx | extra, status=status)


async def _shown_notices(
    s: AsyncSession, *, user_id: int, zone: ViewerZone, now: datetime
) -> list[dict[str, Any]]:
    """The notices the page shows, the new ones marked, and from now on seen (up to the newest
    shown, so that one written meanwhile stays new)."""
    seen = await attendance.seen_up_to(s, user_id=user_id)
    found = await attendance.notices_for(s, user_id=user_id, limit=20)
    invitations = await attendance.visit_invitations(s, user_id=user_id, now=now)
    rows = _notices(found, invitations, zone, seen)
    newest = max((row["at"] for row in rows if row["new"]), default=None)
    if newest is not None:
        await attendance.mark_seen(s, user_id=user_id, up_to=newest)
    return rows


async def my_meetings(request: Request) -> Response:
    """`GET /me/meetings`: the page (its new notices are seen from then on)."""
    user = await signed_in(request, PAGE)
    if isinstance(user, Response):
        return user
    return await _my_page(request, user)


async def save_preferences(request: Request) -> Response:
    """`POST /me/preferences`: save, or show the page again with what was wrong."""
    found = await signed_in_form(request, PAGE)
    if isinstance(found, Response):
        return found
    user, form = found
    assert user.id is not None
    entered = {name: text(form, name) for name in ("timezone", "reminders", "reveal_group_name")}
    changes = {
        "timezone": entered["timezone"].strip() or None,
        "reminders": entered["reminders"] == CHECKED,
        "reveal_group_name": entered["reveal_group_name"] == CHECKED,
    }
    try:
        async with hearth(request).db.session() as s:
            await attendance.update_preferences(s, user_id=user.id, changes=changes)
    except attendance.AttendanceError:
        return await _my_page(
            request,
            user,
            status=422,
            prefs_form=entered,
            pref_errors={"timezone": "Choose a time zone from the list."},
        )
    return redirect(f"{PAGE}?done=preferences#preferences")


async def make_calendar_link(request: Request) -> Response:
    """Make (or replace) the secret feed URL, and show it this once."""
    found = await signed_in_form(request, PAGE)
    if isinstance(found, Response):
        return found
    user = found[0]
    assert user.id is not None
    h = hearth(request)
    async with h.db.session() as s:
        token = await calendars.new_token(s, user_id=user.id)
    return await _my_page(request, user, new_link=f"{h.settings.base_url}/calendar/{token}.ics")


async def revoke_calendar_link(request: Request) -> Response:
    """`POST /me/calendar-link/revoke`: the secret feed link stops working."""
    found = await signed_in_form(request, PAGE)
    if isinstance(found, Response):
        return found
    user = found[0]
    assert user.id is not None
    async with hearth(request).db.session() as s:
        await calendars.revoke_token(s, user_id=user.id)
    return redirect(f"{PAGE}?done=calendar_off#calendar")


# --- RSVP and visit buttons -----------------------------------------------------------------


async def _refused(request: Request, user: User, back: str, status: int, message: str) -> Response:
    """Show why an RSVP form failed, on the page the form was on."""
    if back == "me":
        return await _my_page(request, user, status=status, page_error=message)
    return await group_pages.show_group_page(
        request, status=status, section_errors={"meetings": {"_": message}}
    )


async def _meeting_form(request: Request, act: str) -> Response:
    """RSVP, cancel an RSVP or visit: `act` is "rsvp", "cancel" or "visit"."""
    group_id: int = request.path_params["group_id"]
    meeting_id: int = request.path_params["meeting_id"]
    found = await signed_in_form(request, f"/groups/{group_id}")
    if isinstance(found, Response):
        return found
    user, form = found
    back = "me" if text(form, "back") == "me" else "group"
    promoted: list[int] = []
    if act == "visit" and text(form, "accept") != CHECKED:
        message = "Tick the box to accept the group's guidelines before you visit."
        return await _refused(request, user, back, 422, message)
    try:
        async with hearth(request).db.session() as s:
            meeting = await service.get_meeting(s, meeting_id=meeting_id)
            if meeting.group_id != group_id:
                raise service.NotFound(f"No meeting with id {meeting_id} in this group.")
            if act == "rsvp":
                view = await attendance.rsvp(s, meeting_id=meeting_id, user=user)
                done = "going" if view.status == RsvpStatus.going else "waitlist"
            elif act == "cancel":
                promoted = await attendance.cancel_rsvp(s, meeting_id=meeting_id, user=user)
                done = "rsvp_cancelled"
            else:
                version = text(form, "version")
                if not version.isascii() or not version.isdigit() or len(version) > 9:
                    group = await service.get_group(s, group_id=group_id)
                    raise service.GuidelinesChanged(group.guidelines_version)
                await attendance.visit_group(
                    s, group_id=group_id, user=user, version=int(version), meeting_id=meeting_id
                )
                done = "visiting"
    except attendance.AttendanceError as exc:
        return await _refused(request, user, back, exc.status, str(exc))
    except service.GroupError as exc:
        if isinstance(exc, service.NotFound) and back == "group":
            return await error_page(
                request,
                404,
                "Not found",
                str(exc),
                back=f"/groups/{group_id}",
                back_label="Back to the group",
            )
        return await _refused(request, user, back, group_pages.http_status(exc), str(exc))
    if back == "me":
        response = redirect(f"{PAGE}?done={'cancelled' if act == 'cancel' else done}#meetings")
    else:
        response = redirect(f"/groups/{group_id}?done={done}#meeting-{meeting_id}")
    response.background = seat_email_task(hearth(request), {meeting_id: promoted})
    return response


async def rsvp(request: Request) -> Response:
    """`POST …/rsvp`: going, or on the waitlist."""
    return await _meeting_form(request, "rsvp")


async def cancel_rsvp(request: Request) -> Response:
    """`POST …/rsvp/cancel`: the seat goes to the waitlist, whose first is told."""
    return await _meeting_form(request, "cancel")


async def visit(request: Request) -> Response:
    """`POST …/visit`: a visitor pass for this meeting, the guidelines accepted."""
    return await _meeting_form(request, "visit")


def my_meetings_routes() -> list[Route]:
    """The routes of My meetings and of the group page's RSVP and visit forms."""
    return [
        Route(PAGE, my_meetings, methods=["GET"]),
        Route("/me/preferences", save_preferences, methods=["POST"]),
        Route("/me/calendar-link", make_calendar_link, methods=["POST"]),
        Route("/me/calendar-link/revoke", revoke_calendar_link, methods=["POST"]),
        Route("/groups/{group_id:int}/meetings/{meeting_id:int}/rsvp", rsvp, methods=["POST"]),
        Route("/groups/{group_id:int}/meetings/{meeting_id:int}/rsvp/cancel", cancel_rsvp, methods=["POST"]),
        Route("/groups/{group_id:int}/meetings/{meeting_id:int}/visit", visit, methods=["POST"]),
    ]
