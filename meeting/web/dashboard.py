"""The host dashboard, `/groups/{id}/dashboard` (the group's hosts and admins), and its forms.

It shows the next meetings with who is going, who waits and the group's facilitators; the
past 90 days with attendance counts and no-shows (numbers only, never what was said) and a
small server-drawn SVG chart of them, with a table of the same figures; and links to the
moderation log. Its forms schedule a one-off meeting or a series (the repeat choices become
an RFC 5545 RRULE for `meeting.groups.series.schedule`), edit or cancel one occurrence,
change the group's directory details, and archive the group.

Like every page, each POST checks CSRF and Origin first, re-renders the dashboard with the
person's input and the error next to its field on failure, and redirects with 303 on success.
Cancelling an occurrence is also a button on the group page (for its facilitators too):
`back=group` returns there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.accounts.models import User
from meeting.attendance import service as attendance
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import requests, series, service
from meeting.groups.models import Group, Meeting, MeetingState
from meeting.groups.vocabulary import TOPICS, Style, Visibility
from meeting.groups.window import RoomWindow
from meeting.live import end_live_room
from meeting.scheduling.rules import MAX_COUNT, WEEKDAYS
from meeting.web import groups as group_pages
from meeting.web.auth import current_user
from meeting.web.directory import language_name, style_text, zone_from
from meeting.web.localtime import BadTime, day_text, meeting_times, parse_date, span_text, zone_names
from meeting.web.pages import FormRejected, form_data, redirect, text
from meeting.web.templating import error_page, render
from moderation.permissions import Action, Standing

PAST = timedelta(days=90)
UPCOMING = 12
CHART_BARS = 12
CHECKED = "yes"
REPEATS = (
    ("none", "Does not repeat"),
    ("weekly", "Every week"),
    ("biweekly", "Every other week"),
    ("monthly", "Every month, on the same weekday (for example the second Tuesday)"),
)
ENDS = (("never", "Keep going"), ("count", "After a number of meetings"), ("until", "On a date"))
SCHEDULE_FIELDS = (
    "title",
    "date",
    "start_time",
    "end_time",
    "timezone",
    "repeat",
    "ends",
    "count",
    "until",
)
DETAIL_FIELDS = (
    "name",
    "description",
    "style",
    "credential",
    "language",
    "size_limit",
    "visibility",
    "visitors_allowed",
)
EDIT_FIELDS = ("title", "date", "start_time", "end_time")
NOTICES = {
    "scheduled": "The meetings were added. Members can RSVP on the group page.",
    "scheduled_one": "The meeting was added. Members can RSVP on the group page.",
    "details": "The group's details were saved.",
    "edited": "The meeting was changed. Members who RSVPed will see that it moved.",
    "cancelled": "The meeting was cancelled. Members who RSVPed will be told.",
    "archived": "The group was archived. Its future meetings were cancelled and members are told.",
}
# Errors of the services name API fields; the forms call some of them otherwise.
FIELD_NAMES = {"starts_at": "start_time", "ends_at": "end_time", "rrule": "repeat", "topics": "topics"}


class _Refused(Exception):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


# --- the RRULE the repeat choices make --------------------------------------------------------


def nth_weekday(day: date) -> int:
    """Which of its month's weekdays `day` is: 1 to 4, or -1 for a fifth (the last)."""
    n = (day.day - 1) // 7 + 1
    return -1 if n == 5 else n


def build_rrule(repeat: str, *, day: date, ends: str, count: str, until: str) -> str | None:
    """The RRULE for the form's choices, starting on `day` (None when it does not repeat)."""
    code = WEEKDAYS[day.weekday()]
    rules = {
        "none": None,
        "weekly": f"FREQ=WEEKLY;BYDAY={code}",
        "biweekly": f"FREQ=WEEKLY;INTERVAL=2;BYDAY={code}",
        "monthly": f"FREQ=MONTHLY;BYDAY={nth_weekday(day)}{code}",
    }
    if repeat not in rules:
        raise _Refused("Choose how the meeting repeats.", field="repeat")
    rule = rules[repeat]
    if rule is None:
        return None
    if ends == "count":
        raw = count.strip()
        if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= MAX_COUNT:
            message = f"Give the number of meetings as a whole number from 1 to {MAX_COUNT}."
            raise _Refused(message, field="count")
        return f"{rule};COUNT={int(raw)}"
    if ends == "until":
        try:
            last = parse_date(until, field="until")
        except BadTime as exc:
            raise _Refused(str(exc), field="until") from None
        if last < day:
            raise _Refused("The last date is before the first meeting.", field="until")
        return f"{rule};UNTIL={last:%Y%m%d}"
    if ends != "never":
        raise _Refused("Choose when the meetings end.", field="ends")
    return rule


# --- the chart --------------------------------------------------------------------------------

CHART_W, CHART_H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 44


def chart(figures: list[attendance.Figures], zone: ZoneInfo) -> dict[str, Any] | None:
    """Bars for the last `CHART_BARS` meetings held: RSVPs "going" and those who came."""
    held = [f for f in figures if f.state != MeetingState.cancelled and f.no_shows is not None][-CHART_BARS:]
    if not held:
        return None
    top = max(1, *(max(f.rsvp_going, f.attended) for f in held))
    plot_w, plot_h = CHART_W - LEFT - RIGHT, CHART_H - TOP - BOTTOM
    slot = plot_w / len(held)
    bar = min(22.0, slot * 0.36)
    base = TOP + plot_h

    def height(value: int) -> float:
        return round(plot_h * value / top, 1)

    bars = []
    for i, f in enumerate(held):
        middle = LEFT + slot * i + slot / 2
        local = f.starts_at.astimezone(zone)
        bars.append(
            {
                "going": {"x": round(middle - bar - 1, 1), "h": height(f.rsvp_going), "n": f.rsvp_going},
                "came": {"x": round(middle + 1, 1), "h": height(f.attended), "n": f.attended},
                "w": round(bar, 1),
                "label_x": round(middle, 1),
                "label": f"{local.day} {local:%b}",
                # with many bars, every other date is left out on small screens (CSS)
                "minor": len(held) > 6 and (len(held) - 1 - i) % 2 == 1,
            }
        )
    ticks = sorted({0, top // 2, top})
    return {
        "w": CHART_W,
        "h": CHART_H,
        "left": LEFT,
        "right": CHART_W - RIGHT,
        "base": base,
        "label_y": base + 18,
        "bars": bars,
        "ticks": [{"y": round(base - plot_h * t / top, 1), "n": t} for t in ticks],
        "title": f"Attendance at the last {len(held)} meetings held"
        if len(held) > 1
        else "Attendance at the last meeting held",
        "summary": _summary(held, zone),
    }


def _summary(held: list[attendance.Figures], zone: ZoneInfo) -> str:
    first, last = (day_text(f.starts_at.astimezone(zone)) for f in (held[0], held[-1]))
    came = sum(f.attended for f in held) / len(held)
    going = sum(f.rsvp_going for f in held) / len(held)
    if len(held) == 1:
        return f"1 meeting, on {first}: {came:.0f} came of {going:.0f} who RSVPed."
    return (
        f"{len(held)} meetings from {first} to {last}: on average {came:.1f} came of {going:.1f} who RSVPed."
    )


# --- the page ---------------------------------------------------------------------------------


async def _host(request: Request) -> tuple[User, int] | Response:
    group_id: int = request.path_params["group_id"]
    user = await current_user(request)
    if user is None or user.id is None:
        return redirect(f"/login?next=/groups/{group_id}/dashboard")
    return user, group_id


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
    return {
        "name": group.name,
        "description": group.description,
        "topics": set(topics),
        "style": group.style,
        "credential": group.credential or "",
        "language": group.language,
        "size_limit": str(group.size_limit),
        "visibility": group.visibility,
        "visitors_allowed": CHECKED if group.visitors_allowed else "",
    }


async def _dashboard(
    request: Request, user: User, group_id: int, *, status: int = 200, **extra: Any
) -> Response:
    assert user.id is not None
    h = hearth(request)
    now = utcnow()
    try:
        async with h.db.session() as s:
            group = await service.get_group(s, group_id=group_id)
            await attendance.require_standing(
                s,
                user=user,
                group_id=group_id,
                least=Standing.host,
                what="Only this group's hosts and administrators can see its dashboard.",
            )
            prefs = await attendance.preferences(s, user_id=user.id)
            topics = (await service.topics_of(s, group_ids=[group_id]))[group_id]
            runners = await service.runners_of(s, group_id=group_id)
            upcoming = await series.upcoming(s, group=group, now=now, limit=UPCOMING)
            lists = {m.id: await attendance.rsvp_list(s, meeting=m) for m in upcoming}
            recent = await attendance.meetings_between(s, group_id=group_id, start=now - PAST, end=now)
            figures = await attendance.figures(s, meetings=recent, now=now)
            asking = await requests.pending_requests(s, group=group, actor=user)
    except service.NotFound:
        return await error_page(
            request,
            404,
            "Group not found",
            "There is no such group.",
            back="/groups",
            back_label="Back to groups",
        )
    except service.Forbidden as exc:
        return await error_page(
            request,
            403,
            "This dashboard is for the group's hosts",
            str(exc),
            back=f"/groups/{group_id}",
            back_label="Back to the group",
        )
    zone = zone_from(request, prefs.timezone)
    past = [f for f in figures if f.no_shows is not None or f.state == MeetingState.cancelled]
    ctx: dict[str, Any] = {
        "active": "groups",
        "group": group,
        "about": {
            "style": style_text(group),
            "language": language_name(group.language),
            "visibility": Visibility(group.visibility).label,
        },
        "runners": [(name, str(role)) for _, name, role in runners],
        "zone": zone,
        "zone_guessed": zone.guessed and request.method == "GET",
        "upcoming": [
            {
                "m": m,
                "when": span_text(m.starts_at, m.ends_at, zone.zone),
                "rsvps": lists[m.id],
                "changeable": m.state == MeetingState.scheduled and m.starts_at > now,
                "form": _local_form(m),
                "zone": m.timezone,
            }
            for m in upcoming
        ],
        "past": [
            {"f": f, "when": span_text(f.starts_at, f.ends_at, zone.zone), "iso": f.starts_at.isoformat()}
            for f in reversed(past)
        ],
        "chart": chart(past, zone.zone),
        "topics": TOPICS,
        "styles": [(s.value, s.label) for s in Style],
        "visibilities": [(v.value, v.label) for v in Visibility],
        "repeats": REPEATS,
        "ends": ENDS,
        "max_count": MAX_COUNT,
        "time_zones": zone_names(),
        "schedule_zone": prefs.timezone,
        "notice": NOTICES.get(request.query_params.get("done", "")),
        "section_errors": {},
        "section_forms": {"details": details_form(group, topics)},
        "archived": group.archived_at is not None,
        "opens_minutes": h.settings.room_opens_minutes,
        "join_requests": asking,
    }
    deep = extra.pop("section_forms", {})
    ctx["section_forms"] |= deep
    return await render(request, "groups/dashboard.html", ctx | extra, status=status)


async def dashboard(request: Request) -> Response:
    found = await _host(request)
    if isinstance(found, Response):
        return found
    return await _dashboard(request, *found)


# --- its forms --------------------------------------------------------------------------------

FormAction = Callable[[AsyncSession, Group, User, dict[str, Any], Request], Awaitable[str]]


async def _act(request: Request, section: str, fields: tuple[str, ...], action: FormAction) -> Response:
    """Run one dashboard form; `action` returns the `done` notice for the redirect."""
    found = await _host(request)
    if isinstance(found, Response):
        return found
    user, group_id = found
    try:
        form = await form_data(request)
    except FormRejected as exc:
        return exc.response
    entered: dict[str, Any] = {key: text(form, key) for key in fields}
    if section == "details":
        entered["topics"] = {v for v in form.getlist("topics") if isinstance(v, str)}
    back = text(form, "back")
    try:
        async with hearth(request).db.session() as s:
            group = await service.get_group(s, group_id=group_id)
            done = await action(s, group, user, entered, request)
    except (service.GroupError, _Refused) as exc:
        if isinstance(exc, service.NotFound) and exc.field is None:
            return await error_page(
                request, 404, "Not found", str(exc), back="/groups", back_label="Back to groups"
            )
        status = 422 if isinstance(exc, _Refused) else group_pages._status(exc)
        if back == "group":
            return await group_pages._group_page(
                request, status=status, section_errors={"meetings": {"_": str(exc)}}
            )
        if isinstance(exc, service.Forbidden):
            return await _dashboard(request, user, group_id, status=403)
        field = FIELD_NAMES.get(exc.field or "_", exc.field or "_")
        if section.startswith("occurrence-") and field != "_":  # each edit form's ids are prefixed
            field = f"o{request.path_params['meeting_id']}-{field}"
        return await _dashboard(
            request,
            user,
            group_id,
            status=status,
            section_errors={section: {field: str(exc)}},
            section_forms={section: entered},
        )
    if back == "group":
        return redirect(f"/groups/{group_id}?done={done}#meetings")
    anchor = "upcoming" if section.startswith("occurrence") else section
    return redirect(f"/groups/{group_id}/dashboard?done={done}#{anchor}")


def _checked_zone(name: str) -> str:
    if name not in zone_names():
        raise _Refused("Choose a time zone from the list.", field="timezone")
    return name


def _times(entered: dict[str, Any], zone_name: str) -> tuple[datetime, datetime]:
    try:
        return meeting_times(entered["date"], entered["start_time"], entered["end_time"], zone_name)
    except BadTime as exc:
        raise _Refused(str(exc), field=exc.field) from None


async def _schedule(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    await service.require(s, action=Action.create_meeting, user=user, group_id=group.id)
    zone_name = _checked_zone(entered["timezone"])
    starts_at, ends_at = _times(entered, zone_name)
    rule = build_rrule(
        entered["repeat"] or "none",
        day=starts_at.astimezone(ZoneInfo(zone_name)).date(),
        ends=entered["ends"] or "never",
        count=entered["count"],
        until=entered["until"],
    )
    await series.schedule(
        s,
        group=group,
        actor=user,
        title=entered["title"],
        starts_at=starts_at,
        ends_at=ends_at,
        timezone=zone_name,
        rrule=rule,
    )
    return "scheduled_one" if rule is None else "scheduled"


async def _details(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    size = entered["size_limit"].strip()
    if not size.isascii() or not size.isdigit() or len(size) > 4:
        raise _Refused("The size limit must be a whole number from 1 to 200.", field="size_limit")
    before = group.size_limit
    professional = entered["style"] == Style.professional.value
    await service.update_group(
        s,
        group=group,
        actor=user,
        changes={
            "name": entered["name"],
            "description": entered["description"],
            "topics": sorted(entered["topics"]),
            "style": entered["style"],
            "credential": entered["credential"] if professional else None,
            "language": entered["language"],
            "size_limit": int(size),
            "visibility": entered["visibility"],
            "visitors_allowed": entered["visitors_allowed"] == CHECKED,
        },
    )
    if group.size_limit > before:  # more seats: the waitlists move up
        for m in await series.upcoming(s, group=group, limit=50):
            if m.id is not None and m.state != MeetingState.cancelled:
                await attendance.fill_seats(s, meeting_id=m.id)
    return "details"


async def _archive(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    if entered["confirm"] != CHECKED:
        raise _Refused("Tick the box to confirm that you want to archive this group.", field="confirm")
    _, cancelled = await series.archive_group(s, group=group, actor=user)
    await s.commit()  # the room's gate reads this: commit before rooms are closed
    for meeting_id in cancelled:
        await end_live_room(hearth(request), meeting_id)
    return "archived"


async def _occurrence(s: AsyncSession, group: Group, meeting_id: int) -> Meeting:
    meeting = await service.get_meeting(s, meeting_id=meeting_id)
    if meeting.group_id != group.id:
        raise service.NotFound(f"No meeting with id {meeting_id} in this group.")
    return meeting


async def _edit(s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request) -> str:
    meeting = await _occurrence(s, group, request.path_params["meeting_id"])
    await service.require(
        s, action=Action.create_meeting, user=user, group_id=group.id, refusal=service.SCHEDULE_REFUSED
    )
    starts_at, ends_at = _times(entered, meeting.timezone)
    await series.edit_meeting(
        s,
        meeting=meeting,
        actor=user,
        changes={"title": entered["title"], "starts_at": starts_at, "ends_at": ends_at},
        window=_window(request),
    )
    return "edited"


async def _cancel(
    s: AsyncSession, group: Group, user: User, entered: dict[str, Any], request: Request
) -> str:
    meeting = await _occurrence(s, group, request.path_params["meeting_id"])
    await series.cancel_meeting(s, meeting=meeting, actor=user, window=_window(request))
    await s.commit()
    assert meeting.id is not None
    await end_live_room(hearth(request), meeting.id)  # in case a facilitator had opened it early
    return "cancelled"


def _window(request: Request) -> RoomWindow:
    return RoomWindow.from_settings(hearth(request).settings)


async def schedule(request: Request) -> Response:
    return await _act(request, "schedule", SCHEDULE_FIELDS, _schedule)


async def details(request: Request) -> Response:
    return await _act(request, "details", DETAIL_FIELDS, _details)


async def archive(request: Request) -> Response:
    return await _act(request, "archive", ("confirm",), _archive)


async def edit_occurrence(request: Request) -> Response:
    section = f"occurrence-{request.path_params['meeting_id']}"
    return await _act(request, section, EDIT_FIELDS, _edit)


async def cancel_occurrence(request: Request) -> Response:
    return await _act(request, "upcoming", (), _cancel)


def dashboard_routes() -> list[Route]:
    occurrence = "/groups/{group_id:int}/occurrences/{meeting_id:int}"
    return [
        Route("/groups/{group_id:int}/dashboard", dashboard, methods=["GET"]),
        Route("/groups/{group_id:int}/schedule", schedule, methods=["POST"]),
        Route("/groups/{group_id:int}/details", details, methods=["POST"]),
        Route("/groups/{group_id:int}/archive", archive, methods=["POST"]),
        Route(f"{occurrence}/edit", edit_occurrence, methods=["POST"]),
        Route(f"{occurrence}/cancel", cancel_occurrence, methods=["POST"]),
    ]
