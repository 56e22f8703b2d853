"""RFC 5545 calendars for meetings, built with `icalendar`: one file per meeting and feeds.

    meeting_ics(uid=occurrence_uid(7, o.original_start, domain="hearth.example"),
                start=o.start, end=o.end, url=room_url, name=group.name, stamp=now)  # -> bytes
    series_ics([FeedItem(uid=series_uid(7, domain=...), series=series, name=..., url=...)],
               stamp=now, calendar_name=group.name)                               # a group's feed
    member_ics([...items of every group a member RSVPed to...], stamp=now)        # "my meetings"

Every event says "Hearth meeting" and calendars are called "Hearth meetings" unless `reveal`
is true (a member's opt-in), so a lock screen reveals nothing about anyone's health; the
description only carries the link back to the room.

A series is one VEVENT with DTSTART in its IANA zone (described by a VTIMEZONE), DURATION, an
RRULE and an EXDATE per cancelled occurrence; a moved occurrence is a VEVENT with the same UID,
a RECURRENCE-ID and its new times in UTC. A one-off meeting is a plain VEVENT in UTC.
Occurrences that calendar programs tend to compute differently (a local start that does not
exist or exists twice, or a meeting spanning a clock change, where naive wall-clock arithmetic
would shorten or lengthen it) are also written out as RECURRENCE-ID events with UTC times, up
to `horizon` (a feed is fetched again long before then), so every program shows exactly what
`occurrences()` gives. `stamp` (DTSTAMP) is passed in so that output depends on inputs only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event, Timezone, vDuration, vRecur

from meeting.scheduling.recurrence import Series, generated, local_original, occurrences
from meeting.scheduling.rules import MAX_SPAN

NEUTRAL_SUMMARY = "Hearth meeting"
NEUTRAL_CALENDAR = "Hearth meetings"
PRODID = "-//Hearth//Hearth meetings//EN"
FEED_HORIZON = timedelta(days=3 * 366)
REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class FeedItem:
    """One series or one-off meeting in a feed: its stable `uid` (see `series_uid`), the name
    shown only when revealed (the group's), and the link to the group's room or page."""

    uid: str
    series: Series
    name: str
    url: str
    sequence: int = 0


def series_uid(series_id: int, *, domain: str) -> str:
    """The UID of a series (or one-off meeting) in feeds, e.g. "series-7@hearth.example"."""
    return f"series-{series_id}@{domain}"


def occurrence_uid(series_id: int, original_start: datetime, *, domain: str) -> str:
    """The UID of one occurrence's own .ics file, stable when it is moved (its original start
    names it), e.g. "meeting-7-20260304T000000Z@hearth.example"."""
    return f"meeting-{series_id}-{original_start.astimezone(UTC):%Y%m%dT%H%M%SZ}@{domain}"


def summary(name: str, *, reveal: bool) -> str:
    """What a calendar shows as the event's title: the name only when the member opted in."""
    return name if reveal and name.strip() else NEUTRAL_SUMMARY


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def _utc(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} is a naive datetime; pass a timezone-aware one")
    return value.astimezone(UTC)


def _event(uid: str, *, stamp: datetime, name: str, url: str, reveal: bool, sequence: int) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("summary", summary(name, reveal=reveal))
    event.add("description", f"Open the meeting room: {url}")
    event.add("url", url)
    event.add("sequence", sequence)
    return event


def meeting_ics(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    url: str,
    name: str,
    stamp: datetime,
    reveal: bool = False,
    cancelled: bool = False,
    sequence: int = 0,
) -> bytes:
    """A calendar file holding one meeting, times in UTC; `cancelled` marks it STATUS:CANCELLED
    (raise `sequence` whenever its times or status change so calendars take the update)."""
    event = _event(uid, stamp=_utc(stamp, "stamp"), name=name, url=url, reveal=reveal, sequence=sequence)
    event.add("dtstart", _utc(start, "start"))
    event.add("dtend", _utc(end, "end"))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal = _calendar(summary(name, reveal=reveal) if reveal else NEUTRAL_CALENDAR)
    cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _local(series: Series, value: datetime) -> datetime:
    """How a series-zone time is written: in UTC for UTC series, else with the series' TZID."""
    return value.astimezone(UTC) if series.zone.key == "UTC" else value


def _irregular(local: datetime, duration: timedelta) -> bool:
    """Whether calendar programs might disagree about this occurrence: its start or end wall
    time does not exist or exists twice, or wall-clock arithmetic gives another end."""
    end_wall = local + duration  # wall-clock arithmetic, as many programs do it
    for wall in (local, end_wall):
        back = wall.astimezone(UTC).astimezone(wall.tzinfo).replace(tzinfo=None)
        if back != wall.replace(tzinfo=None) or wall.replace(fold=1).utcoffset() != wall.utcoffset():
            return True
    return end_wall.astimezone(UTC) != local.astimezone(UTC) + duration


def _last_start(series: Series, horizon: datetime) -> datetime:
    """The last original start to write out explicitly: the rule's end, or `horizon`."""
    rule = series.rule
    if rule is not None and rule.until is not None:
        return rule.until
    if rule is not None and rule.count is not None:  # parse_rrule keeps these within MAX_SPAN
        far = series.first_start + MAX_SPAN + timedelta(days=1)
        return generated(series, start=series.first_start, end=far)[-1][1]
    return max(horizon, series.first_start)


def series_events(
    item: FeedItem, *, stamp: datetime, reveal: bool = False, horizon: datetime | None = None
) -> list[Event]:
    """The VEVENTs for one series or one-off meeting (see the module docstring); irregular
    occurrences are written out up to `horizon` (default: `stamp` + `FEED_HORIZON`)."""
    stamp = _utc(stamp, "stamp")
    series = item.series

    def new() -> Event:
        return _event(
            item.uid, stamp=stamp, name=item.name, url=item.url, reveal=reveal, sequence=item.sequence
        )

    if series.rule is None:
        events = []
        new_times = list(series.overrides.values())
        lo = min([series.start, *(m.start for m in new_times)])
        hi = max([series.end, *(m.end for m in new_times)])
        for occurrence in occurrences(series, start=lo, end=hi):
            event = new()
            event.add("dtstart", occurrence.start)
            event.add("dtend", occurrence.end)
            events.append(event)
        return events
    master = new()
    master.add("dtstart", _local(series, series.first_start.astimezone(series.zone)))
    master.add("duration", series.duration)
    master.add("rrule", vRecur.from_ical(str(series.rule)))
    cancelled = sorted(d.astimezone(UTC) for d in series.exdates)
    for original in cancelled:
        master.add("exdate", _local(series, _original(series, original)))
    moved = {key.astimezone(UTC): (times.start, times.end) for key, times in series.overrides.items()}
    last = _last_start(series, stamp + FEED_HORIZON if horizon is None else _utc(horizon, "horizon"))
    for local, instant in generated(series, start=series.first_start, end=last):
        if instant not in moved and instant not in cancelled and _irregular(local, series.duration):
            moved[instant] = (instant, instant + series.duration)
    events = [master]
    for original, (start, end) in sorted(moved.items()):
        event = new()
        event.add("recurrence-id", _local(series, _original(series, original)))
        event.add("dtstart", start.astimezone(UTC))
        event.add("dtend", end.astimezone(UTC))
        events.append(event)
    return events


def _original(series: Series, instant: datetime) -> datetime:
    local = local_original(series, instant)
    assert local is not None  # Series checked its exdates and overrides
    return local


def _timezones(items: Iterable[FeedItem], horizon: datetime) -> list[Timezone]:
    spans: dict[str, tuple[date, date]] = {}
    for item in items:
        series = item.series
        if series.rule is None or series.zone.key == "UTC":
            continue
        first = series.first_start.date() - timedelta(days=1)
        last = _last_start(series, horizon).date() + timedelta(days=2)
        low, high = spans.get(series.zone.key, (first, last))
        spans[series.zone.key] = (min(low, first), max(high, last))
    return [
        Timezone.from_tzid(key, first_date=low, last_date=high) for key, (low, high) in sorted(spans.items())
    ]


def _feed(
    items: Sequence[FeedItem], *, name: str, stamp: datetime, reveal: bool, horizon: datetime | None
) -> bytes:
    stamp = _utc(stamp, "stamp")
    until = stamp + FEED_HORIZON if horizon is None else _utc(horizon, "horizon")
    cal = _calendar(name)
    for timezone in _timezones(items, until):
        cal.add_component(timezone)
    for item in items:
        for event in series_events(item, stamp=stamp, reveal=reveal, horizon=until):
            cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def series_ics(
    items: Sequence[FeedItem],
    *,
    stamp: datetime,
    calendar_name: str = NEUTRAL_CALENDAR,
    reveal: bool = False,
    horizon: datetime | None = None,
) -> bytes:
    """A group's feed: its series and one-off meetings. The calendar is named `calendar_name`
    only when `reveal` is true (else "Hearth meetings"), as are the events."""
    name = calendar_name if reveal else NEUTRAL_CALENDAR
    return _feed(items, name=name, stamp=stamp, reveal=reveal, horizon=horizon)


def member_ics(
    items: Sequence[FeedItem], *, stamp: datetime, reveal: bool = False, horizon: datetime | None = None
) -> bytes:
    """A member's "my meetings" feed across groups, called "Hearth meetings"; group names appear
    as event titles only when `reveal` is true."""
    return _feed(items, name=NEUTRAL_CALENDAR, stamp=stamp, reveal=reveal, horizon=horizon)
