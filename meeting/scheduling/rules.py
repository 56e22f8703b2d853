"""Checking what a host typed: IANA time zone names and RFC 5545 recurrence rules.

    validate_timezone("america/new_york")             # -> "America/New_York"
    rule = parse_rrule("FREQ=MONTHLY;BYDAY=-1FR;COUNT=12", dtstart=first_start_in_its_zone)
    str(rule)                                          # -> "FREQ=MONTHLY;COUNT=12;BYDAY=-1FR"

Both raise `ScheduleError` (a `ValueError` with a `field` naming the API field) whose message
is safe to show and names the offending value. Supported rules are the ones support groups
use: FREQ=DAILY, WEEKLY or MONTHLY, with INTERVAL, COUNT or UNTIL, BYDAY (with a position
such as 2TU or -1FR under MONTHLY), BYMONTHDAY (MONTHLY) and WKST. A meeting always recurs
at the wall-clock time of its first occurrence, so BYHOUR, BYMINUTE and BYSECOND are refused,
as are BYSETPOS, BYMONTH, BYYEARDAY, BYWEEKNO and FREQ=YEARLY (write 2TU, not BYSETPOS=2).
The first occurrence (`dtstart`) must itself be one the rule generates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Literal, cast
from zoneinfo import ZoneInfo, available_timezones

from dateutil import rrule as du

Freq = Literal["DAILY", "WEEKLY", "MONTHLY"]
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_COUNT = 520
MAX_INTERVAL = 52
MAX_SPAN = timedelta(days=3660)  # UNTIL at most about ten years after the first meeting
MAX_LENGTH = 300

_FREQS: dict[str, Literal[1, 2, 3]] = {"DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY}
_REFUSED = {
    "BYHOUR": "a meeting recurs at the time of its first occurrence",
    "BYMINUTE": "a meeting recurs at the time of its first occurrence",
    "BYSECOND": "a meeting recurs at the time of its first occurrence",
    "BYSETPOS": "for the nth weekday of the month write BYDAY=2TU (second Tuesday) or -1FR (last Friday)",
    "BYMONTH": "use FREQ=MONTHLY with INTERVAL, BYDAY or BYMONTHDAY",
    "BYYEARDAY": "use FREQ=MONTHLY with INTERVAL, BYDAY or BYMONTHDAY",
    "BYWEEKNO": "use FREQ=WEEKLY with INTERVAL",
}
_BYDAY = re.compile(r"([+-]?\d{1,2})?([A-Z]{2})")
_UNTIL = re.compile(r"(\d{8})(?:T(\d{6})Z)?")


class ScheduleError(ValueError):
    """A schedule that cannot be accepted; `field` is the API field to blame."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@cache
def _zone_names() -> dict[str, str]:
    """Area/Location names (and UTC) from the tz database, by their lower-case spelling."""
    names = (n for n in available_timezones() if "/" in n or n == "UTC")
    return {name.lower(): name for name in names}


def validate_timezone(name: str) -> str:
    """The canonical IANA name for `name` ("europe/berlin" -> "Europe/Berlin"), or `ScheduleError`.

    Only Area/Location names and "UTC" are accepted: abbreviations ("EST", "CET") and offsets
    ("+02:00") are ambiguous or ignore daylight saving time, so they are refused.
    """
    found = _zone_names().get(name.strip().lower()) if isinstance(name, str) else None
    if found is None:
        raise ScheduleError(
            f"Time zone {name!r} is not an IANA time zone name such as America/New_York or Europe/Berlin.",
            field="timezone",
        )
    return found


def zone(name: str) -> ZoneInfo:
    """The `ZoneInfo` for a name accepted by `validate_timezone`."""
    return ZoneInfo(validate_timezone(name))


@dataclass(frozen=True)
class Rule:
    """A parsed, supported RRULE. `until` is UTC; `byday` holds (position or None, "TU") pairs."""

    freq: Freq
    interval: int = 1
    count: int | None = None
    until: datetime | None = None
    byday: tuple[tuple[int | None, str], ...] = ()
    bymonthday: tuple[int, ...] = ()
    wkst: str | None = None

    def __str__(self) -> str:
        """The rule as canonical RFC 5545 text (UNTIL in UTC), as written into calendars."""
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        if self.until is not None:
            parts.append(f"UNTIL={self.until.strftime('%Y%m%dT%H%M%SZ')}")
        if self.byday:
            parts.append("BYDAY=" + ",".join(f"{'' if n is None else n}{day}" for n, day in self.byday))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(str(day) for day in self.bymonthday))
        if self.wkst is not None:
            parts.append(f"WKST={self.wkst}")
        return ";".join(parts)

    def expand(self, dtstart: datetime) -> du.rrule:
        """A dateutil rule over naive wall-clock times starting at naive `dtstart`, without
        UNTIL (callers compare instants with `until` themselves, exactly, in UTC)."""
        weekdays = [du.weekday(WEEKDAYS.index(day), n) for n, day in self.byday] or None
        return du.rrule(
            _FREQS[self.freq],
            dtstart=dtstart,
            interval=self.interval,
            count=self.count,
            byweekday=weekdays,
            bymonthday=list(self.bymonthday) or None,
            wkst=None if self.wkst is None else WEEKDAYS.index(self.wkst),
            cache=True,
        )


def _fail(message: str) -> ScheduleError:
    return ScheduleError(message, field="rrule")


def _whole(name: str, value: str, least: int, most: int) -> int:
    if not value.isdigit() or not least <= int(value) <= most:
        raise _fail(f"{name} must be a whole number from {least} to {most}, not {value!r}.")
    return int(value)


def _until(value: str, dtstart: datetime) -> datetime:
    match = _UNTIL.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        if match.group(2) is None:  # a date: through the end of that day where the group meets
            day = datetime.strptime(match.group(1), "%Y%m%d").date()
            return datetime.combine(day, time(23, 59, 59), dtstart.tzinfo).astimezone(UTC)
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise _fail(
            f"UNTIL must be a UTC time such as 20261231T235959Z or a date such as 20261231, not {value!r}."
        ) from None


def _byday(value: str, freq: Freq) -> tuple[tuple[int | None, str], ...]:
    days: list[tuple[int | None, str]] = []
    for item in value.split(","):
        match = _BYDAY.fullmatch(item)
        if match is None or match.group(2) not in WEEKDAYS:
            raise _fail(
                f"BYDAY has {item!r}, which is not a weekday (MO, TU, WE, TH, FR, SA or SU, "
                "with an optional position such as 2TU or -1FR)."
            )
        position = None if match.group(1) is None else int(match.group(1))
        if position is not None and freq != "MONTHLY":
            raise _fail(f"BYDAY={item} (a position in the month) needs FREQ=MONTHLY.")
        if position is not None and not 1 <= abs(position) <= 5:
            raise _fail(f"The position in BYDAY={item} must be 1 to 5 or -1 to -5.")
        if (position, match.group(2)) not in days:
            days.append((position, match.group(2)))
    if len({position is None for position, _ in days}) > 1:  # RFC 5545 and dateutil disagree here
        raise _fail(f"BYDAY={value} mixes days with and without a position; use one kind or the other.")
    return tuple(days)


def _bymonthday(value: str) -> tuple[int, ...]:
    days: list[int] = []
    for item in value.split(","):
        if re.fullmatch(r"[+-]?\d{1,2}", item) is None or not 1 <= abs(int(item)) <= 31:
            raise _fail(f"BYMONTHDAY must be 1 to 31 or -1 to -31, not {item!r}.")
        if int(item) not in days:
            days.append(int(item))
    return tuple(days)


def _parts(text: str) -> dict[str, str]:
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise _fail("The recurrence rule is empty; give one such as FREQ=WEEKLY;BYDAY=TU.")
    if len(body) > MAX_LENGTH:
        raise _fail(f"The recurrence rule is too long (at most {MAX_LENGTH} characters).")
    parts: dict[str, str] = {}
    for part in body.rstrip(";").split(";"):
        name, equals, value = part.partition("=")
        name, value = name.strip().upper(), value.strip().upper()
        if not equals or not name or not value:
            raise _fail(f"Recurrence rule part {part!r} is not NAME=VALUE.")
        if name in parts:
            raise _fail(f"The recurrence rule gives {name} twice.")
        parts[name] = value
    return parts


def parse_rrule(text: str, *, dtstart: datetime) -> Rule:
    """Parse and check an RRULE (with or without the "RRULE:" prefix) for a series whose first
    occurrence starts at `dtstart`, an aware datetime in the series' own time zone (a date-only
    UNTIL means the end of that day there). Raises `ScheduleError` naming the problem."""
    if dtstart.tzinfo is None or dtstart.utcoffset() is None:
        raise ValueError("dtstart is a naive datetime; pass a timezone-aware one")
    parts = _parts(text)
    for name in parts:
        if name in _REFUSED:
            raise _fail(f"{name} is not supported: {_REFUSED[name]}.")
        if name not in ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"):
            raise _fail(f"{name} is not a recurrence rule part Hearth knows.")
    freq_text = parts.get("FREQ")
    if freq_text is None:
        raise _fail("The recurrence rule needs FREQ=DAILY, FREQ=WEEKLY or FREQ=MONTHLY.")
    if freq_text in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise _fail(f"FREQ={freq_text} is not allowed: meetings recur at most daily.")
    if freq_text not in _FREQS:
        raise _fail(f"FREQ={freq_text} is not supported; use DAILY, WEEKLY or MONTHLY.")
    freq = cast(Freq, freq_text)
    if "COUNT" in parts and "UNTIL" in parts:
        raise _fail("Give COUNT or UNTIL, not both.")
    if "BYMONTHDAY" in parts and freq != "MONTHLY":
        raise _fail("BYMONTHDAY needs FREQ=MONTHLY.")
    wkst = parts.get("WKST")
    if wkst is not None and wkst not in WEEKDAYS:
        raise _fail(f"WKST must be a weekday (MO, TU, WE, TH, FR, SA or SU), not {wkst!r}.")
    until = None if "UNTIL" not in parts else _until(parts["UNTIL"], dtstart)
    if until is not None and until < dtstart:
        raise _fail(f"UNTIL ({until:%Y-%m-%d %H:%M} UTC) is before the first meeting.")
    if until is not None and until - dtstart > MAX_SPAN:
        raise _fail("UNTIL is more than ten years after the first meeting.")
    rule = Rule(
        freq=freq,
        interval=_whole("INTERVAL", parts.get("INTERVAL", "1"), 1, MAX_INTERVAL),
        count=None if "COUNT" not in parts else _whole("COUNT", parts["COUNT"], 1, MAX_COUNT),
        until=until,
        byday=() if "BYDAY" not in parts else _byday(parts["BYDAY"], freq),
        bymonthday=() if "BYMONTHDAY" not in parts else _bymonthday(parts["BYMONTHDAY"]),
        wkst=wkst,
    )
    local = dtstart.replace(tzinfo=None, microsecond=0)
    expanded = rule.expand(local)
    if next(iter(expanded), None) != local:
        raise _fail(
            f"The first meeting ({dtstart:%A %Y-%m-%d %H:%M}) is not a day the rule {rule} includes; "
            "start the series on one of its days."
        )
    if rule.count is not None and expanded[-1] - local > MAX_SPAN:
        raise _fail(f"COUNT={rule.count} runs more than ten years past the first meeting.")
    return rule
