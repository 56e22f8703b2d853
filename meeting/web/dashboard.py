"""The host dashboard, `/groups/{id}/dashboard` (the group's hosts and admins), and its forms.

It shows the next meetings with who is going, who waits and the group's facilitators; each
recurring series still to come; the past 90 days with attendance counts and no-shows (numbers
only, never what was said) and a small server-drawn SVG chart of them
(`meeting.web.attendance_chart`), with a table of the same figures; and links to the
moderation log. Its forms schedule a one-off meeting or a series, edit or cancel one
occurrence, change the group's directory details and archive the group
(`meeting.web.dashboard_forms`), and edit or end a whole series (`meeting.web.series_forms`).

Like every page, each POST checks CSRF and Origin first, re-renders the dashboard with the
person's input and the error next to its field on failure, and redirects with 303 on success.
Cancelling an occurrence is also a button on the group page (for its facilitators too):
`back=group` returns there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.accounts.models import User
from meeting.attendance import service as attendance
from meeting.attendance.models import MemberPrefs
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import requests, series, service
from meeting.groups.models import (
    Group,
    GroupRoleName,
    JoinRequestPublic,
    Meeting,
    MeetingSeries,
    MeetingState,
)
from meeting.groups.vocabulary import Visibility
from meeting.scheduling.rules import MAX_COUNT
from meeting.web import dashboard_forms as forms
from meeting.web import groups as group_pages
from meeting.web import series_forms
from meeting.web.attendance_chart import chart
from meeting.web.directory import language_name, style_text, zone_from
from meeting.web.directory_fields import directory_choices, directory_entered, directory_form
from meeting.web.localtime import span_text, zone_names
from meeting.web.pages import redirect, signed_in, signed_in_form, text
from meeting.web.repeats import ENDS, REPEATS
from meeting.web.templating import error_page, render
from moderation.permissions import Standing

PAST = timedelta(days=90)
UPCOMING = 12
NOTICES = {
    "scheduled": "The meetings were added. Members can RSVP on the group page.",
    "scheduled_one": "The meeting was added. Members can RSVP on the group page.",
    "details": "The group's details were saved.",
    "edited": "The meeting was changed. Members who RSVPed will see that it moved.",
    "cancelled": "The meeting was cancelled. Members who RSVPed will be told.",
    "archived": "The group was archived. Its future meetings were cancelled and members are told.",
    "series_edited": "The series was changed. Its next meetings follow it; members who RSVPed are told.",
    "series_ended": "The series was ended. Its meetings still to come were cancelled; members are told.",
}
# Errors of the services name API fields; the forms call some of them otherwise.
FIELD_NAMES = {"starts_at": "start_time", "ends_at": "end_time", "rrule": "repeat", "topics": "topics"}


# --- the page ---------------------------------------------------------------------------------


async def _host(request: Request) -> tuple[User, int] | Response:
    group_id: int = request.path_params["group_id"]
    user = await signed_in(request, f"/groups/{group_id}/dashboard")
    return user if isinstance(user, Response) else (user, group_id)


def _local_form(meeting: Meeting) -> dict[str, str]:
    """An occurrence as the edit form holds it: its date and times in its own zone."""
    zone = ZoneInfo(meeting.timezone)
    start, end = meeting.starts_at.astimezone(zone), meeting.ends_at.astimezone(zone)
    return {
        "title": meeting.title,
        "date": start.date().isoformat(),
        "start_time": f"{start:%H:%M}",
        "end_time": f"{end:%H:%M}",
    }


def details_form(group: Group, topics: list[str]) -> dict[str, Any]:
    """The group as its "Group details" form holds it: name, description, directory fields."""
    return {"name": group.name, "description": group.description, **directory_form(group, topics)}


@dataclass
class _Found:
    """What the dashboard shows, read in one database session."""

    group: Group
    prefs: MemberPrefs
    topics: list[str]
    runners: list[tuple[int, str, GroupRoleName]]
    upcoming: list[Meeting]
    lists: dict[int | None, attendance.RsvpList]
    figures: list[attendance.Figures]
    asking: list[JoinRequestPublic]
    recurring: list[MeetingSeries]


async def _find(s: AsyncSession, user: User, group_id: int, now: datetime) -> _Found:
    assert user.id is not None
    group = await service.get_group(s, group_id=group_id)
    await attendance.require_standing(
        s,
        user=user,
        group_id=group_id,
        least=Standing.host,
        what="Only this group's hosts and administrators can see its dashboard.",
    )
    upcoming = await series.upcoming(s, group=group, now=now, limit=UPCOMING)
    recent = await attendance.meetings_between(s, group_id=group_id, start=now - PAST, end=now)
    return _Found(
        group=group,
        prefs=await attendance.preferences(s, user_id=user.id),
        topics=(await service.topics_of(s, group_ids=[group_id]))[group_id],
        runners=await service.runners_of(s, group_id=group_id),
        upcoming=upcoming,
        lists={m.id: await attendance.rsvp_list(s, meeting=m) for m in upcoming},
        figures=await attendance.figures(s, meetings=recent, now=now),
        asking=await requests.pending_requests(s, group=group, actor=user),
        recurring=await series_forms.series_of(s, group_id=group_id, now=now),
    )


async def _dashboard(
    request: Request, user: User, group_id: int, *, status: int = 200, **extra: Any
) -> Response:
    """Render the dashboard; `extra` goes into the template's context, and its `section_forms`
    (what was typed in a form, by section) over the saved values."""
    now = utcnow()
    try:
        async with hearth(request).db.session() as s:
            found = await _find(s, user, group_id, now)
    except service.NotFound:
        return await group_pages.group_not_found(request)
    except service.Forbidden as exc:
        return await error_page(
            request,
            403,
            "This dashboard is for the group's hosts",
            str(exc),
            back=f"/groups/{group_id}",
            back_label="Back to the group",
        )
    ctx = _context(request, found, now)
    for section, entered in extra.pop("section_forms", {}).items():
        ctx["section_forms"][section] = ctx["section_forms"].get(section, {}) | entered
    return await render(request, "groups/dashboard.html", ctx | extra, status=status)


def _context(request: Request, found: _Found, now: datetime) -> dict[str, Any]:
    group = found.group
    zone = zone_from(request, found.prefs.timezone)
    past = [f for f in found.figures if f.no_shows is not None or f.state == MeetingState.cancelled]
    return {
        "active": "groups",
        "group": group,
        "about": {
            "style": style_text(group),
            "language": language_name(group.language),
            "visibility": Visibility(group.visibility).label,
        },
        "runners": [(name, str(role)) for _, name, role in found.runners],
        "zone": zone,
        "zone_guessed": zone.guessed and request.method == "GET",
        "upcoming": [
            {
                "m": m,
                "when": span_text(m.starts_at, m.ends_at, zone.zone),
                "rsvps": found.lists[m.id],
                "changeable": m.state == MeetingState.scheduled and m.starts_at > now,
                "form": _local_form(m),
                "zone": m.timezone,
            }
            for m in found.upcoming
        ],
        "past": [
            {"f": f, "when": span_text(f.starts_at, f.ends_at, zone.zone), "iso": f.starts_at.isoformat()}
            for f in reversed(past)
        ],
        "chart": chart(past, zone.zone),
        "series": [series_forms.series_card(row) for row in found.recurring],
        "choices": directory_choices(),
        "repeats": REPEATS,
        "ends": ENDS,
        "max_count": MAX_COUNT,
        "time_zones": zone_names(),
        "schedule_zone": found.prefs.timezone,
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "section_errors": {},
        "section_forms": {"details": details_form(group, found.topics)},
        "archived": group.archived_at is not None,
        "opens_minutes": hearth(request).settings.room_opens_minutes,
        "join_requests": found.asking,
    }


async def dashboard(request: Request) -> Response:
    found = await _host(request)
    if isinstance(found, Response):
        return found
    return await _dashboard(request, *found)


# --- its forms --------------------------------------------------------------------------------


async def _act(
    request: Request,
    section: str,
    fields: tuple[str, ...],
    action: forms.FormAction,
    *,
    prefix: str = "",
    anchor: str | None = None,
) -> Response:
    """Run one dashboard form; `action` returns the `done` notice for the redirect.

    `section` keys the form's errors and input when it is shown again; `prefix` is the one of
    its ids when the page holds several copies of the form (an occurrence's, a series'); the
    redirect returns to `anchor` (default: the section).
    """
    group_id: int = request.path_params["group_id"]
    found = await signed_in_form(request, f"/groups/{group_id}/dashboard")
    if isinstance(found, Response):
        return found
    user, form = found
    entered: dict[str, Any] = {key: text(form, key) for key in fields}
    if section == "details":
        entered |= directory_entered(form)
    back = text(form, "back")
    try:
        async with hearth(request).db.session() as s:
            group = await service.get_group(s, group_id=group_id)
            done = await action(s, group, user, entered, request)
    except service.GroupError as exc:
        if isinstance(exc, service.NotFound) and exc.field is None:
            return await error_page(
                request, 404, "Not found", str(exc), back="/groups", back_label="Back to groups"
            )
        status = group_pages.http_status(exc)
        if back == "group":
            return await group_pages.show_group_page(
                request, status=status, section_errors={"meetings": {"_": str(exc)}}
            )
        if isinstance(exc, service.Forbidden):
            return await _dashboard(request, user, group_id, status=403)
        field = FIELD_NAMES.get(exc.field or "_", exc.field or "_")
        field = prefix + field if field != "_" else field
        return await _dashboard(
            request,
            user,
            group_id,
            status=status,
            section_errors={section: {field: str(exc)}},
            section_forms={section: entered},
        )
    if back == "group":
        response = redirect(f"/groups/{group_id}?done={done}#meetings")
    else:
        response = redirect(f"/groups/{group_id}/dashboard?done={done}#{anchor or section}")
    response.background = getattr(request.state, "background", None)  # e.g. "a seat opened up" emails
    return response


async def schedule(request: Request) -> Response:
    return await _act(request, "schedule", forms.SCHEDULE_FIELDS, forms.schedule)


async def details(request: Request) -> Response:
    return await _act(request, "details", forms.DETAIL_FIELDS, forms.details)


async def archive(request: Request) -> Response:
    return await _act(request, "archive", ("confirm",), forms.archive)


async def edit_occurrence(request: Request) -> Response:
    meeting_id = request.path_params["meeting_id"]
    section, prefix = f"occurrence-{meeting_id}", f"o{meeting_id}-"
    return await _act(request, section, forms.EDIT_FIELDS, forms.edit, prefix=prefix, anchor="upcoming")


async def cancel_occurrence(request: Request) -> Response:
    return await _act(request, "upcoming", (), forms.cancel)


async def edit_series(request: Request) -> Response:
    series_id = request.path_params["series_id"]
    section, prefix = f"series-{series_id}", f"s{series_id}-"
    return await _act(request, section, series_forms.SERIES_FIELDS, series_forms.edit, prefix=prefix)


async def end_series(request: Request) -> Response:
    series_id = request.path_params["series_id"]
    section, prefix = f"series-{series_id}-end", f"s{series_id}-end-"
    return await _act(request, section, ("confirm",), series_forms.end, prefix=prefix, anchor="series")


def dashboard_routes() -> list[Route]:
    occurrence = "/groups/{group_id:int}/occurrences/{meeting_id:int}"
    recurring = "/groups/{group_id:int}/series/{series_id:int}"
    return [
        Route("/groups/{group_id:int}/dashboard", dashboard, methods=["GET"]),
        Route("/groups/{group_id:int}/schedule", schedule, methods=["POST"]),
        Route("/groups/{group_id:int}/details", details, methods=["POST"]),
        Route("/groups/{group_id:int}/archive", archive, methods=["POST"]),
        Route(f"{occurrence}/edit", edit_occurrence, methods=["POST"]),
        Route(f"{occurrence}/cancel", cancel_occurrence, methods=["POST"]),
        Route(f"{recurring}/edit", edit_series, methods=["POST"]),
        Route(f"{recurring}/end", end_series, methods=["POST"]),
    ]
