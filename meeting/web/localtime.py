"""Times on the pages, in the viewer's own time zone.

Whose zone: the one set on the account (`MemberPrefs.timezone`), else a `tz` query parameter,
else the `hearth_tz` cookie that `static/js/time-zone.js` sets from the browser's
`Intl.DateTimeFormat().resolvedOptions().timeZone` on a first visit, else UTC (the page then
says so, and marks itself with `data-zone-guessed` so the script can fill the cookie and
reload once). Every name is checked against the IANA database; a bad one is ignored.

    zone = await viewer_zone(request, user)
    span_text(meeting.starts_at, meeting.ends_at, zone.zone)   # "Tue 9 Mar 2027, 19:00 to 20:00 EST"
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Literal

from starlette.requests import Request

from meeting.accounts.models import User
from meeting.attendance import service as attendance
from meeting.context import hearth
from meeting.scheduling import ScheduleError, validate_timezone

ZONE_COOKIE = "hearth_tz"
ZoneSource = Literal["account", "query", "browser", "default"]


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """UTC first, then every "Area/City" zone this machine knows."""
    skip = ("Etc/", "SystemV/", "posix/", "right/")
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(skip))
    return ("UTC", *names)


def checked_zone(name: str | None) -> str | None:
    """The canonical IANA name, or None for a missing or unknown one."""
    if not name or len(name) > 64:
        return None
    try:
        return validate_timezone(name)
    except ScheduleError:
        return None


@dataclass(frozen=True)
class ViewerZone:
    """The zone times are shown in, and where it came from."""

    name: str
    source: ZoneSource

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.name)

    @property
    def guessed(self) -> bool:
        """Nothing told us the viewer's zone: UTC is a stand-in the browser may replace."""
        return self.source == "default"


def pick_zone(*, account: str | None, query: str | None, cookie: str | None) -> ViewerZone:
    for name, source in ((account, "account"), (query, "query"), (cookie, "browser")):
        found = checked_zone(name)
        if found is not None:
            return ViewerZone(found, source)  # type: ignore[arg-type]
    return ViewerZone("UTC", "default")


async def account_zone(request: Request, user: User | None) -> str | None:
    if user is None or user.id is None:
        return None
    async with hearth(request).db.session() as s:
        prefs = await attendance.preferences(s, user_id=user.id)
    return prefs.timezone


async def viewer_zone(request: Request, user: User | None) -> ViewerZone:
    return pick_zone(
        account=await account_zone(request, user),
        query=request.query_params.get("tz"),
        cookie=request.cookies.get(ZONE_COOKIE),
    )


def zone_label(moment: datetime) -> str:
    """The zone's abbreviation at `moment` (EST, EDT, GMT, CET...), or UTC+03 for zones whose
    abbreviation is only a number."""
    abbreviation = moment.tzname() or ""
    if not abbreviation or abbreviation[0] in "+-":
        return "UTC" + abbreviation
    return abbreviation


def day_text(moment: datetime) -> str:
    """Like "Tue 9 Mar 2027"."""
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def clock_text(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """Like "18:50 EST", in `zone`."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {zone_label(local)}"


def span_text(start: datetime, end: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """Like "Tue 9 Mar 2027, 19:00 to 20:30 EST" in `zone`; the end's date is added when it
    falls on another day there (a meeting that crosses midnight), and its zone label when it
    differs (a meeting that spans a clock change)."""
    a, b = start.astimezone(zone), end.astimezone(zone)
    end_text = f"{b:%H:%M}" if b.date() == a.date() else f"{day_text(b)}, {b:%H:%M}"
    if zone_label(a) != zone_label(b):
        return f"{day_text(a)}, {a:%H:%M} {zone_label(a)} to {end_text} {zone_label(b)}"
    return f"{day_text(a)}, {a:%H:%M} to {end_text} {zone_label(a)}"


class BadTime(ValueError):
    """What a person typed is not a time there; `field` names the form field to blame."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def parse_date(raw: str, *, field: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadTime("Enter a date, like 2027-03-09.", field=field) from None


def parse_clock(raw: str, *, field: str) -> time:
    try:
        found = time.fromisoformat(raw.strip())
    except ValueError:
        raise BadTime("Enter a time of day, like 19:00.", field=field) from None
    if found.tzinfo is not None:
        raise BadTime("Enter the time without a UTC offset; choose the time zone below.", field=field)
    return found.replace(second=0, microsecond=0)


def wall_clock(day: date, clock: time, zone_name: str, *, field: str) -> datetime:
    """`day` at `clock` in `zone_name`, as an aware UTC datetime. A time the clocks skip (the
    spring change) is refused; one they pass twice (the autumn change) is the first of the two."""
    zone = zoneinfo.ZoneInfo(zone_name)
    aware = datetime.combine(day, clock, zone)
    back = aware.astimezone(UTC).astimezone(zone)
    if (back.date(), back.time()) != (day, clock):
        raise BadTime(
            f"{clock:%H:%M} does not exist on {day_text(aware)} in {zone_name} (the clocks change).",
            field=field,
        )
    return aware.astimezone(UTC)


def meeting_times(day_raw: str, start_raw: str, end_raw: str, zone_name: str) -> tuple[datetime, datetime]:
    """A meeting typed as a date, a start and an end time in `zone_name`, in UTC. An end time
    at or before the start means the next day: a meeting that crosses midnight."""
    day = parse_date(day_raw, field="date")
    start_clock = parse_clock(start_raw, field="start_time")
    end_clock = parse_clock(end_raw, field="end_time")
    start = wall_clock(day, start_clock, zone_name, field="start_time")
    end_day = day + timedelta(days=1) if end_clock <= start_clock else day
    end = wall_clock(end_day, end_clock, zone_name, field="end_time")
    return start, end
