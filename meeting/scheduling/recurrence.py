"""Meeting series and their occurrences: pure functions of a `Series` and a time window.

    series = Series(
        start=datetime(2026, 3, 3, 19, tzinfo=ZoneInfo("America/New_York")),  # the first meeting
        end=datetime(2026, 3, 3, 20, 30, tzinfo=ZoneInfo("America/New_York")),
        timezone="America/New_York",
        rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=10",
        exdates=frozenset({...}),               # original starts of cancelled occurrences
        overrides={original_start: Override(start=..., end=...)},  # moved or retimed ones
    )
    occurrences(series, start=window_start, end=window_end)  # -> [Occurrence, ...] in UTC
    next_occurrence(series, after=now)                         # -> Occurrence | None

What recurs is the wall-clock start in the series' time zone: a 19:00 America/New_York
meeting is at 19:00 there on every date, so its UTC time moves by an hour across daylight
saving changes. Every occurrence lasts exactly as long as the first one (end - start, as
elapsed time, the RFC 5545 meaning of DTEND), so a 23:00-01:00 meeting crosses midnight as
two hours, and one spanning a clock change keeps its length while its local end moves.

A local start that does not exist or exists twice is read as RFC 5545 (and Python's `fold=0`)
say: a nonexistent time (02:30 on a spring-forward night) uses the offset from before the gap,
so it happens at 03:30 the new time; an ambiguous one (01:30 on a fall-back night) is the
first of the two. Dates a rule cannot have are skipped: BYMONTHDAY=29 has no February in
non-leap years, and a monthly series started on the 31st skips 30-day months.

An occurrence is identified by its original start in UTC (`Occurrence.original_start`, and
`key` as text); cancelling (`exdates`) and moving (`overrides`) name occurrences that way, and a
moved one keeps its key. Constructing a `Series` checks everything and raises `ScheduleError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil import rrule as du

from meeting.scheduling.rules import Rule, ScheduleError, parse_rrule, validate_timezone

MAX_DURATION = timedelta(hours=24)
_SLACK = timedelta(days=2)  # wider than any UTC offset change, for windows in wall-clock time


def _aware(value: datetime, name: str, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ScheduleError(f"{name} needs a time zone (a UTC offset such as +00:00).", field=field)
    return value.astimezone(UTC)


def _key(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class Override:
    """New times for one occurrence (aware datetimes, any zone), keyed by its original start."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Occurrence:
    """One meeting of a series: `start`/`end` in UTC, `original_start` (UTC) as its stable key,
    and whether an override moved or retimed it."""

    start: datetime
    end: datetime
    original_start: datetime
    overridden: bool = False

    @property
    def key(self) -> str:
        """The original start as RFC 5545 UTC text, e.g. "20260303T000000Z" (stable, URL-safe)."""
        return _key(self.original_start)


@dataclass(frozen=True)
class Series:
    """A one-off meeting (`rrule=None`) or a recurring series; see the module docstring.

    `start`/`end` are the first occurrence (aware, any zone); `timezone` is the IANA zone whose
    wall clock recurs; `exdates` and the keys of `overrides` are original starts of occurrences.
    Raises `ScheduleError` (with `field` set to starts_at, ends_at, timezone, rrule, exdates or
    overrides) when anything is wrong. `rule` and `zone` are derived on construction.
    """

    start: datetime
    end: datetime
    timezone: str
    rrule: str | None = None
    exdates: frozenset[datetime] = frozenset()
    overrides: Mapping[datetime, Override] = field(default_factory=dict)
    rule: Rule | None = field(init=False, repr=False, compare=False)
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _exdates: frozenset[datetime] = field(init=False, repr=False, compare=False)
    _overrides: dict[datetime, Override] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        start = _aware(self.start, "starts_at", "starts_at")
        end = _aware(self.end, "ends_at", "ends_at")
        if end <= start:
            raise ScheduleError("ends_at must be after starts_at.", field="ends_at")
        if end - start > MAX_DURATION:
            raise ScheduleError("A meeting can last at most 24 hours.", field="ends_at")
        tz = ZoneInfo(validate_timezone(self.timezone))
        if self.rrule is not None and start.microsecond:
            raise ScheduleError("A recurring meeting must start on a whole second.", field="starts_at")
        local = start.astimezone(tz)
        if self.rrule is not None and local.fold and local.utcoffset() != local.replace(fold=0).utcoffset():
            raise ScheduleError(
                "A recurring meeting cannot start in the hour that repeats when the clocks go back; "
                "start the series on another day or at another time.",
                field="starts_at",
            )
        rule = None if self.rrule is None else parse_rrule(self.rrule, dtstart=local)
        set_ = object.__setattr__
        set_(self, "zone", tz)
        set_(self, "rule", rule)
        exdates = frozenset(_aware(d, "A cancelled occurrence", "exdates") for d in self.exdates)
        set_(self, "_exdates", exdates)
        overrides: dict[datetime, Override] = {}
        for original, moved in self.overrides.items():
            key = _aware(original, "A moved occurrence", "overrides")
            new_start = _aware(moved.start, "A moved occurrence's start", "overrides")
            new_end = _aware(moved.end, "A moved occurrence's end", "overrides")
            if not timedelta(0) < new_end - new_start <= MAX_DURATION:
                raise ScheduleError(
                    f"Occurrence {_key(key)} must end after it starts, within 24 hours.", field="overrides"
                )
            if key in exdates:
                raise ScheduleError(f"Occurrence {_key(key)} is both cancelled and moved.", field="overrides")
            overrides[key] = Override(new_start, new_end)
        set_(self, "_overrides", overrides)
        for name, keys in (("exdates", exdates), ("overrides", overrides.keys())):
            for key in sorted(keys):
                if local_original(self, key) is None:
                    raise ScheduleError(f"{_key(key)} is not an occurrence of this series.", field=name)

    @property
    def duration(self) -> timedelta:
        """How long every occurrence lasts, as elapsed time."""
        return self.end - self.start

    @property
    def first_start(self) -> datetime:
        """The first occurrence's original start, in UTC."""
        return self.start.astimezone(UTC)


def _rule(series: Series) -> du.rrule | None:
    if series.rule is None:
        return None
    return series.rule.expand(series.first_start.astimezone(series.zone).replace(tzinfo=None))


def local_original(series: Series, original_start: datetime) -> datetime | None:
    """The wall-clock start (aware, in the series' zone) that the series generates at the
    instant `original_start`, or None when no occurrence starts then. For a nonexistent local
    time this is the time as written (02:30), not as it happens (03:30): calendars use it for
    RECURRENCE-ID and EXDATE."""
    instant = _aware(original_start, "original_start", "original_start")
    rule = _rule(series)
    if rule is None or series.rule is None:
        return series.first_start.astimezone(series.zone) if instant == series.first_start else None
    until = series.rule.until
    if until is not None and instant > until:
        return None
    wall = series.first_start.astimezone(series.zone).time()
    day = instant.astimezone(series.zone).date()
    for candidate_day in (day, day - timedelta(days=1), day + timedelta(days=1)):
        local = datetime.combine(candidate_day, wall, tzinfo=series.zone)
        if local.astimezone(UTC) == instant and local.replace(tzinfo=None) in rule:
            return local
    return None


def _generated(series: Series, lo: datetime, hi: datetime | None) -> Iterator[tuple[datetime, datetime]]:
    """(local wall-clock start, UTC start) of every rule instance starting in [lo, hi] (UTC;
    no upper bound when `hi` is None), in order, cancelled and moved ones included."""
    rule = _rule(series)
    if rule is None or series.rule is None:
        if lo <= series.first_start and (hi is None or series.first_start <= hi):
            yield series.first_start.astimezone(series.zone), series.first_start
        return
    until = series.rule.until
    wall_lo = (lo - _SLACK).astimezone(series.zone).replace(tzinfo=None)
    wall_hi = None if hi is None else (hi + _SLACK).astimezone(series.zone).replace(tzinfo=None)
    for naive in rule.xafter(wall_lo, inc=True):
        if wall_hi is not None and naive > wall_hi:
            return
        local = naive.replace(tzinfo=series.zone)
        instant = local.astimezone(UTC)
        if until is not None and instant > until:
            return
        if lo <= instant and (hi is None or instant <= hi):
            yield local, instant


def generated(series: Series, *, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """Every start the rule itself generates in [start, end], cancelled and moved ones
    included, as (wall-clock start in the series' zone, the same instant in UTC) pairs."""
    lo = _aware(start, "start", "start")
    return list(_generated(series, lo, _aware(end, "end", "end")))


def _order(occurrence: Occurrence) -> tuple[datetime, datetime]:
    return occurrence.start, occurrence.original_start


def occurrences(
    series: Series, *, start: datetime, end: datetime, limit: int | None = None
) -> list[Occurrence]:
    """The occurrences overlapping [start, end) (aware datetimes: `o.start < end and o.end >
    start`), cancelled ones left out and moved ones at their new times, sorted by start then
    key; at most `limit` of them when it is given."""
    lo = _aware(start, "start", "start")
    hi = _aware(end, "end", "end")
    found: list[Occurrence] = []
    for _, original in _generated(series, lo - series.duration, hi):
        if original in series._exdates or original in series._overrides:
            continue
        occurrence = Occurrence(original, original + series.duration, original)
        if occurrence.start < hi and occurrence.end > lo:
            found.append(occurrence)
    for original, moved in series._overrides.items():
        if moved.start < hi and moved.end > lo:
            found.append(Occurrence(moved.start, moved.end, original, overridden=True))
    found.sort(key=_order)
    return found if limit is None else found[:limit]


def next_occurrence(series: Series, *, after: datetime) -> Occurrence | None:
    """The earliest occurrence not yet over at `after` (one in progress counts), or None."""
    now = _aware(after, "after", "after")
    moved = [Occurrence(m.start, m.end, k, overridden=True) for k, m in series._overrides.items()]
    best = min((o for o in moved if o.end > now), key=_order, default=None)
    for _, original in _generated(series, now - series.duration, None):
        if original in series._exdates or original in series._overrides:
            continue
        if original + series.duration > now:
            candidate = Occurrence(original, original + series.duration, original)
            return candidate if best is None or _order(candidate) < _order(best) else best
    return best
