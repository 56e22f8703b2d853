"""The group directory page (`GET /directory`), and what the group page shows a viewer about a
group and its meetings (`group_page_extras`, called by `meeting.web.groups`).

The directory is a plain GET form, so it needs no CSRF token: topics, style, language, days,
a time-of-day window, "has seats" and words to search for, read by
`meeting.groups.directory.parse_query` exactly as `GET /api/v1/groups` reads them. Times are
shown in the viewer's zone (`meeting.web.localtime`): the account's, else the `tz` parameter,
else the browser's; the day and time filters are read in that zone too.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from meeting.accounts.models import Role, User
from meeting.attendance import service as attendance
from meeting.context import hearth
from meeting.db import utcnow
from meeting.groups import directory, service
from meeting.groups.models import Group, GroupRoleName, Meeting, MeetingState
from meeting.groups.vocabulary import TOPIC_LABELS, TOPICS, Style, Visibility
from meeting.groups.window import RoomWindow
from meeting.web.auth import current_user
from meeting.web.localtime import (
    ZONE_COOKIE,
    ViewerZone,
    clock_text,
    day_text,
    pick_zone,
    span_text,
    zone_names,
)
from meeting.web.pages import redirect
from meeting.web.templating import render
from moderation.permissions import Standing, standing

DAYS = (
    ("mon", "Monday"),
    ("tue", "Tuesday"),
    ("wed", "Wednesday"),
    ("thu", "Thursday"),
    ("fri", "Friday"),
    ("sat", "Saturday"),
    ("sun", "Sunday"),
)
STYLES = (("", "Any"), ("peer", Style.peer.label), ("professional", Style.professional.label))
# Names for the language tags groups use most; any other tag is shown as it is.
LANGUAGES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
}
SOON_SHOWN = 4  # the group page shows this many coming meetings, and folds the rest away
FORM_FIELDS = ("q", "topic", "style", "language", "day", "from", "to", "tz")
# The directory's form fields, as the page's ids (the error summary links to them).
FIELD_IDS = {"from": "time-from", "to": "time-to", "topic": "topics", "day": "days"}


def language_name(tag: str) -> str:
    """ "English" for en, "English (en-GB)" for a regional tag, the tag itself when unknown."""
    name = LANGUAGES.get(tag.split("-")[0].lower())
    if name is None:
        return tag
    return name if "-" not in tag else f"{name} ({tag})"


def style_text(group: Group) -> str:
    label = Style(group.style).label
    return f"{label}: {group.credential}" if group.credential else label


def zone_from(request: Request, account: str | None) -> ViewerZone:
    return pick_zone(
        account=account, query=request.query_params.get("tz"), cookie=request.cookies.get(ZONE_COOKIE)
    )


# --- the group page -------------------------------------------------------------------------


async def group_page_extras(
    s: AsyncSession,
    *,
    request: Request,
    group: Group,
    user: User,
    role: GroupRoleName | None,
    meetings: list[Meeting],
) -> dict[str, Any]:
    """The group page's "About" facts, each meeting's time in the viewer's zone, the viewer's
    RSVPs and waitlist places, seats left, and what they may do (RSVP, visit, host)."""
    assert group.id is not None
    assert user.id is not None
    h = hearth(request)
    now = utcnow()
    window = RoomWindow.from_settings(h.settings)
    prefs = await attendance.preferences(s, user_id=user.id)
    zone = zone_from(request, prefs.timezone)
    topics = (await service.topics_of(s, group_ids=[group.id]))[group.id]
    runners = await service.runners_of(s, group_id=group.id)
    ids = [m.id for m in meetings if m.id is not None]
    taken = await attendance.seats_taken(s, meeting_ids=ids)
    mine = {
        item.meeting.id: item.rsvp
        for item in await attendance.my_meetings(s, user_id=user.id, now=now)
        if item.group.id == group.id
    }
    archived = group.archived_at is not None
    rank = standing(platform_role=user.role, group_role=role)
    local = {
        m.id: {
            "when": span_text(m.starts_at, m.ends_at, zone.zone),
            "opens": clock_text(window.opens_at(m), zone.zone),
            "opens_day": _other_day(window.opens_at(m), m.starts_at, zone.zone),
            "takes_rsvps": not archived and m.state != MeetingState.cancelled and m.ends_at > now,
            "can_cancel": m.state not in (MeetingState.cancelled, MeetingState.ended) and m.starts_at > now,
        }
        for m in meetings
    }
    past = {
        m.id
        for m in meetings
        if service.status_of(m, now=now) == "ended"
        or (m.state == MeetingState.cancelled and m.ends_at <= now)
    }
    return {
        "past_ids": past,
        "soon_shown": SOON_SHOWN,
        "about": {
            "topics": [TOPIC_LABELS[t] for t in topics],
            "style": style_text(group),
            "language": language_name(group.language),
            "visibility": Visibility(group.visibility).label,
            "runners": [(name, str(r)) for _, name, r in runners],
            "archived": archived,
        },
        "zone": zone,
        "zone_guessed": zone.guessed and request.method == "GET",
        "local": local,
        "opens_minutes": h.settings.room_opens_minutes,
        "my_rsvps": mine,
        "seats": {mid: attendance.seats_left(group, n) for mid, n in taken.items()},
        "is_staff": rank >= Standing.facilitator,
        "can_rsvp": not archived and (role is not None or user.role == Role.admin),
        "can_visit": (
            not archived
            and role is None
            and user.role != Role.admin
            and group.visitors_allowed
            and group.visibility != Visibility.private.value
        ),
        "visiting": [mid for mid, r in mine.items() if r.visitor],
        "can_dashboard": rank >= Standing.host,
    }


# --- the directory --------------------------------------------------------------------------


def _other_day(opens: datetime, starts: datetime, zone: ZoneInfo) -> str | None:
    """The day the room opens, when it is not the day the meeting starts (in `zone`)."""
    opens, starts = opens.astimezone(zone), starts.astimezone(zone)
    return None if opens.date() == starts.date() else day_text(opens)


def _chosen(request: Request) -> dict[str, Any]:
    """What the form holds now, to fill it in again."""
    q = request.query_params
    return {
        "topics": set(q.getlist("topic")),
        "style": q.get("style", ""),
        "language": q.get("language", ""),
        "q": q.get("q", ""),
        "days": set(q.getlist("day")),
        "from": q.get("from", ""),
        "to": q.get("to", ""),
        "has_seats": q.get("has_seats", "") in ("true", "1", "yes", "on"),
        "tz": q.get("tz", ""),
    }


def _page_link(request: Request, page: int) -> str:
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return "/directory?" + urlencode([*items, ("page", str(page))])


def _filtered(request: Request) -> bool:
    return any(v for k, v in request.query_params.multi_items() if k not in ("tz", "page", "per_page"))


async def directory_page(request: Request) -> Response:
    user = await current_user(request)
    if user is None or user.id is None:
        return redirect("/login?next=/directory")
    async with hearth(request).db.session() as s:
        prefs = await attendance.preferences(s, user_id=user.id)
    zone = zone_from(request, prefs.timezone)
    items = [(k, v) for k, v in request.query_params.multi_items() if k != "tz"]
    ctx: dict[str, Any] = {
        "active": "directory",
        "topics": TOPICS,
        "days": DAYS,
        "styles": STYLES,
        "time_zones": zone_names(),
        "chosen": _chosen(request),
        "zone": zone,
        "zone_guessed": zone.guessed,
        "filtered": _filtered(request),
        "results": None,
        "field_ids": FIELD_IDS,
    }
    try:
        query = directory.parse_query([*items, ("tz", zone.name)])
    except service.InvalidInput as exc:
        field = exc.field if exc.field in FORM_FIELDS else "_"  # page, per_page, or a stray name
        ctx["errors"] = {field: str(exc)}
        return await render(request, "groups/directory.html", ctx, status=422)
    async with hearth(request).db.session() as s:
        found = await directory.search(s, query)
    pages = max(1, math.ceil(found.total / found.per_page))
    ctx |= {
        "results": [
            {
                "group": item.group,
                "topics": [TOPIC_LABELS[t] for t in item.topics],
                "style": style_text(item.group),
                "language": language_name(item.group.language),
                "next": None
                if item.next is None
                else {
                    "when": span_text(item.next.meeting.starts_at, item.next.meeting.ends_at, zone.zone),
                    "iso": item.next.meeting.starts_at.isoformat(),
                    "seats_left": item.next.seats_left,
                },
            }
            for item in found.items
        ],
        "total": found.total,
        "page": found.page,
        "pages": pages,
        "previous_link": _page_link(request, found.page - 1) if found.page > 1 else None,
        "next_link": _page_link(request, found.page + 1) if found.page < pages else None,
    }
    return await render(request, "groups/directory.html", ctx)


def directory_routes() -> list[Route]:
    return [Route("/directory", directory_page, methods=["GET"])]
