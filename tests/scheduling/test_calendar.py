"""`meeting.scheduling.calendar`: every file parses with `icalendar`, and `recurring_ical_events`
expands every feed to exactly the occurrences `occurrences()` gives (DST changes in the US and
the EU, cancelled and moved occurrences, midnight, nonexistent and repeated local times, leap
days), while titles stay neutral unless revealed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar, Event

from meeting.scheduling import Override, Series, occurrences
from meeting.scheduling.calendar import (
    NEUTRAL_SUMMARY,
    FeedItem,
    meeting_ics,
    member_ics,
    occurrence_uid,
    series_ics,
    series_uid,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
STAMP = datetime(2026, 1, 1, 12, tzinfo=UTC)
LO, HI = datetime(2025, 6, 1, tzinfo=UTC), datetime(2028, 12, 1, tzinfo=UTC)  # within the feed horizon
URL = "https://hearth.example/meetings/41"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def make(start: datetime, minutes: int, tz: str, rrule: str | None = None, **more: object) -> Series:
    end = start + timedelta(minutes=minutes)
    return Series(start=start, end=end, timezone=tz, rrule=rrule, **more)  # type: ignore[arg-type]


def item(s: Series, n: int = 1, name: str = "Grief circle") -> FeedItem:
    return FeedItem(uid=series_uid(n, domain="hearth.example"), series=s, name=name, url=URL)


def parse(data: bytes) -> Calendar:
    cal = Calendar.from_ical(data)
    assert isinstance(cal, Calendar)
    assert all(not component.errors for component in cal.walk()), [c.errors for c in cal.walk()]
    return cal


def expand(data: bytes, lo: datetime = LO, hi: datetime = HI) -> list[tuple[datetime, datetime]]:
    found = recurring_ical_events.of(parse(data)).between(lo, hi)
    return sorted((e["DTSTART"].dt.astimezone(UTC), e["DTEND"].dt.astimezone(UTC)) for e in found)


def expected(*many: Series, lo: datetime = LO, hi: datetime = HI) -> list[tuple[datetime, datetime]]:
    return sorted((o.start, o.end) for s in many for o in occurrences(s, start=lo, end=hi))


def events(data: bytes) -> list[Event]:
    return [c for c in parse(data).walk("VEVENT") if isinstance(c, Event)]


CASES = {
    "weekly 19:00 New York across both US changes": make(
        datetime(2026, 2, 3, 19, tzinfo=NY), 90, "America/New_York", "FREQ=WEEKLY;COUNT=45"
    ),
    "Sunday 10:00 Berlin, no end, across the EU changes": make(
        datetime(2026, 3, 1, 10, tzinfo=BERLIN), 60, "Europe/Berlin", "FREQ=WEEKLY"
    ),
    "every other week, one cancelled, one moved across the US change": make(
        datetime(2026, 2, 3, 19, tzinfo=NY),
        60,
        "America/New_York",
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=20261231T235959Z",
        exdates=frozenset({datetime(2026, 3, 3, 19, tzinfo=NY), datetime(2026, 11, 10, 19, tzinfo=NY)}),
        overrides={
            datetime(2026, 3, 17, 19, tzinfo=NY): Override(utc(2026, 3, 5, 0), utc(2026, 3, 5, 2)),
            datetime(2026, 10, 27, 19, tzinfo=NY): Override(utc(2027, 1, 5, 0), utc(2027, 1, 5, 1)),
        },
    ),
    "monthly on the second Tuesday until a date": make(
        datetime(2026, 1, 13, 19, tzinfo=NY), 60, "America/New_York", "FREQ=MONTHLY;BYDAY=2TU;UNTIL=20271231"
    ),
    "monthly on the last Friday, twelve times": make(
        datetime(2026, 1, 30, 18, 30, tzinfo=BERLIN), 75, "Europe/Berlin", "FREQ=MONTHLY;BYDAY=-1FR;COUNT=12"
    ),
    "Saturday 23:00-01:00 across midnight and both US changes": make(
        datetime(2026, 2, 28, 23, tzinfo=NY), 120, "America/New_York", "FREQ=WEEKLY;COUNT=40"
    ),
    "Sunday 01:00-03:00 spanning the US changes keeps two hours": make(
        datetime(2026, 3, 1, 1, tzinfo=NY), 120, "America/New_York", "FREQ=WEEKLY;COUNT=40"
    ),
    "Sunday 01:00-03:00 spanning the EU changes keeps two hours, no end": make(
        datetime(2026, 3, 1, 1, tzinfo=BERLIN), 120, "Europe/Berlin", "FREQ=WEEKLY"
    ),
    "Sunday 02:30, which does not exist on 2026-03-08": make(
        datetime(2026, 3, 1, 2, 30, tzinfo=NY), 60, "America/New_York", "FREQ=WEEKLY;COUNT=12"
    ),
    "Sunday 01:30, which happens twice on 2026-11-01, one cancelled": make(
        datetime(2026, 10, 18, 1, 30, tzinfo=NY),
        45,
        "America/New_York",
        "FREQ=WEEKLY;COUNT=6",
        exdates=frozenset({utc(2026, 10, 25, 5, 30)}),
    ),
    "moving the nonexistent 02:30 occurrence": make(
        datetime(2026, 3, 1, 2, 30, tzinfo=NY),
        60,
        "America/New_York",
        "FREQ=WEEKLY;COUNT=3",
        overrides={utc(2026, 3, 8, 7, 30): Override(utc(2026, 3, 8, 15), utc(2026, 3, 8, 16))},
    ),
    "leap day: BYMONTHDAY=29 over February 2028": make(
        datetime(2027, 12, 29, 18, tzinfo=BERLIN), 60, "Europe/Berlin", "FREQ=MONTHLY;BYMONTHDAY=29;COUNT=6"
    ),
    "weekdays in Berlin": make(
        datetime(2026, 3, 23, 8, tzinfo=BERLIN),
        30,
        "Europe/Berlin",
        "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60",
    ),
    "a UTC series": make(
        utc(2026, 3, 1, 18), 60, "UTC", "FREQ=WEEKLY;COUNT=5", exdates=frozenset({utc(2026, 3, 8, 18)})
    ),
    "a one-off meeting": make(datetime(2026, 3, 8, 23, tzinfo=NY), 120, "America/New_York"),
    "a moved one-off meeting": make(
        datetime(2026, 3, 8, 23, tzinfo=NY),
        120,
        "America/New_York",
        overrides={utc(2026, 3, 9, 3): Override(utc(2026, 3, 10, 3), utc(2026, 3, 10, 4))},
    ),
    "a cancelled one-off meeting": make(
        utc(2026, 3, 9, 3), 120, "America/New_York", exdates=frozenset({utc(2026, 3, 9, 3)})
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_feeds_expand_to_the_occurrences_hearth_shows(case: str) -> None:
    s = CASES[case]
    data = series_ics([item(s)], stamp=STAMP)
    assert expand(data) == expected(s), case


@pytest.mark.parametrize(
    ("lo", "hi"),
    [
        (utc(2026, 3, 4, 0, 30), utc(2026, 3, 11)),  # starts mid-meeting
        (utc(2026, 3, 7), utc(2026, 3, 9)),  # the week of the US change
        (utc(2026, 10, 31), utc(2026, 11, 8)),
        (utc(2026, 3, 28), utc(2026, 3, 30)),
    ],
)
def test_narrow_windows_agree_too(lo: datetime, hi: datetime) -> None:
    for s in CASES.values():
        assert expand(series_ics([item(s)], stamp=STAMP), lo, hi) == expected(s, lo=lo, hi=hi)


def test_a_member_feed_combines_groups() -> None:
    chosen = [CASES[name] for name in list(CASES)[:6]] + [CASES["a one-off meeting"]]
    data = member_ics([item(s, n) for n, s in enumerate(chosen)], stamp=STAMP)
    assert expand(data) == expected(*chosen)
    tzids = sorted(str(tz["TZID"]) for tz in parse(data).walk("VTIMEZONE"))
    assert tzids == ["America/New_York", "Europe/Berlin"]
    assert len({str(e["UID"]) for e in events(data)}) == len(chosen)


def test_the_shape_of_a_series() -> None:
    data = series_ics(
        [item(CASES["every other week, one cancelled, one moved across the US change"])], stamp=STAMP
    )
    master, *moved = events(data)
    assert master["DTSTART"].params["TZID"] == "America/New_York"
    assert master["DTSTART"].dt == datetime(2026, 2, 3, 19, tzinfo=NY)
    assert master["DURATION"].dt == timedelta(hours=1)
    assert master["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20261231T235959Z;INTERVAL=2"
    assert b"EXDATE;TZID=America/New_York:20260303T190000" in data
    assert b"EXDATE;TZID=America/New_York:20261110T190000" in data
    assert [e["RECURRENCE-ID"].to_ical() for e in moved] == [b"20260317T190000", b"20261027T190000"]
    assert {str(e["UID"]) for e in (master, *moved)} == {"series-1@hearth.example"}
    assert [e["DTSTART"].to_ical() for e in moved] == [b"20260305T000000Z", b"20270105T000000Z"]
    assert str(master["URL"]) == URL
    assert URL in str(master["DESCRIPTION"])


def test_irregular_occurrences_are_written_out_with_their_written_local_time() -> None:
    data = series_ics([item(CASES["Sunday 02:30, which does not exist on 2026-03-08"])], stamp=STAMP)
    _, pinned = events(data)
    assert pinned["RECURRENCE-ID"].to_ical() == b"20260308T023000"
    assert (pinned["DTSTART"].to_ical(), pinned["DTEND"].to_ical()) == (
        b"20260308T073000Z",
        b"20260308T083000Z",
    )


def test_regular_series_need_no_extra_events() -> None:
    for name in ("weekly 19:00 New York across both US changes", "monthly on the last Friday, twelve times"):
        assert len(events(series_ics([item(CASES[name])], stamp=STAMP))) == 1


@pytest.mark.parametrize(("years", "pinned"), [(1, 2), (2, 4)])
def test_open_ended_series_are_written_out_up_to_the_horizon(years: int, pinned: int) -> None:
    s = CASES["Sunday 01:00-03:00 spanning the EU changes keeps two hours, no end"]
    horizon = datetime(2026 + years, 2, 1, tzinfo=UTC)
    data = series_ics([item(s)], stamp=STAMP, horizon=horizon)
    assert len(events(data)) == 1 + pinned
    assert expand(data, LO, horizon) == expected(s, hi=horizon)


def test_a_utc_series_needs_no_time_zone() -> None:
    data = series_ics([item(CASES["a UTC series"])], stamp=STAMP)
    assert parse(data).walk("VTIMEZONE") == []
    assert b"DTSTART:20260301T180000Z" in data
    assert b"EXDATE:20260308T180000Z" in data


def test_a_cancelled_one_off_meeting_leaves_no_event() -> None:
    assert events(series_ics([item(CASES["a cancelled one-off meeting"])], stamp=STAMP)) == []


@pytest.mark.parametrize(
    ("reveal", "summary", "calendar_name"),
    [(False, NEUTRAL_SUMMARY, "Hearth meetings"), (True, "Grief circle", "Grief circle")],
)
def test_names_appear_only_when_revealed(reveal: bool, summary: str, calendar_name: str) -> None:
    s = CASES["every other week, one cancelled, one moved across the US change"]
    data = series_ics([item(s)], stamp=STAMP, calendar_name="Grief circle", reveal=reveal)
    assert {str(e["SUMMARY"]) for e in events(data)} == {summary}
    assert str(parse(data)["X-WR-CALNAME"]) == calendar_name
    assert (b"Grief" in data) is reveal
    member = member_ics([item(s)], stamp=STAMP, reveal=reveal)
    assert {str(e["SUMMARY"]) for e in events(member)} == {summary}
    assert str(parse(member)["X-WR-CALNAME"]) == "Hearth meetings"


@pytest.mark.parametrize(
    ("reveal", "cancelled", "summary", "status"),
    [
        (False, False, "Hearth meeting", "CONFIRMED"),
        (True, False, "Grief circle", "CONFIRMED"),
        (False, True, "Hearth meeting", "CANCELLED"),
    ],
)
def test_one_meeting(reveal: bool, cancelled: bool, summary: str, status: str) -> None:
    start = datetime(2026, 3, 7, 23, tzinfo=NY)
    uid = occurrence_uid(7, start, domain="hearth.example")
    data = meeting_ics(
        uid=uid,
        start=start,
        end=start + timedelta(hours=2),
        url=URL,
        name="Grief circle",
        stamp=STAMP,
        reveal=reveal,
        cancelled=cancelled,
        sequence=2,
    )
    (event,) = events(data)
    assert str(event["UID"]) == "meeting-7-20260308T040000Z@hearth.example"
    assert (event["DTSTART"].to_ical(), event["DTEND"].to_ical()) == (
        b"20260308T040000Z",
        b"20260308T060000Z",
    )
    assert (str(event["SUMMARY"]), str(event["STATUS"]), event["SEQUENCE"]) == (summary, status, 2)
    assert str(event["URL"]) == URL
    assert event["DTSTAMP"].to_ical() == b"20260101T120000Z"
    assert (b"Grief" in data) is reveal
    if not cancelled:
        assert expand(data) == [(utc(2026, 3, 8, 4), utc(2026, 3, 8, 6))]


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="stamp is a naive datetime"):
        meeting_ics(uid="u", start=STAMP, end=STAMP, url=URL, name="n", stamp=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="start is a naive datetime"):
        meeting_ics(uid="u", start=datetime(2026, 1, 1), end=STAMP, url=URL, name="n", stamp=STAMP)


def test_uids() -> None:
    assert series_uid(3, domain="hearth.example") == "series-3@hearth.example"
    moved_key = datetime(2026, 3, 10, 19, tzinfo=NY)
    assert occurrence_uid(3, moved_key, domain="h.example") == "meeting-3-20260310T230000Z@h.example"
